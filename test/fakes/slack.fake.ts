import { FakeHttpServer, FakeResponse, RecordedRequest } from './fake-http-server';

/** The plain-text errors an incoming webhook answers, with their statuses (docs/channel-apis.md). */
export const SLACK_WEBHOOK_ERRORS = {
  invalid_payload: 400,
  no_text: 400,
  action_prohibited: 403,
  invalid_token: 403,
  channel_not_found: 404,
  no_service: 404,
  channel_is_archived: 410,
  rollup_error: 500,
} as const;
export type SlackWebhookError = keyof typeof SLACK_WEBHOOK_ERRORS;

export interface FakeSlackLimit {
  /**
   * Slack's rate as a token bucket: bursts of up to `max` messages, then `max` per `windowMs` on
   * average (the default, 3 and 3 s, is Slack's "about one a second, short bursts allowed").
   */
  max?: number;
  windowMs?: number;
  /**
   * The Retry-After (seconds) every 429 announces. Absent, as Slack does: the time until the bucket
   * takes the next message (at least 1 s), so a client that waits it out is not refused again.
   */
  retryAfterSeconds?: number;
}

export interface FakeWebhookOptions extends FakeSlackLimit {
  /** Answer every post with this error instead of posting (an archived channel, a revoked webhook …). */
  error?: SlackWebhookError;
}

export type FakeChannelState = 'ok' | 'is_archived' | 'not_in_channel';

export interface FakeAppOptions extends FakeSlackLimit {
  /** Channels the app can see, by the name or id a message names; any other is channel_not_found. */
  channels: Record<string, FakeChannelState>;
}

export interface PostedSlackMessage {
  /** `webhook:<id>` or `app:<token>:<channel>`: the thing Slack rate-limits. */
  target: string;
  body: any;
  at: number;
}

/** A request that arrived while a Retry-After the fake had announced for its target was still running. */
export interface EarlyRequest {
  target: string;
  at: number;
  /** When the announced Retry-After window ended. */
  quietUntil: number;
}

interface Limited {
  bucket: TokenBucket;
  retryAfterSeconds?: number;
  quietUntil: number;
}

/**
 * Slack's limit as it behaves: a full bucket takes a burst, then a message each time a token
 * comes back. A rolling window of `max` per `windowMs` would refuse for a whole window after a
 * burst, so a Retry-After of a second would be followed by another 429: not what Slack does.
 */
export class TokenBucket {
  private tokens: number;
  private at = 0;

  constructor(
    readonly capacity: number,
    /** ms for one token to come back. */
    readonly refillMs: number,
  ) {
    this.tokens = capacity;
  }

  /** Takes a token for an arrival at `now`; false when there is none. */
  admit(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** ms from `now` until a message would be admitted. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.refillMs);
  }

  private refill(now: number): void {
    if (now > this.at) this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) / this.refillMs);
    this.at = Math.max(this.at, now);
  }
}

/**
 * Behaves like Slack (docs/channel-apis.md) in both modes. Incoming webhooks (`/services/…`)
 * answer `200 ok` in plain text, or the error name in plain text with its status. chat.postMessage
 * (`/api/chat.postMessage`, `Authorization: Bearer`) answers `200 {ok, error}` in JSON. Both answer
 * 429 with Retry-After beyond their rate, and every request that arrives before an announced
 * Retry-After has passed is recorded in `early` (and refused again, as Slack would).
 */
export class FakeSlack extends FakeHttpServer {
  readonly posted: PostedSlackMessage[] = [];
  readonly early: EarlyRequest[] = [];
  /** 429s given, so a test can show the Retry-After path was exercised. */
  throttled = 0;
  private readonly webhooks = new Map<string, { options: FakeWebhookOptions; limit: Limited }>();
  private readonly apps = new Map<string, FakeAppOptions>();
  private readonly channelLimits = new Map<string, Limited>();
  private readonly scripted: FakeResponse[] = [];

  static async start(): Promise<FakeSlack> {
    return new FakeSlack().listen();
  }

  /** Registers an incoming webhook and returns its URL. */
  webhook(id: string, options: FakeWebhookOptions = {}): string {
    this.webhooks.set(id, { options, limit: limited(options) });
    return `${this.baseUrl}/services/T000/B000/${id}`;
  }

  /** Registers an app's bot token; returns the chat.postMessage URL to use as `app_url`. */
  app(token: string, options: FakeAppOptions): string {
    this.apps.set(token, options);
    return `${this.baseUrl}/api/chat.postMessage`;
  }

  /** The next answers, in order, whatever the request (e.g. a 500, or a 429 with its Retry-After). */
  failNext(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.scripted.push({ status, body, headers });
  }

