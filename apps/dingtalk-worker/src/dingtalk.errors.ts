import { DeliveryFailure, retryAfterToTime } from '@relay/delivery';

/** Throttled: DingTalk stops accepting from the robot for its penalty window (10 minutes). */
const THROTTLED = new Set([130101, 410100]);

/** Will never succeed as configured or as rendered: retrying only adds noise. */
const PERMANENT = new Map<number, string>([
  [400013, 'the group of this robot was dissolved'],
  [400101, 'the robot access_token does not exist'],
  [400102, 'the robot is disabled'],
  [400105, 'the message type is not supported'],
  [400106, 'the robot is not in the group'],
  [430101, 'the content was refused by moderation'],
  [430102, 'the content was refused by moderation'],
  [430103, 'the content was refused by moderation'],
  [430104, 'the content was refused by moderation'],
  [460101, 'the message is too large'],
  [101002, 'the message is too large'],
]);

/**
 * Classifies DingTalk's answer. Errors arrive as HTTP 200 with an errcode, so the errcode is
 * what counts. 310000 covers keyword, signature, timestamp and IP allow-list failures: only
 * "invalid timestamp" (clock skew) can pass on a later, freshly signed attempt.
 */
export function classifyDingtalkError(errcode: number, errmsg: string, penaltyMs: number, now = Date.now()): DeliveryFailure {
  const reason = `errcode_${errcode}`;
  const message = `DingTalk errcode ${errcode}: ${errmsg}`;
  if (THROTTLED.has(errcode)) return DeliveryFailure.rateLimited(reason, message, now + penaltyMs);
  if (errcode === 310000) {
    return /timestamp/i.test(errmsg) ? DeliveryFailure.transient(reason, message) : DeliveryFailure.permanent(reason, message);
  }
  const permanent = PERMANENT.get(errcode);
  if (permanent) return DeliveryFailure.permanent(reason, `${message} (${permanent})`);
  // -1 (system busy) and codes DingTalk may add later: retrying is safer than dropping an alert.
  return DeliveryFailure.transient(reason, message);
}

export function classifyDingtalkHttp(status: number, retryAfter: string | null, penaltyMs: number, now = Date.now()): DeliveryFailure {
  const reason = `http_${status}`;
  if (status === 429) {
    return DeliveryFailure.rateLimited(reason, 'DingTalk answered 429 Too Many Requests', retryAfterToTime(retryAfter, now) ?? now + penaltyMs);
  }
  if (status >= 500) return DeliveryFailure.unanswered(reason, `DingTalk answered HTTP ${status}`);
  if (status === 408) return DeliveryFailure.transient(reason, `DingTalk answered HTTP ${status}`);
  return DeliveryFailure.permanent(reason, `DingTalk answered HTTP ${status}`);
}
