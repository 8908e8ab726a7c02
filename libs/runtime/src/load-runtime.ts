import { BUILTIN_TEMPLATES, inspectConfigFile, relayTemplates } from '@relay/channels';
import { ConfigError, ConfigInspection, ConfigIssue, configFileFrom, stringsOfTarget } from '@relay/config';
import { DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL } from '@relay/delivery/platform';
import type { RelayRuntime } from '@relay/delivery';
import { TemplateSet } from '@relay/templates';

// Start-up's checks without Nest or BullMQ: `check-config` runs exactly these and loads nothing else.

/**
 * Loads and checks the config and its templates, as start-up does: throws one ConfigError
 * listing every problem the file has (fields, names, targets, template strings) with its path.
 */
export async function loadRuntime(env: NodeJS.ProcessEnv = process.env): Promise<RelayRuntime> {
  return runtimeFor(inspectConfigFile(configFileFrom(env), env), env);
}

/**
 * The runtime of an inspected config, once it and every target's template strings are sound.
 * The template files are read once: the set that checks the targets' strings is the one used.
 */
export async function runtimeFor(inspection: ConfigInspection, env: NodeJS.ProcessEnv = process.env): Promise<RelayRuntime> {
  const { config, templates } = await checkedConfig(inspection);
  return {
    config,
    templates,
    builtinTemplates: relayTemplates([], { timezone: config.global.timezone }),
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX || DEFAULT_QUEUE_PREFIX,
  };
}

/**
 * The config and its templates once both are sound (what `check-config` needs); throws one
 * ConfigError listing every problem.
 */
export async function checkedConfig(inspection: ConfigInspection): Promise<Pick<RelayRuntime, 'config' | 'templates'>> {
  const { templates, issues: templateIssues } = await checkedTemplates(inspection);
  const issues = [...inspection.issues, ...templateIssues];
  if (issues.length || !inspection.config || !templates) throw new ConfigError(inspection.label, issues);
  return { config: inspection.config, templates };
}

/**
 * Every string of a target's block that holds a template action must parse, so a typo in
 * `title: '{{ .CommonLabels.alertname }'` stops start-up (and check-config) instead of failing
 * each delivery later. Runs on every target that validated, so its errors are listed beside the
 * config's own in one run.
 */
async function checkedTemplates(inspection: ConfigInspection): Promise<{ templates?: TemplateSet; issues: ConfigIssue[] }> {
  const input = inspection.templateCheck;
  if (!input) return { issues: [] };
  let templates: TemplateSet;
  try {
    templates = await TemplateSet.load(input.templateGlobs, { baseDir: input.baseDir, timezone: input.timezone, builtins: BUILTIN_TEMPLATES });
  } catch (e) {
    // A broken template file: the targets' strings cannot be judged without the templates they call.
    return { issues: [{ path: 'templates', message: (e as Error).message }] };
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
  return { templates, issues };
}
