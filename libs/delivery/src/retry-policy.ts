import type { ResolvedTarget } from '@relay/config';
import type { BackoffStrategy } from 'bullmq';

/** The first retry waits about this long; each further one twice as long, up to the target's cap. */
export const FIRST_RETRY_MS = 5_000;

/**
 * The one retry policy. A transient failure is tried again, with exponential backoff and 50%
 * jitter capped at the target's `max_retry_interval`, until the notification is older than its
 * `max_delivery_age`: an outage of hours is ridden out rather than ending in the failed set after
 * a fixed number of tries. The last try falls on the deadline itself.
 */
export function nextRetryDelay(attempt: number, target: Pick<ResolvedTarget, 'maxRetryIntervalMs' | 'maxDeliveryAgeMs'>, ageMs: number, random = Math.random): number {
  const ceiling = Math.min(target.maxRetryIntervalMs, FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 30));
  const delay = Math.max(1, Math.floor(ceiling * (0.5 + 0.5 * random())));
  return Math.max(1, Math.min(delay, target.maxDeliveryAgeMs - ageMs));
}

/** True once a notification may no longer be retried. */
export function isExpired(target: Pick<ResolvedTarget, 'maxDeliveryAgeMs'>, ageMs: number): boolean {
  return ageMs >= target.maxDeliveryAgeMs;
}

/** A failed try that BullMQ is to retry after `delayMs` (computed by nextRetryDelay, which knows the target). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** The backoff type jobs are stored with; the worker's strategy reads the delay the processor chose. */
export const RELAY_BACKOFF = { type: 'relay' } as const;

export const relayBackoffStrategy: BackoffStrategy = (attemptsMade, _type, error) =>
  error instanceof RetryLater ? error.delayMs : Math.min(FIRST_RETRY_MS * 2 ** Math.max(attemptsMade - 1, 0), 300_000);

/**
 * BullMQ needs a number of attempts; the age decides instead (one try a `max_retry_interval` for
 * `max_delivery_age` stays far below this however they are set).
 */
export const UNBOUNDED_ATTEMPTS = 1_000_000;
