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
    /**
     * False when the platform did not take the try into account: no answer at all (refused, DNS,
     * timeout) or an error page of its front end (HTTP 5xx). Such a try gives its place in the
     * target's rate window back, so after an outage the retries do not wait for sends that never
     * happened.
     */
    readonly answered = true,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }

  static transient(reason: string, message: string): DeliveryFailure {
    return new DeliveryFailure('transient', reason, message);
  }

  /** Without `retryAt` the target's own `rate_limit.penalty` applies. */
  static rateLimited(reason: string, message: string, retryAt?: number): DeliveryFailure {
    return new DeliveryFailure('rate_limited', reason, message, retryAt);
  }

  static permanent(reason: string, message: string): DeliveryFailure {
    return new DeliveryFailure('permanent', reason, message);
  }

  /** A transient failure the platform did not count: the request never arrived, no reply came, or its front end failed (5xx). */
  static unanswered(reason: string, message: string): DeliveryFailure {
    return new DeliveryFailure('transient', reason, message, undefined, false);
  }

  /** Anything a sender did not classify itself: network errors and timeouts are worth retrying. */
  static from(error: unknown): DeliveryFailure {
    if (error instanceof DeliveryFailure) return error;
    // A template that fails on this notification's data fails the same way on every retry.
    if (error instanceof TemplateExecError) return DeliveryFailure.permanent('template', error.message);
    const e = error as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return DeliveryFailure.unanswered('timeout', 'the request timed out');
    const code = e?.cause?.code ?? e?.code;
    // undici's own timeouts: connecting, waiting for the headers, or for the rest of the body.
    if (code && UNDICI_TIMEOUTS.has(code)) return DeliveryFailure.unanswered('timeout', 'the request timed out');
    if (code) return DeliveryFailure.unanswered(`network_${code.toLowerCase()}`, `network error: ${code}`);
    // fetch wraps every connection problem in TypeError("fetch failed") with the detail in `cause`.
    if (e?.name === 'TypeError' && e.message === 'fetch failed') return DeliveryFailure.unanswered('network_error', `network error: ${e.cause?.message ?? 'fetch failed'}`);
    return DeliveryFailure.transient('error', e?.message ?? String(error));
  }
}

const UNDICI_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Parses Retry-After (seconds or an HTTP date) into ms since epoch; undefined when absent or unreadable. */
export function retryAfterToTime(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return now + Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(now, date);
}
