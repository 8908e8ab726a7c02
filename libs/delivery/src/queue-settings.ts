import type { Channel } from '@relay/models';
import type { BackoffOptions } from 'bullmq';

export interface QueueSettings {
  /** Tries for transient failures; rate-limit waits do not spend one. */
  attempts: number;
  backoff: BackoffOptions;
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

// Exponential backoff with 50% jitter from BullMQ itself: 5s, 10s, 20s … 320s, about 10 minutes
// (less with jitter) across 8 attempts: long enough to ride out a platform hiccup, short enough
// that the alert still matters when it arrives.
const CHAT_RETRY = { attempts: 8, backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 } } as const;

/** One entry per channel: a channel without settings does not compile. */
export const QUEUE_SETTINGS: Record<Channel, QueueSettings> = {
  dingtalk: { ...CHAT_RETRY, concurrency: 16, requestTimeoutMs: 10_000 },
  wechat: { ...CHAT_RETRY, concurrency: 16, requestTimeoutMs: 10_000 },
  wecom_robot: { ...CHAT_RETRY, concurrency: 16, requestTimeoutMs: 10_000 },
  slack: { ...CHAT_RETRY, concurrency: 16, requestTimeoutMs: 10_000 },
  email: { ...CHAT_RETRY, concurrency: 8, requestTimeoutMs: 30_000 },
};

/** Keys of every queue, rate window and token cache share one hash tag so Redis Cluster keeps them together. */
export const DEFAULT_QUEUE_PREFIX = '{alert-relay}';
