import { DeliveryFailure, ErrcodeTable, errcodeFailure } from '@relay/delivery';

/**
 * A custom bot's answers: `{code, msg}`, at HTTP 200 and sometimes 400. 11232 means the bot went
 * over 5 a second or 100 a minute (or Feishu is busy at the hour): it is paused for the target's
 * penalty, without spending an attempt. Permanent: will never pass as configured or as rendered.
 */
const FEISHU_CODES: ErrcodeTable = {
  throttled: new Set([11232]),
  permanent: new Map<number, string>([
    [9499, 'Feishu could not read the request'],
    [19001, 'the bot webhook token is invalid (bot removed or URL wrong)'],
    [19002, 'a required parameter is missing'],
    [19021, "the signature does not match the bot's secret"],
    [19022, "the relay's IP address is not in the bot's allow-list"],
    [19024, "the message contains none of the bot's keywords"],
    [19036, 'the message is too large'],
  ]),
};

/**
 * 9499 is also how Feishu has answered throttling ("too many request", at HTTP 400): that one
 * pauses the bot like 11232. Any other 9499 is a body Feishu cannot read, and would be refused
 * again. Unknown codes are retried: dropping an alert is worse than a few retries.
 */
export function classifyFeishuError(code: number, msg: string, penaltyMs: number, now = Date.now()): DeliveryFailure {
  if (code === 9499 && /too many request/i.test(msg)) return DeliveryFailure.rateLimited('errcode_9499', `Feishu errcode 9499: ${msg}`, now + penaltyMs);
  return errcodeFailure('Feishu', FEISHU_CODES, code, msg, penaltyMs, now);
}
