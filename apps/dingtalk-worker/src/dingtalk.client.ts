import { createHmac } from 'node:crypto';
import { classifyDingtalkError, classifyDingtalkHttp } from './dingtalk.errors';
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
  constructor(private readonly timeoutMs: number) {}

  async send(message: DingtalkMessage, options: DingtalkSendOptions): Promise<void> {
    const response = await fetch(signedRobotUrl(options.url, options.secret), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw classifyDingtalkHttp(response.status, response.headers.get('retry-after'), options.penaltyMs);
    let answer: { errcode?: number; errmsg?: string };
    try {
      answer = JSON.parse(text);
    } catch {
      throw classifyDingtalkHttp(502, null, options.penaltyMs);
    }
    if (answer.errcode !== 0) throw classifyDingtalkError(Number(answer.errcode ?? -1), String(answer.errmsg ?? ''), options.penaltyMs);
  }
}
