import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { inspectConfig, inspectConfigFile } from '@relay/channels';
import { createRelayApp, relayAppModule, runtimeFor } from '@relay/runtime';
import { RelayRuntime } from '@relay/delivery';
import { randomBytes } from 'node:crypto';

/** A fresh BullMQ/key prefix per test, so tests sharing one Redis never see each other's jobs. */
export function uniquePrefix(): string {
  return `{relay-test-${randomBytes(4).toString('hex')}}`;
}

export interface InProcessRelay {
  app: NestFastifyApplication;
  runtime: RelayRuntime;
  /** Base URL of the app's HTTP server (ingest endpoints, or a worker's health/metrics). */
  url: string;
  close(): Promise<void>;
}

/**
 * Boots relay apps (ingest and/or worker modules) in this process against a real Redis
 * (REDIS_URL from the jest global setup unless given), from a YAML config text or a config file
 * (which a reload reads again; the text is read again as it was).
 */
export async function startRelay(opts: {
  yaml?: string;
  configFile?: string;
  features: Array<Type | DynamicModule>;
  env?: NodeJS.ProcessEnv;
  redisUrl?: string;
  queuePrefix?: string;
  /** Directory template globs are relative to. */
  baseDir?: string;
}): Promise<InProcessRelay> {
  const env = { ...process.env, ...opts.env };
  const runtimeEnv = { ...env, REDIS_URL: opts.redisUrl ?? env.REDIS_URL, QUEUE_PREFIX: opts.queuePrefix ?? uniquePrefix() };
  const load = () =>
    runtimeFor(opts.configFile ? inspectConfigFile(opts.configFile, env) : inspectConfig(opts.yaml ?? '', { file: 'relay.yml', env, baseDir: opts.baseDir }), runtimeEnv);
  const runtime = await load();
  const app = await createRelayApp(relayAppModule(runtime, opts.features, load), runtime.config.ingest.bodyLimitBytes);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    runtime,
    url: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}
