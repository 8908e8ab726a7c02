import { TemplateExecError } from '@relay/templates';

/**
 * The one way a sender reports a failed delivery. The base processor turns it into BullMQ's terms:
 * transient → retried with backoff; rate_limited → the target is paused and the job delayed to
 * `retryAt` without spending an attempt; permanent → UnrecoverableError, kept in the failed set.
 */
export type FailureKind = 'transient' | 'rate_limited' | 'permanent';

export class DeliveryFailure extends Error {
  private constructor(
    readonly kind: FailureKind,
    /** Short and stable, for the metrics `reason` label: `errcode_130101`, `http_503`, `timeout`. */
    readonly reason: string,
    message: string,
    /** For rate_limited: when the target may be tried again (ms since epoch). */
    readonly retryAt?: number,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }

  static transient(reason: string, message: string): DeliveryFailure {
    return new DeliveryFailure('transient', reason, message);
  }

  static rateLimited(reason: string, message: string, retryAt: number): DeliveryFailure {
    return new DeliveryFailure('rate_limited', reason, message, retryAt);
  }

  static permanent(reason: string, message: string): DeliveryFailure {
    return new DeliveryFailure('permanent', reason, message);
  }

  /** Anything a sender did not classify itself: network errors and timeouts are worth retrying. */
  static from(error: unknown): DeliveryFailure {
    if (error instanceof DeliveryFailure) return error;
    // A template that fails on this notification's data fails the same way on every retry.
    if (error instanceof TemplateExecError) return DeliveryFailure.permanent('template', error.message);
    const e = error as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return DeliveryFailure.transient('timeout', 'the request timed out');
    const code = e?.cause?.code ?? e?.code;
    if (code) return DeliveryFailure.transient(`network_${code.toLowerCase()}`, `network error: ${code}`);
    // fetch wraps every connection problem in TypeError("fetch failed") with the detail in `cause`.
    if (e?.name === 'TypeError' && e.message === 'fetch failed') return DeliveryFailure.transient('network_error', `network error: ${e.cause?.message ?? 'fetch failed'}`);
    return DeliveryFailure.transient('error', e?.message ?? String(error));
  }
}

/** Parses Retry-After (seconds or an HTTP date) into ms since epoch; undefined when absent or unreadable. */
export function retryAfterToTime(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return now + Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(now, date);
}
