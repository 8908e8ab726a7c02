import { createHmac } from 'node:crypto';
import { ChannelDefinition, CHAT_QUEUE_SETTINGS, DeliveryFailure, errcodeFailure, ErrcodeTable, PlatformAnswer, PlatformHttp, secretAddressScope, statusFailure } from '@relay/delivery/platform';
import { FeishuConfig } from './feishu.config';
import { buildFeishuDigest, buildFeishuMessage, FeishuMessage } from './feishu.message';

export const FEISHU_CHANNEL: ChannelDefinition<FeishuConfig, FeishuMessage> = {
  // Feishu allows a bot 5 a second and 100 a minute. The rate gate holds one rolling window, and
  // 5 in any 3 s holds both: never 6 within a second, never more than 20 × 5 = 100 within a
  // minute, and it spends the full 100. (100 a minute alone would let all 100 go in one second;
  // 5 a second alone, 300 a minute.) One window also keeps the gate's digest pacing and fair
  // order intact, which a second gate in the sender would bypass. No penalty is documented:
  // 10 s outlasts the second window and Feishu's busy moments, and the window does the rest.
  config: { configClass: FeishuConfig, sendResolvedDefault: true, rateLimitDefault: { max: 5, per: '3s', penalty: '10s' } },
  queue: CHAT_QUEUE_SETTINGS,
  // The platform limits the bot, whichever receivers and targets share its URL.
  rateScope: (target) => secretAddressScope('feishu-bot', target.config.url),
  build: (notification, target, { templates, note }) => buildFeishuMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildFeishuDigest(notifications, target.config, templates, note),
  withDefaultTemplates(config) {
    const defaults = new FeishuConfig();
    return { ...config, title: defaults.title, text: undefined };
  },
  createSender({ requestTimeoutMs, connections }) {
    const client = new FeishuClient(requestTimeoutMs, connections);
    return {
      post: async (message, target) => {
        await client.send(message, { url: target.config.url, secret: target.config.secret, penaltyMs: target.rateLimit.penaltyMs });
      },
      close: () => client.close(),
    };
  },
};

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
