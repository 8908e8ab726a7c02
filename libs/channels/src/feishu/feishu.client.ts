import { createHmac } from 'node:crypto';
import { DeliveryFailure, PlatformAnswer, PlatformHttp, statusFailure } from '@relay/delivery';
import { classifyFeishuError } from './feishu.errors';
import type { FeishuMessage } from './feishu.message';

/**
 * The message with Feishu's signature: `timestamp` in seconds and
 * sign = base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, message = "")). Feishu refuses a
 * timestamp more than an hour off its clock, so each attempt signs afresh.
 */
export function signedFeishuBody<M extends object>(message: M, secret: string, nowMs: number): M & { timestamp: string; sign: string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return { ...message, timestamp, sign };
}

export interface FeishuSendOptions {
  url: string;
  secret?: string;
  /** How long the bot is left alone after Feishu throttles it. */
  penaltyMs: number;
}

/** Below this, a difference between Feishu's `Date` and ours is transit and rounding, not a wrong clock. */
const CLOCK_TOLERANCE_MS = 60_000;

/** Posts one bot message; resolves when Feishu accepted it (code 0), throws DeliveryFailure otherwise. */
export class FeishuClient {
  private readonly http: PlatformHttp;
  /**
   * Feishu's clock minus ours, read from its answers' `Date`, when they differ by more than the
   * tolerance: a signature is only accepted within an hour of Feishu's time, so a host whose clock
   * is off signs at Feishu's instead of losing every alert until someone fixes the clock.
   */
  private clockOffsetMs = 0;

  constructor(timeoutMs: number, connections?: number) {
    this.http = new PlatformHttp('Feishu', { timeoutMs, connections });
  }

  /** `url` holds the bot's token: no error raised here mentions it. */
  async send(message: FeishuMessage, options: FeishuSendOptions): Promise<void> {
    const signedWith = this.clockOffsetMs;
    let answer = await this.post(message, options);
    let verdict = verdictOf(answer);
    // 19021 is both "wrong secret" and "timestamp an hour off": when this answer showed Feishu's
    // clock elsewhere than where we signed, one more try signed at its time tells the two apart.
    if (verdict?.code === 19021 && options.secret && Math.abs(this.clockOffsetMs - signedWith) > CLOCK_TOLERANCE_MS) {
      answer = await this.post(message, options);
      verdict = verdictOf(answer);
    }
    if (!verdict) throw statusFailure('Feishu', answer, options.penaltyMs) ?? DeliveryFailure.transient('unreadable_answer', `Feishu answered HTTP ${answer.status} without a code`);
    if (verdict.code !== 0) throw classifyFeishuError(verdict.code, verdict.msg, options.penaltyMs);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async post(message: FeishuMessage, { url, secret }: FeishuSendOptions): Promise<PlatformAnswer> {
    const answer = await this.http.postJson(url, secret ? signedFeishuBody(message, secret, Date.now() + this.clockOffsetMs) : message);
    const feishuNow = Date.parse(answer.header('date') ?? '');
    if (!Number.isNaN(feishuNow)) {
      const offset = feishuNow - Date.now();
      this.clockOffsetMs = Math.abs(offset) > CLOCK_TOLERANCE_MS ? offset : 0;
    }
    return answer;
  }
}

/**
 * Feishu's `{code, msg}` (or the older `{StatusCode, StatusMessage}`), which it sends at HTTP 400 as
 * well as 200. Undefined for a 429 or 5xx (the one status policy applies) or a body without a code.
 */
function verdictOf(answer: PlatformAnswer): { code: number; msg: string } | undefined {
  if (answer.status === 429 || answer.status >= 500) return undefined;
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return undefined;
  }
  const code = body?.code ?? body?.StatusCode;
  return typeof code === 'number' ? { code, msg: String(body.msg ?? body.StatusMessage ?? '') } : undefined;
}
