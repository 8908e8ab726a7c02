import { DynamicModule, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, ConfigIssue, DEFAULT_CONFIG_FILE, joinPath, loadConfigFile, RelayConfig } from '@relay/config';
import { CHANNEL_CONFIG_KEYS } from '@relay/models';
import { basename } from 'node:path';
import { PinoNestLogger, rootLogger } from '@relay/observability';
import { TemplateSet } from '@relay/templates';
import { DEFAULT_QUEUE_PREFIX } from './queue-settings';
import { DEFAULT_REDIS_URL } from './redis-connection';
import { RelayCoreModule, RelayRuntime } from './relay-core.module';

/** Loads and checks the config and its templates; throws ConfigError (or a template error) naming the file. */
export async function loadRuntime(env: NodeJS.ProcessEnv = process.env): Promise<RelayRuntime> {
  const config = loadConfigFile(env.RELAY_CONFIG || DEFAULT_CONFIG_FILE, env);
  return runtimeFor(config, env);
}

export async function runtimeFor(config: RelayConfig, env: NodeJS.ProcessEnv = process.env): Promise<RelayRuntime> {
  const templates = await TemplateSet.load(config.templateGlobs, { baseDir: config.baseDir, timezone: config.global.timezone });
  checkTargetTemplates(config, templates);
  return {
    config,
    templates,
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX || DEFAULT_QUEUE_PREFIX,
  };
}

/**
 * Every string of a target's block that holds a template action must parse, so a typo in
 * `title: '{{ .CommonLabels.alertname }'` stops start-up (and check-config) instead of failing
 * each delivery later.
 */
export function checkTargetTemplates(config: RelayConfig, templates: TemplateSet): void {
  const issues: ConfigIssue[] = [];
  const receiverIndex = new Map([...config.receivers.keys()].map((name, i) => [name, i]));
  for (const target of config.targets.values()) {
    const at = `receivers[${receiverIndex.get(target.receiver)}].${CHANNEL_CONFIG_KEYS[target.channel]}[${target.index}]`;
    visitStrings(target.config, at, (path, text) => {
      if (!text.includes('{{')) return;
      try {
        templates.check(text);
      } catch (e) {
        issues.push({ path, message: (e as Error).message });
      }
    });
  }
  if (issues.length) throw new ConfigError(basename(config.file), issues);
}

function visitStrings(value: unknown, path: string, visit: (path: string, text: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => visitStrings(v, joinPath(path, i), visit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visitStrings(v, joinPath(path, k), visit);
}

@Module({})
class RelayAppModule {}

/** The root module of any relay process: the shared core plus the apps (ingest, workers) it runs. */
export function relayAppModule(runtime: RelayRuntime, features: Array<Type | DynamicModule>): DynamicModule {
  return { module: RelayAppModule, imports: [RelayCoreModule.forRoot(runtime), ...features] };
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
  app.enableShutdownHooks();
  return app;
}

/**
 * What every main.ts does: load config (a bad one stops the process with every error listed,
 * before anything starts), build the app, listen. Shutdown on SIGTERM closes workers, which
 * finish or release their in-flight jobs; a hard deadline makes sure the process does end.
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
  let runtime: RelayRuntime;
  try {
    runtime = await loadRuntime();
  } catch (e) {
    const message = e instanceof ConfigError ? `invalid config:\n${e.message}` : (e as Error).message;
    log.fatal({ file: process.env.RELAY_CONFIG || DEFAULT_CONFIG_FILE }, message);
    process.stderr.write(`alert-relay: ${message}\n`);
    process.exit(1);
  }
  const options = listen(runtime);
  const app = await createRelayApp(relayAppModule(runtime, features(runtime)), options.bodyLimit);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        log.error(`shutdown took longer than 30s after ${signal}; exiting`);
        process.exit(1);
      }, 30_000).unref();
    });
  }
  await app.listen(options.port, options.host ?? '0.0.0.0');
  log.info({ port: options.port, redis: redactUrl(runtime.redisUrl) }, 'listening');
  return app;
}

/** Redis URLs may carry a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
