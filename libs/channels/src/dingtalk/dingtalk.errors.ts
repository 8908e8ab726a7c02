import { DeliveryFailure, ErrcodeTable, errcodeFailure } from '@relay/delivery';

/**
 * Throttled: DingTalk stops accepting from the robot for its penalty window (10 minutes).
 * Permanent: will never succeed as configured or as rendered; retrying only adds noise.
 */
const DINGTALK_ERRCODES: ErrcodeTable = {
  throttled: new Set([130101, 410100]),
  permanent: new Map<number, string>([
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
  ]),
};

/**
 * Classifies DingTalk's answer. Errors arrive as HTTP 200 with an errcode, so the errcode is
 * what counts. 310000 covers keyword, signature, timestamp and IP allow-list failures: only
 * "invalid timestamp" (clock skew) can pass on a later, freshly signed attempt.
 */
export function classifyDingtalkError(errcode: number, errmsg: string, penaltyMs: number, now = Date.now()): DeliveryFailure {
  if (errcode === 310000) {
    const message = `DingTalk errcode ${errcode}: ${errmsg}`;
    return /timestamp/i.test(errmsg) ? DeliveryFailure.transient('errcode_310000', message) : DeliveryFailure.permanent('errcode_310000', message);
  }
  // -1 (system busy) and codes DingTalk may add later are retried.
  return errcodeFailure('DingTalk', DINGTALK_ERRCODES, errcode, errmsg, penaltyMs, now);
}
