import { createHmac } from 'node:crypto';
import { ChannelDefinition, CHAT_QUEUE_SETTINGS, DeliveryFailure, errcodeFailure, ErrcodeTable, jsonAnswer, PlatformHttp, secretAddressScope, statusFailure } from '@relay/delivery/platform';
import { DingtalkConfig } from './dingtalk.config';
import { buildDingtalkDigest, buildDingtalkMessage, DingtalkMessage } from './dingtalk.message';

export const DINGTALK_CHANNEL: ChannelDefinition<DingtalkConfig, DingtalkMessage> = {
  // 20 messages/minute per robot; beyond that DingTalk throttles the robot for 10 minutes.
  config: { configClass: DingtalkConfig, sendResolvedDefault: true, rateLimitDefault: { max: 20, per: '1m', penalty: '10m' } },
  queue: CHAT_QUEUE_SETTINGS,
  // The platform limits the robot, whichever receivers and targets share its URL.
  rateScope: (target) => secretAddressScope('dingtalk-robot', target.config.url),
  build: (notification, target, { templates, note }) => buildDingtalkMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildDingtalkDigest(notifications, target.config, templates, note),
  withDefaultTemplates(config) {
    const defaults = new DingtalkConfig();
    return { ...config, title: defaults.title, text: defaults.text, message_url: defaults.message_url, pic_url: defaults.pic_url };
  },
  createSender({ requestTimeoutMs, connections }) {
    const client = new DingtalkClient(requestTimeoutMs, connections);
    return {
      post: async (message, target) => {
        await client.send(message, { url: target.config.url, secret: target.config.secret, penaltyMs: target.rateLimit.penaltyMs });
      },
      close: () => client.close(),
    };
  },
};

/**
 * The robot URL with DingTalk's signature: sign = base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)),
 * URL-encoded. DingTalk refuses a timestamp more than an hour off, so each attempt signs afresh.
 */
export function signedRobotUrl(url: string, secret: string | undefined, now = Date.now()): string {
  if (!secret) return url;
  const timestamp = String(now);
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', timestamp);
  u.searchParams.set('sign', sign);
  return u.toString();
}

export interface DingtalkSendOptions {
  url: string;
  secret?: string;
  /** How long the robot is left alone after DingTalk throttles it. */
  penaltyMs: number;
}

/** Posts one robot message; resolves when DingTalk accepted it (errcode 0), throws DeliveryFailure otherwise. */
export class DingtalkClient {
  private readonly http: PlatformHttp;

  constructor(timeoutMs: number, connections?: number) {
    this.http = new PlatformHttp('DingTalk', { timeoutMs, connections });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  async send(message: DingtalkMessage, options: DingtalkSendOptions): Promise<void> {
    const answer = await this.http.postJson(signedRobotUrl(options.url, options.secret), message);
    const failure = statusFailure('DingTalk', answer, options.penaltyMs);
    if (failure) throw failure;
    const { errcode, errmsg } = jsonAnswer<{ errcode?: number; errmsg?: string }>('DingTalk', answer);
    if (errcode !== 0) throw classifyDingtalkError(Number(errcode ?? -1), String(errmsg ?? ''), options.penaltyMs);
  }
}

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
