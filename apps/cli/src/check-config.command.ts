import { ConfigError, configFileFrom } from '@relay/config';
import { inspectConfigFile } from '@relay/channels';
import { checkedConfig } from '@relay/runtime/load-runtime';

/**
 * `alert-relay check-config [FILE]`, in the manner of `amtool check-config`: every receiver
 * and its targets when the file is valid (exit 0), every error with its path otherwise (exit 1).
 */
export async function checkConfigCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env = process.env): Promise<number> {
  const file = args[0] ?? configFileFrom(env);
  try {
    // What start-up itself runs, so check-config accepts exactly what start-up accepts.
    const { config } = await checkedConfig(inspectConfigFile(file, env));
    out.write(`Checking '${file}'  SUCCESS\n`);
    out.write(`Found:\n - ${config.templateGlobs.length} template glob(s)\n - ${config.receivers.size} receiver(s)\n`);
    for (const receiver of config.receivers.values()) {
      out.write(`\n${receiver.name}\n`);
      if (!receiver.targets.length) out.write('  (no targets: notifications are accepted and dropped)\n');
      for (const t of receiver.targets) {
        // A webhook's default: no window, only a platform's 429 pauses it.
        const limit = Number.isFinite(t.rateLimit.max) ? `${t.rateLimit.max}/${t.rateLimit.perMs / 1000}s` : 'off';
        out.write(`  ${t.name}  ${t.channel}  send_resolved=${t.sendResolved}  rate_limit=${limit}\n`);
      }
    }
    if (config.warnings.length) out.write(`\nWarnings:\n${config.warnings.map((w) => ` - ${w.path}: ${w.message}\n`).join('')}`);
    return 0;
  } catch (e) {
    err.write(`Checking '${file}'  FAILED:\n`);
    err.write(e instanceof ConfigError ? `${e.message}\n` : `${file}: ${(e as Error).message}\n`);
    return 1;
  }
}
