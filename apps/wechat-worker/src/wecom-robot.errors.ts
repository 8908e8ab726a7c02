import { DeliveryFailure } from '@relay/delivery';

const PERMANENT = new Map<number, string>([
  [93000, 'the robot key is invalid (robot removed or URL wrong)'],
  [40058, 'the message is too long'],
  [40008, 'the message type is not supported'],
  [44004, 'the message content is empty'],
]);

/**
 * Classifies a group robot's answer (HTTP 200 with an errcode). 45009 means the robot exceeded
 * 20 messages a minute: the robot is paused for the target's penalty window rather than
 * retried into a wall. Unknown codes are transient: retrying is safer than dropping an alert.
 */
export function classifyWecomRobotError(errcode: number, errmsg: string, penaltyMs: number, now = Date.now()): DeliveryFailure {
  const reason = `errcode_${errcode}`;
  const message = `WeCom robot errcode ${errcode}: ${errmsg}`;
  if (errcode === 45009) return DeliveryFailure.rateLimited(reason, message, now + penaltyMs);
  const why = PERMANENT.get(errcode);
  return why ? DeliveryFailure.permanent(reason, `${message} (${why})`) : DeliveryFailure.transient(reason, message);
}
