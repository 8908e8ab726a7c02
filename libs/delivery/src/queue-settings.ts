import { RELAY_BACKOFF, relayBackoffStrategy, UNBOUNDED_ATTEMPTS } from './retry-policy';

export interface QueueSettings {
  /** Jobs one worker process handles at once (each waits on the network, not the CPU). */
  concurrency: number;
  /** Every outbound call is abandoned after this long and counted as transient. */
  requestTimeoutMs: number;
  /** Keep-alive connections per platform origin: sends beyond them wait in the pool for one. */
  connections?: number;
}

const DAY_S = 24 * 3600;

/**
 * Retention is the same everywhere: nothing kept forever, nothing failed thrown away early. A
 * completed job keeps its whole notification (Bull Board shows what went out), so few are kept:
 * 10,000 of them took 80 MB of Redis; the failed ones, which someone has to look at, stay a week.
 */
export const RETENTION = {
  removeOnComplete: { age: 3600, count: 1_000 },
  removeOnFail: { age: 7 * DAY_S },
} as const;

/**
 * What most chat channels use. Sends wait on the network, not the CPU, so a worker keeps as many in
 * flight as the platform's latency needs: at 200 ms a send, 256 is about 1,200 a second from one
 * process; each target's rate window and the pool per origin still bound them. The timeout is
 * longer than a platform's usual stalls (DingTalk has hung 35 s and shown the message anyway): a
 * send given up on may still be shown, and each retry after it would be shown again.
 */
export const CHAT_QUEUE_SETTINGS: QueueSettings = { concurrency: 256, requestTimeoutMs: 40_000, connections: 256 };

/**
 * A channel's settings with the operator's overrides from the environment:
 * `RELAY_<CHANNEL>_CONCURRENCY` and `RELAY_<CHANNEL>_CONNECTIONS` (e.g. RELAY_DINGTALK_CONCURRENCY=512).
 */
export function queueSettingsFor(channel: string, defaults: QueueSettings, env: NodeJS.ProcessEnv = process.env): QueueSettings {
  const name = `RELAY_${channel.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const whole = (key: string, fallback: number | undefined): number | undefined => {
    const raw = env[`${name}_${key}`];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}_${key} must be a whole number, at least 1 (got "${raw}")`);
    return value;
  };
  return { ...defaults, concurrency: whole('CONCURRENCY', defaults.concurrency)!, connections: whole('CONNECTIONS', defaults.connections) };
}

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

/** Where the relay looks for Redis when REDIS_URL is not set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