  messagesTo(target: string): any[] {
    return this.posted.filter((m) => m.target === target).map((m) => m.body);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url === path);
  }

  protected handle(request: RecordedRequest): FakeResponse {
    if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
    if (request.url.startsWith('/services/')) return this.handleWebhook(request);
    if (request.url === '/api/chat.postMessage') return this.handleApi(request);
    return { status: 404, body: 'not found' };
  }

  private handleWebhook(request: RecordedRequest): FakeResponse {
    const id = request.url.split('/').pop() ?? '';
    const hook = this.webhooks.get(id);
    const text = (status: number, body: string, headers: Record<string, string> = {}): FakeResponse => ({ status, body, headers });
    if (!hook) return text(404, 'no_service');
    const target = `webhook:${id}`;

    const quiet = this.stillQuiet(target, hook.limit, request.at);
    if (quiet) return text(429, 'too_many_requests', quiet);
    const scripted = this.scripted.shift();
    if (scripted) return this.scriptedAnswer(hook.limit, request.at, scripted);

    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return text(400, 'invalid_payload');
    }
    if (typeof body !== 'object' || body === null) return text(400, 'invalid_payload');
    if (!body.text && !(Array.isArray(body.attachments) && body.attachments.length) && !(Array.isArray(body.blocks) && body.blocks.length)) {
      return text(400, 'no_text');
    }
    if (hook.options.error) return text(SLACK_WEBHOOK_ERRORS[hook.options.error], hook.options.error);
    if (!hook.limit.bucket.admit(request.at)) return text(429, 'too_many_requests', this.throttle(hook.limit, request.at));
    this.posted.push({ target, body, at: request.at });
    return text(200, 'ok');
  }

  private handleApi(request: RecordedRequest): FakeResponse {
    const json = (body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): FakeResponse => ({ status, body, headers });
    const auth = request.headers.authorization ?? '';
    if (!auth) return json({ ok: false, error: 'not_authed' });
    const token = auth.replace(/^Bearer\s+/i, '');
    const app = this.apps.get(token);
    if (!app || !/^Bearer\s/i.test(auth)) return json({ ok: false, error: 'invalid_auth' });

    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return json({ ok: false, error: 'invalid_json' });
    }
    const channel = String(body?.channel ?? '');
    const state = app.channels[channel];
    if (!channel || !state) return json({ ok: false, error: 'channel_not_found' });
    const target = `app:${token}:${channel}`;
    let limit = this.channelLimits.get(target);
    if (!limit) this.channelLimits.set(target, (limit = limited(app)));

    const quiet = this.stillQuiet(target, limit, request.at);
    if (quiet) return json({ ok: false, error: 'ratelimited' }, 429, quiet);
    const scripted = this.scripted.shift();
    if (scripted) return this.scriptedAnswer(limit, request.at, scripted);

    if (state !== 'ok') return json({ ok: false, error: state });
    if (!body.text && !(Array.isArray(body.attachments) && body.attachments.length) && !(Array.isArray(body.blocks) && body.blocks.length)) {
      return json({ ok: false, error: 'no_text' });
    }
    if (!limit.bucket.admit(request.at)) return json({ ok: false, error: 'ratelimited' }, 429, this.throttle(limit, request.at));
    this.posted.push({ target, body, at: request.at });
    return json({ ok: true, channel: `C${channel.replace(/\W/g, '').toUpperCase()}`, ts: `${(request.at / 1000).toFixed(6)}` });
  }

  /** Records a request inside an announced Retry-After; returns the 429 headers to answer it with. */
  private stillQuiet(target: string, limit: Limited, at: number): Record<string, string> | undefined {
    if (at >= limit.quietUntil) return undefined;
    this.early.push({ target, at, quietUntil: limit.quietUntil });
    this.throttled++;
    return { 'Retry-After': String(Math.max(1, Math.ceil((limit.quietUntil - at) / 1000))) };
  }

  private throttle(limit: Limited, at: number, seconds = limit.retryAfterSeconds ?? Math.max(1, Math.ceil(limit.bucket.waitMs(at) / 1000))): Record<string, string> {
    limit.quietUntil = at + seconds * 1000;
    this.throttled++;
    return { 'Retry-After': String(seconds) };
  }

  /** A scripted 429 opens a Retry-After window like a real one. */
  private scriptedAnswer(limit: Limited, at: number, answer: FakeResponse): FakeResponse {
    const seconds = Number(answer.headers?.['Retry-After']);
    if (answer.status === 429 && Number.isFinite(seconds)) this.throttle(limit, at, seconds);
    return answer;
  }
}

function limited(options: FakeSlackLimit): Limited {
  const max = options.max ?? 3;
  return {
    bucket: new TokenBucket(max, (options.windowMs ?? 3_000) / max),
    retryAfterSeconds: options.retryAfterSeconds,
    quietUntil: 0,
  };
}
