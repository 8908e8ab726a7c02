import { DynamicModule, Module, ShutdownSignal, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { BUILTIN_TEMPLATES, inspectConfigFile, relayTemplates } from '@relay/channels';
import { ConfigError, ConfigInspection, ConfigIssue, configFileFrom, stringsOfTarget } from '@relay/config';
import { DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL, RelayCoreModule, RelayRuntime, redactRedisUrl } from '@relay/delivery';
import { PinoNestLogger, rootLogger } from '@relay/observability';
import { TemplateSet } from '@relay/templates';
import { ConfigReloader, ConfigReloadModule, ConfigSource } from './config-reloader';

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
  const { templates, issues: templateIssues } = await checkedTemplates(inspection);
  const issues = [...inspection.issues, ...templateIssues];
  if (issues.length || !inspection.config || !templates) throw new ConfigError(inspection.label, issues);
  const config = inspection.config;
  return {
    config,
    templates,
    builtinTemplates: relayTemplates([], { timezone: config.global.timezone }),
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX || DEFAULT_QUEUE_PREFIX,
  };
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

@Module({})
class RelayAppModule {}

/**
 * The root module of any relay process: the shared core, the reloader (which loads from
 * `source`: by default the file and environment start-up read), and the apps (ingest, workers) it runs.
 */
export function relayAppModule(runtime: RelayRuntime, features: Array<Type | DynamicModule>, source: ConfigSource = () => loadRuntime()): DynamicModule {
  return { module: RelayAppModule, imports: [RelayCoreModule.forRoot(runtime), ConfigReloadModule.forRoot(source), ...features] };
}

export interface ListenOptions {
  port: number;
  host?: string;
  /** Largest request body accepted (413 above it). */
  bodyLimit?: number;
}

export async function createRelayApp(module: DynamicModule, bodyLimit = 1024 * 1024): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ bodyLimit }), {
    logger: new PinoNestLogger(),
  });
  // Nest's default list has SIGHUP, which is the config reload here (runRelayProcess), not a shutdown.
  app.enableShutdownHooks(Object.values(ShutdownSignal).filter((signal) => signal !== ShutdownSignal.SIGHUP));
  return app;
}

/**
 * What every main.ts does: load config (a bad one stops the process with every error listed,
 * before anything starts), build the app, listen. Shutdown on SIGTERM closes workers, which
 * finish or release their in-flight jobs; a hard deadline makes sure the process does end.
 * SIGHUP reloads the config (ConfigReloader).
 */
export async function runRelayProcess(
  features: (runtime: RelayRuntime) => Array<Type | DynamicModule>,
  listen: (runtime: RelayRuntime) => ListenOptions,
): Promise<NestFastifyApplication> {
  let log: ReturnType<typeof rootLogger>;
  try {
    log = rootLogger();
  } catch (e) {
    process.stderr.write(`alert-relay: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // Node's default for SIGHUP is to exit. One that comes before the reloader exists is answered
  // once it does: the file may have changed after start-up read it. The reloader logs the outcome.
  let hangupBeforeStart = false;
  let onHangup = () => void (hangupBeforeStart = true);
  process.on('SIGHUP', () => onHangup());
  let runtime: RelayRuntime;
  try {
    runtime = await loadRuntime();
  } catch (e) {
    const message = e instanceof ConfigError ? `invalid config:\n${e.message}` : (e as Error).message;
    log.fatal({ file: configFileFrom() }, message);
    process.stderr.write(`alert-relay: ${message}\n`);
    process.exit(1);
  }
  const options = listen(runtime);
  const app = await createRelayApp(relayAppModule(runtime, features(runtime)), options.bodyLimit);
  const reloader = app.get(ConfigReloader);
  reloader.onConfig((config) => {
    for (const { path, message } of config.warnings) log.warn({ setting: path }, message);
  });
  reloader.keepsFromStart((rt) => {
    const { port, host, bodyLimit } = listen(rt);
    return { port, host, 'ingest.body_limit': bodyLimit };
  });
  onHangup = () => void reloader.reload().catch(() => undefined);
  if (hangupBeforeStart) onHangup();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        log.error(`shutdown took longer than 30s after ${signal}; exiting`);
        process.exit(1);
      }, 30_000).unref();
    });
  }
  await app.listen(options.port, options.host ?? '0.0.0.0');
  log.info({ port: options.port, redis: redactRedisUrl(runtime.redisUrl) }, 'listening');
  return app;
}
