import { DeliveryFailure } from '@relay/delivery';
import { classifyWecomHttp } from './wechat.errors';
import { classifyWecomRobotError } from './wecom-robot.errors';
import type { WecomRobotMessage } from './wecom-robot.message';

/** Posts one group-robot message; resolves when WeCom accepted it (errcode 0), throws DeliveryFailure otherwise. */
export class WecomRobotClient {
  constructor(private readonly timeoutMs: number) {}

  /** `url` holds the robot key: no error raised here mentions it. */
  async send(message: WecomRobotMessage, url: string, penaltyMs: number): Promise<void> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw DeliveryFailure.from(error);
    }
    if (!response.ok) throw classifyWecomHttp(response.status);
    let answer: { errcode?: number; errmsg?: string };
    try {
      answer = JSON.parse(text);
    } catch {
      throw DeliveryFailure.transient('invalid_answer', 'WeCom answered with something that is not JSON');
    }
    if (answer.errcode !== 0) throw classifyWecomRobotError(Number(answer.errcode ?? -1), String(answer.errmsg ?? ''), penaltyMs);
  }
}
