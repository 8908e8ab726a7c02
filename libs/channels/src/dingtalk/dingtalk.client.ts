import { createHmac } from 'node:crypto';
import { jsonAnswer, PlatformHttp, statusFailure } from '@relay/delivery';
import { classifyDingtalkError } from './dingtalk.errors';
import type { DingtalkMessage } from './dingtalk.message';

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

  async send(message: DingtalkMessage, options: DingtalkSendOptions): Promise<void> {
    const answer = await this.http.postJson(signedRobotUrl(options.url, options.secret), message);
    const failure = statusFailure('DingTalk', answer, options.penaltyMs);
    if (failure) throw failure;
    const { errcode, errmsg } = jsonAnswer<{ errcode?: number; errmsg?: string }>('DingTalk', answer);
    if (errcode !== 0) throw classifyDingtalkError(Number(errcode ?? -1), String(errmsg ?? ''), options.penaltyMs);
  }
}
