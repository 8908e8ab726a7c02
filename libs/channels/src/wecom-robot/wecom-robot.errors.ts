import { DeliveryFailure, ErrcodeTable, errcodeFailure } from '@relay/delivery';

/**
 * A group robot's answers (HTTP 200 with an errcode). 45009 means the robot exceeded 20 messages
 * a minute: it is paused for the target's penalty window rather than retried into a wall.
 */
const WECOM_ROBOT_ERRCODES: ErrcodeTable = {
  throttled: new Set([45009]),
  permanent: new Map<number, string>([
    [93000, 'the robot key is invalid (robot removed or URL wrong)'],
    [40058, 'the message is too long'],
    [40008, 'the message type is not supported'],
    [44004, 'the message content is empty'],
  ]),
};

export function classifyWecomRobotError(errcode: number, errmsg: string, penaltyMs: number, now = Date.now()): DeliveryFailure {
  return errcodeFailure('WeCom robot', WECOM_ROBOT_ERRCODES, errcode, errmsg, penaltyMs, now);
}
