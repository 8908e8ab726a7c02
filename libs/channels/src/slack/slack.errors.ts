import { DeliveryFailure, retryAfterToTime, statusFailure } from '@relay/delivery';

/**
 * Errors that will come back the same on every try: the payload, the webhook, the token or the
 * channel is wrong, or the channel is archived. Incoming webhooks say them as plain text with a
 * 4xx status; chat.postMessage as `200 {ok:false, error}`.
 */
const PERMANENT = new Set([
  // incoming webhook
  'invalid_payload',
  'no_text',
  'action_prohibited',
  'invalid_token',
  'channel_not_found',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'channel_is_archived',
  'posting_to_general_channel_denied',
  'too_many_attachments',
  // chat.postMessage
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'msg_too_long',
  'msg_blocks_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
  'ekm_access_denied',
  'team_access_not_granted',
  'as_user_not_supported',
]);

/** Slack's own "try again later" answers, beside HTTP 5xx. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'rollup_error', 'team_added_to_org']);

/** Slack's error strings become the metrics `reason`; anything else is squeezed to a safe, short label. */
function reasonOf(error: string, fallback: string): string {
  return /^[a-z][a-z0-9_]{0,63}$/.test(error) ? error : fallback;
}

/** A 429 from either endpoint: no request to the target until Retry-After has passed. */
function throttled(retryAfter: string | null, penaltyMs: number, now: number): DeliveryFailure {
  const retryAt = retryAfterToTime(retryAfter, now) ?? now + penaltyMs;
  const wait = retryAfter ? `Retry-After ${retryAfter}s` : 'no Retry-After';
  return DeliveryFailure.rateLimited('ratelimited', `Slack answered 429 (${wait})`, retryAt);
}

/**
 * Classifies a non-2xx answer with the shared status policy (platform-http.ts), naming the error
 * the body gives: an incoming webhook's is the error name in plain text (`channel_is_archived`);
 * chat.postMessage may answer 429 with `{ok:false, error:"ratelimited"}`. Slack's own "try again
 * later" errors are retried whatever their status.
 */
export function classifySlackHttp(status: number, body: string, retryAfter: string | null, penaltyMs: number, now = Date.now()): DeliveryFailure {
  if (status === 429) return throttled(retryAfter, penaltyMs, now);
  const error = errorName(body);
  const reason = error ? reasonOf(error, `http_${status}`) : `http_${status}`;
  if (status < 500 && error && TRANSIENT.has(error)) return DeliveryFailure.transient(reason, `Slack answered HTTP ${status}: ${error}`);
  const answer = { status, text: body, header: (name: string) => (name === 'retry-after' ? (retryAfter ?? undefined) : undefined) };
  return statusFailure('Slack', answer, penaltyMs, { reason, detail: error }, now) ?? DeliveryFailure.transient(reason, `Slack answered HTTP ${status}`);
}

/**
 * Classifies a Web API `ok:false`. Errors Slack documents as the caller's fault are permanent;
 * its own trouble and errors it may add later are retried, since dropping an alert is worse
 * than a few extra tries.
 */
export function classifySlackApiError(error: string, retryAfter: string | null, penaltyMs: number, now = Date.now()): DeliveryFailure {
  if (error === 'ratelimited' || error === 'rate_limited') return throttled(retryAfter, penaltyMs, now);
  const reason = reasonOf(error, 'api_error');
  const message = `Slack API error: ${error}`;
  if (PERMANENT.has(error)) return DeliveryFailure.permanent(reason, message);
  return DeliveryFailure.transient(reason, message);
}

/** The error name in a plain-text or JSON error body; never echoes anything long or multi-line. */
function errorName(body: string): string | undefined {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      return typeof parsed.error === 'string' ? parsed.error.slice(0, 100) : undefined;
    } catch {
      return undefined;
    }
  }
  return /^[a-z][a-z0-9_]{0,99}$/.test(text) ? text : undefined;
}
