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

/** What most chat channels use: sends wait on the network, not the CPU. */
export const CHAT_QUEUE_SETTINGS: QueueSettings = { concurrency: 16, requestTimeoutMs: 10_000 };

/**
 * How soon a dead worker's jobs are taken up: BullMQ moves an active job back to waiting when its
 * lock has lapsed at two stalled-job checks in a row. With BullMQ's defaults (30 s lock, a check
 * every 30 s) a SIGKILLed worker's jobs waited about 70 s; these bring it to 15 to 25 s. The lock
 * is renewed every 5 s while a send runs, which an I/O-bound worker never misses.
 */
const STALLED = { lockDuration: 10_000, stalledInterval: 5_000 } as const;

/**
 * A job may be found stalled this many times before BullMQ fails it: each stall is a worker that
 * died mid-send, and an alert must outlive a few crashes rather than end in the failed set.
 */
const MAX_STALLED = 10;

/** What a channel's @Processor is created with: its concurrency, the one retry policy, stalled-job recovery. */
export function workerOptions(queue: QueueSettings) {
  return {
    concurrency: queue.concurrency,
    ...STALLED,
    maxStalledCount: MAX_STALLED,
    settings: { backoffStrategy: relayBackoffStrategy },
  };
}

/** How every job is stored: retried by age (retry-policy.ts), not by a count of attempts. */
export const RETRY_JOB_OPTIONS = { attempts: UNBOUNDED_ATTEMPTS, backoff: RELAY_BACKOFF } as const;

/** Keys of every queue, rate window and token cache share one hash tag so Redis Cluster keeps them together. */
export const DEFAULT_QUEUE_PREFIX = '{alert-relay}';
