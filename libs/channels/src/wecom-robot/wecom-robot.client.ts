import { jsonAnswer, PlatformHttp, statusFailure } from '@relay/delivery';
import { classifyWecomRobotError } from './wecom-robot.errors';
import type { WecomRobotMessage } from './wecom-robot.message';

/** Posts one group-robot message; resolves when WeCom accepted it (errcode 0), throws DeliveryFailure otherwise. */
export class WecomRobotClient {
  private readonly http: PlatformHttp;

  constructor(timeoutMs: number, connections?: number) {
    this.http = new PlatformHttp('WeCom', { timeoutMs, connections });
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
