import type { Agent } from 'undici';
import { DeliveryFailure, retryAfterToTime } from './delivery-failure';
import { CHAT_QUEUE_SETTINGS } from './queue-settings';
import type { TlsOptions } from './tls-options';

/** What a platform answered: its status, body text and headers (lower-case names). */
export interface PlatformAnswer {
  status: number;
  text: string;
  header(name: string): string | undefined;
}

export interface PlatformHttpOptions {
  /** Every call is abandoned after this long without an answer (a transient `timeout`). */
  timeoutMs: number;
  /** Keep-alive connections per platform origin. */
  connections?: number;
  /** A receiver's own `tls_config` (its CA, a client certificate…); the system's trust store otherwise. */
  tls?: TlsOptions;
}

/**
 * The one way the relay talks HTTP to a chat platform: one keep-alive connection pool per origin
 * (undici's Agent, not a fetch and an AbortSignal per message), timeouts for the connection, the
 * headers and the body, and every transport failure turned into a DeliveryFailure that names no
 * URL (robot URLs and query strings carry secrets).
 */
export class PlatformHttp {
  private readonly agent: Agent;
  private readonly request: (typeof import('undici'))['request'];

  constructor(
    /** How answers and failures name the platform: `DingTalk`, `WeCom`, `Slack`. */
    readonly platform: string,
    private readonly options: PlatformHttpOptions,
  ) {
    // undici is loaded with the first client, not with the channel definitions that name this
    // class: check-config reads every definition and sends nothing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const undici: typeof import('undici') = require('undici');
    this.request = undici.request;
    this.agent = new undici.Agent({
      connections: options.connections ?? CHAT_QUEUE_SETTINGS.connections,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs, ...options.tls },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** POSTs `body` as JSON (UTF-8). A header given several values is sent once per value. */
  postJson(url: string | URL, body: unknown, headers: Record<string, string | string[]> = {}, timeoutMs?: number): Promise<PlatformAnswer> {
    return this.call(url, 'POST', JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers }, timeoutMs);
  }

  get(url: string | URL): Promise<PlatformAnswer> {
    return this.call(url, 'GET', undefined, {});
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call(url: string | URL, method: 'GET' | 'POST', body: string | undefined, headers: Record<string, string | string[]>, timeoutMs?: number): Promise<PlatformAnswer> {
    try {
      const response = await this.request(url, {
        method,
        body,
        headers,
        dispatcher: this.agent,
        ...(timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
      });
      const text = await response.body.text();
      const responseHeaders = response.headers;
      return {
        status: response.statusCode,
        text,
        header: (name) => {
          const value = responseHeaders[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        },
      };
    } catch (error) {
      throw DeliveryFailure.from(error);
    }
  }
}

/**
 * The one reading of a non-2xx status, for every platform: 429 waits out Retry-After (or the
 * target's penalty) without spending an attempt; 5xx is the platform's front end failing, retried
 * and not counted in the rate window; 408 is retried; every other 4xx will not pass on a retry.
 * Undefined for a 2xx. `reason` and `detail` let a platform name what its error body says.
 */
export function statusFailure(
  platform: string,
  answer: PlatformAnswer,
  /** How long a 429 without Retry-After pauses the target; undefined: the target's own penalty. */
  penaltyMs: number | undefined,
  { reason = `http_${answer.status}`, detail = '' }: { reason?: string; detail?: string } = {},
  now = Date.now(),
): DeliveryFailure | undefined {
  const { status } = answer;
  if (status >= 200 && status < 300) return undefined;
  const message = `${platform} answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 429) {
    const retryAfter = answer.header('retry-after');
    return DeliveryFailure.rateLimited(reason, `${message}${retryAfter ? ` (Retry-After ${retryAfter})` : ''}`, retryAfterToTime(retryAfter, now) ?? (penaltyMs === undefined ? undefined : now + penaltyMs));
  }
  if (status >= 500) return DeliveryFailure.unanswered(reason, message);
  if (status === 408) return DeliveryFailure.transient(reason, message);
  return DeliveryFailure.permanent(reason, message);
}

/** The answer's JSON body; one that does not parse is `unreadable_answer`, retried (a proxy's page, a truncated body). */
export function jsonAnswer<T = Record<string, unknown>>(platform: string, answer: PlatformAnswer): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    throw DeliveryFailure.transient('unreadable_answer', `${platform} answered HTTP ${answer.status} with something that is not JSON`);
  }
}

/**
 * A platform's error codes (DingTalk's and WeCom's `errcode`): the ones that throttle the robot or
 * app, and the ones no retry can fix, each with what it means. Any other code is retried: retrying
 * is safer than dropping an alert.
 */
export interface ErrcodeTable {
  throttled: ReadonlySet<number>;
  permanent: ReadonlyMap<number, string>;
}

/** The failure an errcode answer stands for; `api` names the call (`DingTalk`, `WeCom message/send`). */
export function errcodeFailure(api: string, table: ErrcodeTable, errcode: number, errmsg: string, penaltyMs: number, now = Date.now()): DeliveryFailure {
  const reason = `errcode_${errcode}`;
  const message = `${api} errcode ${errcode}: ${errmsg}`;
  if (table.throttled.has(errcode)) return DeliveryFailure.rateLimited(reason, message, now + penaltyMs);
  const why = table.permanent.get(errcode);
  return why ? DeliveryFailure.permanent(reason, `${message} (${why})`) : DeliveryFailure.transient(reason, message);
}
