import type { Channel } from '@relay/models';
import { RELAY_BACKOFF, relayBackoffStrategy, UNBOUNDED_ATTEMPTS } from './retry-policy';

export interface QueueSettings {
  /** Jobs one worker process handles at once (each waits on the network, not the CPU). */
  concurrency: number;
  /** Every outbound call is abandoned after this long and counted as transient. */
  requestTimeoutMs: number;
}

const DAY_S = 24 * 3600;

/** Retention is the same everywhere: nothing kept forever, nothing failed thrown away early. */
export const RETENTION = {
  removeOnComplete: { age: DAY_S, count: 10_000 },
  removeOnFail: { age: 7 * DAY_S },
} as const;

/** One entry per channel: a channel without settings does not compile. */
export const QUEUE_SETTINGS: Record<Channel, QueueSettings> = {
  dingtalk: { concurrency: 16, requestTimeoutMs: 10_000 },
  wechat: { concurrency: 16, requestTimeoutMs: 10_000 },
  wecom_robot: { concurrency: 16, requestTimeoutMs: 10_000 },
  slack: { concurrency: 16, requestTimeoutMs: 10_000 },
  email: { concurrency: 8, requestTimeoutMs: 30_000 },
};

/** What a channel's @Processor is created with: its concurrency and the one retry policy. */
export function workerOptions(channel: Channel) {
  return { concurrency: QUEUE_SETTINGS[channel].concurrency, settings: { backoffStrategy: relayBackoffStrategy } };
}

/** How every job is stored: retried by age (retry-policy.ts), not by a count of attempts. */
export const RETRY_JOB_OPTIONS = { attempts: UNBOUNDED_ATTEMPTS, backoff: RELAY_BACKOFF } as const;

/** Keys of every queue, rate window and token cache share one hash tag so Redis Cluster keeps them together. */
export const DEFAULT_QUEUE_PREFIX = '{alert-relay}';
