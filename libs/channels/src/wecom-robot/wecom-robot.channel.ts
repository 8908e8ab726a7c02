import { ChannelDefinition, CHAT_QUEUE_SETTINGS, DeliveryFailure, errcodeFailure, ErrcodeTable, jsonAnswer, PlatformHttp, secretAddressScope, statusFailure } from '@relay/delivery/platform';
import { WecomRobotConfig } from './wecom-robot.config';
import { buildWecomRobotDigest, buildWecomRobotMessage, WecomRobotMessage } from './wecom-robot.message';

export const WECOM_ROBOT_CHANNEL: ChannelDefinition<WecomRobotConfig, WecomRobotMessage> = {
  // 20 messages/minute per robot, then 45009 until the minute has passed.
  config: { configClass: WecomRobotConfig, sendResolvedDefault: true, rateLimitDefault: { max: 20, per: '1m', penalty: '1m' } },
  queue: CHAT_QUEUE_SETTINGS,
  // The platform limits the robot, whichever receivers and targets share its URL.
  rateScope: (target) => secretAddressScope('wecom-robot', target.config.url),
  build: (notification, target, { templates, note }) => buildWecomRobotMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildWecomRobotDigest(notifications, target.config, templates, note),
  withDefaultTemplates: (config) => ({ ...config, message: new WecomRobotConfig().message }),
  createSender({ requestTimeoutMs, connections }) {
    const client = new WecomRobotClient(requestTimeoutMs, connections);
    return {
      post: async (message, target) => {
        await client.send(message, target.config.url, target.rateLimit.penaltyMs);
      },
      close: () => client.close(),
    };
  },
};

/** Posts one group-robot message; resolves when WeCom accepted it (errcode 0), throws DeliveryFailure otherwise. */
export class WecomRobotClient {
  private readonly http: PlatformHttp;

  constructor(timeoutMs: number, connections?: number) {
    this.http = new PlatformHttp('WeCom', { timeoutMs, connections });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** `url` holds the robot key: no error raised here mentions it. */
  async send(message: WecomRobotMessage, url: string, penaltyMs: number): Promise<void> {
    const answer = await this.http.postJson(url, message);
    const failure = statusFailure('WeCom', answer, penaltyMs);
    if (failure) throw failure;
    const { errcode, errmsg } = jsonAnswer<{ errcode?: number; errmsg?: string }>('WeCom', answer);
    if (errcode !== 0) throw classifyWecomRobotError(Number(errcode ?? -1), String(errmsg ?? ''), penaltyMs);
  }
}

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
