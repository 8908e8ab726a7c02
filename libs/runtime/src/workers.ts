import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Channel, CHANNEL_DEFINITIONS, CHANNELS, isChannel } from '@relay/channels';
import { channelWorkerModule } from '@relay/delivery';
import { runRelayProcess } from './relay-app';
import { ReloadSubscriberModule } from './reload-broadcast';

export interface WorkerApp {
  /** The channels whose queues it consumes. */
  channels: readonly Channel[];
  /** Where its health probes and /metrics answer unless `HEALTH_PORT` says otherwise. */
  healthPort: number;
}

/**
 * The worker apps of a compose or Kubernetes layout (`apps/<name>/src/main.ts`, an npm script
 * `start:<name>`, a compose service each): every channel is consumed by exactly one of them.
 * `worker` is the generic one: it takes the channels named in `RELAY_CHANNELS` (all by default).
 */
export const WORKER_APPS = {
  'dingtalk-worker': { channels: ['dingtalk'], healthPort: 8081 },
  'wechat-worker': { channels: ['wechat', 'wecom_robot'], healthPort: 8082 },
  'slack-worker': { channels: ['slack'], healthPort: 8083 },
  'email-worker': { channels: ['email'], healthPort: 8084 },
} as const satisfies Record<string, WorkerApp>;

export type WorkerAppName = keyof typeof WORKER_APPS;

/** The generic worker's default port, beside the per-channel apps' 8081-8084. */
export const GENERIC_WORKER_HEALTH_PORT = 8090;

/** The worker module of each channel, from its definition. */
export function workerModules(channels: readonly Channel[] = CHANNELS): DynamicModule[] {
  return channels.map((channel) => channelWorkerModule(channel, CHANNEL_DEFINITIONS[channel]));
}

/** `RELAY_CHANNELS=dingtalk,slack`: the channels it names, each once; unset or empty means all. */
export function channelsFrom(value: string | undefined): Channel[] {
  const names = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) return [...CHANNELS];
  const unknown = names.filter((n) => !isChannel(n));
  if (unknown.length) throw new Error(`RELAY_CHANNELS: ${unknown.map((n) => `"${n}"`).join(', ')} is not a channel (the channels are ${CHANNELS.join(', ')})`);
  return [...new Set(names as Channel[])];
}

/**
 * A worker process: the given channels' workers, health and metrics on `HEALTH_PORT` or the
 * default, and the reload requests ingest publishes on `POST /-/reload`.
 */
export function runWorkers(channels: readonly Channel[], healthPort: number): Promise<NestFastifyApplication> {
  return runRelayProcess(() => [...workerModules(channels), ReloadSubscriberModule], () => ({ port: Number(process.env.HEALTH_PORT || healthPort) }));
}

export function runWorkerApp(name: WorkerAppName): Promise<NestFastifyApplication> {
  const app: WorkerApp = WORKER_APPS[name];
  return runWorkers(app.channels, app.healthPort);
}
