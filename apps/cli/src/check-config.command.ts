import { ConfigError, ConfigIssue, configFileFrom, inspectConfigFile, stringsOfTarget, TemplateCheckInput } from '@relay/config';
import { runtimeFor } from '@relay/delivery';
import { TemplateSet } from '@relay/templates';

/**
 * `alert-relay check-config [FILE]`, in the manner of `amtool check-config`: every receiver
 * and its targets when the file is valid (exit 0), every error with its path otherwise (exit 1).
 */
export async function checkConfigCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env = process.env): Promise<number> {
  const file = args[0] ?? configFileFrom(env);
  try {
    const inspection = inspectConfigFile(file, env);
    // Template errors are listed beside the config's own, for every target that validated.
    const issues = [...inspection.issues, ...(await templateIssues(inspection.templateCheck))];
    if (issues.length || !inspection.config) throw new ConfigError(inspection.label, issues);
    // What start-up itself runs, so check-config accepts exactly what start-up accepts.
    const runtime = await runtimeFor(inspection.config, env);
    const config = runtime.config;
    out.write(`Checking '${file}'  SUCCESS\n`);
    out.write(`Found:\n - ${config.templateGlobs.length} template glob(s)\n - ${config.receivers.size} receiver(s)\n`);
    for (const receiver of config.receivers.values()) {
      out.write(`\n${receiver.name}\n`);
      if (!receiver.targets.length) out.write('  (no targets: notifications are accepted and dropped)\n');
      for (const t of receiver.targets) {
        const limit = `${t.rateLimit.max}/${t.rateLimit.perMs / 1000}s`;
        out.write(`  ${t.name}  ${t.channel}  send_resolved=${t.sendResolved}  rate_limit=${limit}\n`);
      }
    }
    return 0;
  } catch (e) {
    err.write(`Checking '${file}'  FAILED:\n`);
    err.write(e instanceof ConfigError ? `${e.message}\n` : `${file}: ${(e as Error).message}\n`);
    return 1;
  }
}

/** Every template string of the targets that validated must parse (start-up refuses those that do not). */
async function templateIssues(input: TemplateCheckInput | undefined): Promise<ConfigIssue[]> {
  if (!input) return [];
  let templates: TemplateSet;
  try {
    templates = await TemplateSet.load(input.templateGlobs, { baseDir: input.baseDir, timezone: input.timezone });
  } catch (e) {
    // A broken template file: the targets' strings cannot be judged without the templates they call.
    return [{ path: 'templates', message: (e as Error).message }];
  }
  const issues: ConfigIssue[] = [];
  for (const target of input.targets) {
    for (const { path, text } of stringsOfTarget(target)) {
      if (!text.includes('{{')) continue;
      try {
        templates.check(text);
      } catch (e) {
        issues.push({ path, message: (e as Error).message });
      }
    }
  }
  return issues;
}
