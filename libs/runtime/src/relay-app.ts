import { setFlagsFromString } from 'node:v8';
import { DynamicModule, Module, ShutdownSignal, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { RelayCoreModule, RelayRuntime, redactRedisUrl } from '@relay/delivery';
import { PinoNestLogger, rootLogger } from '@relay/observability';
import { ConfigReloader, ConfigReloadModule, ConfigSource } from './config-reloader';
import { ConfigError, configFileFrom } from '@relay/config';
import { loadRuntime } from './load-runtime';

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
 * How far V8 lets the heap grow past what the last full collection kept alive, in percent. Left
 * to itself V8 lets a heap this small grow to several times its live size before collecting it
 * fully, which put a process at 155–185 MB resident at peak with some 40 MB alive; at 30 % its
 * peak is 135–165 MB for no CPU the throughput bench can tell apart (see the README's Delivery
 * throughput). A GC heuristic that V8 reads at each collection, so setting it at start-up is safe.
 */
const HEAP_GROWING_PERCENT = 30;

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
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
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
