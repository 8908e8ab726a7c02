/*
 * Feishu / Lark custom bot ("自定义机器人") webhook: what this fake reproduces, and how sure we are.
 * Researched against the official guide and real answers quoted in public code and issues.
 *
 * CONFIRMED (official guide, 自定义机器人使用指南,
 *   https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN.md ; English:
 *   https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot.md):
 *   - POST https://open.feishu.cn/open-apis/bot/v2/hook/<token> (Lark: open.larksuite.com, same path).
 *   - Limits: 100 a minute and 5 a second, per tenant per bot; around busy times (10:00, 17:30, the
 *     hour and half hour) 11232 can come back even below them.
 *   - The request body must not exceed 20 KB.
 *   - Three security settings, usable together: custom keywords, IP whitelist, signature.
 * CONFIRMED (the guide's signing sample, quoted in https://blog.csdn.net/zhanglili1993/article/details/136473704,
 *   https://m.down10s.com/jiaocheng/5605312225.html, https://juejin.cn/post/7391005009667293199):
 *   - body gets `timestamp` (Unix SECONDS; samples send it as a string, a number is also accepted in
 *     the wild) and `sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = ""))`.
 *     DingTalk's scheme (key = secret, message = timestamp\nsecret, ms, in the URL) does not verify.
 *   - the timestamp must be within 1 hour (3600 s) of Feishu's time; a wrong sign or an old/future
 *     timestamp both answer {"code":19021,"data":{},"msg":"sign match fail or timestamp is not within
 *     one hour from current time"} (real answer: https://github.com/feiyu563/PrometheusAlert/issues/422).
 *   - keywords: up to 10, the message must contain at least one (https://cnblogs.com/hailin2018/p/15176975.html).
 * CONFIRMED by real answers (third-party logs and tests, not the guide's text):
 *   - 19001 "param invalid: incoming webhook access token invalid", HTTP 200: unknown or deleted bot
 *     (https://github.com/sansan0/TrendRadar/issues/278); answered whatever the body.
 *   - 19002 "params error, msg_type need", HTTP 200: body without msg_type. So 19002 is a parameter
 *     error, NOT "bot not found" as the brief guessed.
 *   - 19024 "Key Words Not Found" and 19022 "Ip Not Allowed", HTTP 200.
 *   - 11232 at HTTP 200: {"code":11232,"data":{},"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]"}
 *     logged from a bot v2 hook at 00:00:01. HTTP 400 with {"code":9499,"msg":"too many request","data":{}}
 *     was also logged from a bot v2 hook (https://github.com/ccfos/nightingale/issues/1437), so 9499 is
 *     overloaded: "Bad Request" (malformed body) and throttling. Decision: beyond the limits this fake
 *     answers HTTP 200 + 11232; tests that want the other shapes script them (failNext(9499, {status: 400,
 *     msg: 'too many request'}), failNext(11232, {status: 429})).
 *   - Success: {"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}. The
 *     StatusCode/StatusMessage pair is the legacy shape (some answers carried only it, e.g.
 *     {"Extra":null,"StatusCode":0,"StatusMessage":"success"}); `answerStyle = 'legacy'` reproduces that.
 *   - Mentions: text `<at user_id="all">所有人</at>` (or `<at user_id="ou_…">name</at>`), post element
 *     {"tag":"at","user_id":"all","user_name"?}, card markdown/lark_md `<at id=all></at>` (also `<at id=ou_…>`).
 *     Custom bots can @ individuals only by open_id
 *     (https://open.larkoffice.com/document/uAjLw4CM/ukTMukTMukTM/reference/task-v1/markdown-module.md);
 *     cards support @all via the rich-text syntax
 *     (https://open.feishu.cn/document/common-capabilities/message-card/message-card.md).
 *   - interactive cards go in a top-level `card` object (not a JSON string in `content` as the IM v1 API
 *     wants) and are static: links only, no callbacks
 *     (https://open.feishu.cn/document/feishu-cards/quick-start/send-message-cards-with-custom-bot.md).
 * NOT CONFIRMED (choices made here; change them when a real answer says otherwise):
 *   - The code for an oversized body. The only report is {code: 19036, "The message exceeds the size
 *     limit of 30KB"} (https://github.com/XUJiahua/alertmanager-webhook-feishu/issues/3, 2021): a 30 KB
 *     limit enforced where the guide says 20 KB. This fake refuses above the documented 20 KB
 *     (20 × 1024 bytes) with 19036; whether "KB" means 1000 or 1024 is unknown, so relays should stay at
 *     or under 20,000 bytes.
 *   - HTTP 429 from the webhook: documented for the OpenAPI gateway, not seen from bot hooks.
 *   - The order of checks, the status of a malformed-JSON 9499 (400 here), and the code for an unknown
 *     msg_type or malformed content (19002 / 9499 "Bad Request: fail to parse content" here, as seen in
 *     third-party tests).
 *   - Whether throttled requests count towards the windows (they do not here), and which locale of a
 *     post a reader sees (zh_cn, then en_us, then the first; keywords are checked in all of them).
 *   - @all needing the group to allow it (larksuite/cli's card reference says sending fails otherwise; no code known).
 */
import { createHmac } from 'node:crypto';
import { FakeHttpServer, FakeResponse, RecordedRequest } from './fake-http-server';

export interface FakeFeishuBotOptions {
  token: string;
  /** Signature check: requests must carry a valid `timestamp` and `sign`. */
  secret?: string;
  /** Custom keywords: the visible text must contain one of them. */
  keywords?: string[];
  /** IP whitelist; the fake sees every caller as 127.0.0.1, so any list without it answers 19022. */
  ipWhitelist?: string[];
  /** Defaults are Feishu's: 5 a second, 100 a minute. */
  perSecond?: number;
  perMinute?: number;
  /** Default 20 KB (20 × 1024 bytes). */
  maxBodyBytes?: number;
  /** Answers only after this long (a slow platform; a send in flight). */
  delayMs?: number;
}

export type FeishuMsgType = 'text' | 'post' | 'interactive' | 'image' | 'share_chat';

export interface DeliveredFeishuMessage {
  token: string;
  msgType: FeishuMsgType;
  /** The message as posted, parsed (timestamp and sign included). */
  body: any;
  /** What a reader sees, flattened: mentions as "@name", card/post titles on the first line, markdown markers stripped. */
  text: string;
  /** Who is @-mentioned: "all" for everyone, else the open_id. */
  mentions: string[];
  /** The post title or the card header title. */
  title?: string;
  /** The card header colour (`header.template`). */
  template?: string;
  at: number;
}

/** What the fake answered one request (ms since epoch, the real clock). */
export interface FeishuAnswer {
  token: string;
  at: number;
  status: number;
  code: number;
  msg: string;
}

export const FEISHU_CODES = {
  ok: 0,
  badRequest: 9499,
  tooFrequent: 11232,
  invalidToken: 19001,
  paramsError: 19002,
  signMismatch: 19021,
  ipNotAllowed: 19022,
  keywordsNotFound: 19024,
  tooLarge: 19036,
} as const;

const MSG: Record<number, string> = {
  9499: 'Bad Request',
  11232: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]',
  19001: 'param invalid: incoming webhook access token invalid',
  19002: 'params error, msg_type need',
  19021: 'sign match fail or timestamp is not within one hour from current time',
  19022: 'Ip Not Allowed',
  19024: 'Key Words Not Found',
};

const HOOK_PATH = /^\/open-apis\/bot\/v2\/hook\/([^/]*)$/;
const ONE_HOUR_S = 3600;
const CALLER_IP = '127.0.0.1';

interface Bot {
  options: FakeFeishuBotOptions;
  second: SlidingLimit;
  minute: SlidingLimit;
}

interface Scripted {
  code: number;
  msg: string;
  status: number;
  token?: string;
}

export class FakeFeishu extends FakeHttpServer {
  readonly delivered: DeliveredFeishuMessage[] = [];
  /** Every answer to a hook request, in arrival order. */
  readonly answers: FeishuAnswer[] = [];
  /** Throttled answers given (11232), to check the relay stayed within the limits. */
  throttled = 0;
  /** 'legacy' answers {Extra, StatusCode, StatusMessage} only, as older Feishu deployments did. */
  answerStyle: 'current' | 'legacy' = 'current';
  private readonly bots = new Map<string, Bot>();
  private readonly scripted: Scripted[] = [];
  private clockOffsetMs = 0;

  static async start(): Promise<FakeFeishu> {
    return new FakeFeishu().listen();
  }

  /** The `sign` Feishu expects for `timestamp` (seconds) and `secret`. */
  static sign(timestamp: string | number, secret: string): string {
    return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  }

  /** `message` with a valid timestamp and sign added, as a correct client sends it. */
  static signed<T extends object>(message: T, secret: string, nowMs = Date.now()): T & { timestamp: string; sign: string } {
    const timestamp = String(Math.floor(nowMs / 1000));
    return { ...message, timestamp, sign: FakeFeishu.sign(timestamp, secret) };
  }

  /** Registers a bot and returns its webhook URL. */
  bot(options: FakeFeishuBotOptions): string {
    this.bots.set(options.token, {
      options,
      second: new SlidingLimit(options.perSecond ?? 5, 1_000),
      minute: new SlidingLimit(options.perMinute ?? 100, 60_000),
    });
    return this.hookUrl(options.token);
  }

  hookUrl(token: string): string {
    return `${this.baseUrl}/open-apis/bot/v2/hook/${token}`;
  }

  /** Deletes a bot from its group: its URL then answers 19001, as Feishu does. */
  removeBot(token: string): void {
    this.bots.delete(token);
  }

  /**
   * The next answers, in order, whatever the message (e.g. 11232, or 9499 at HTTP 400); with `token`,
   * only requests to that bot take them. Given only to requests that pass the token and signature checks.
   */
  failNext(code: number, options: { msg?: string; status?: number; times?: number; token?: string } = {}): void {
    const status = options.status ?? (code === 9499 ? 400 : 200);
    for (let i = 0; i < (options.times ?? 1); i++) this.scripted.push({ code, msg: options.msg ?? MSG[code] ?? `error ${code}`, status, token: options.token });
  }

  /** Sets Feishu's clock `offsetMs` ahead of ours (negative: behind); moves both the signature window and the rate windows. */
  skewClock(offsetMs: number): void {
    this.clockOffsetMs = offsetMs;
  }

  /** Moves Feishu's clock on by `ms`, so a test can step through rate windows without waiting. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  messagesTo(token: string): DeliveredFeishuMessage[] {
    return this.delivered.filter((m) => m.token === token);
  }

  requestsTo(token: string): RecordedRequest[] {
    return this.requests.filter((r) => HOOK_PATH.exec(new URL(r.url, 'http://fake').pathname)?.[1] === token);
  }

  answersTo(token: string): FeishuAnswer[] {
    return this.answers.filter((a) => a.token === token);
  }

  protected async handle(request: RecordedRequest): Promise<FakeResponse> {
    const match = HOOK_PATH.exec(new URL(request.url, 'http://fake').pathname);
    if (request.method !== 'POST' || !match) return { status: 404, body: '404 page not found' };
    const token = decodeURIComponent(match[1]);
    const delayMs = this.bots.get(token)?.options.delayMs;
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const outcome = this.answer(request, token);
    this.answers.push({ token, at: request.at, ...outcome });
    return this.respond(outcome);
  }

  private respond({ status, code, msg }: { status: number; code: number; msg: string }): FakeResponse {
    // A real server's Date is its own clock, so a skewed Feishu shows it as Feishu would.
    const headers = { date: new Date(Date.now() + this.clockOffsetMs).toUTCString() };
    if (this.answerStyle === 'legacy') return { status, headers, body: { Extra: null, StatusCode: code, StatusMessage: msg } };
    const body = code === 0 ? { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } : { code, data: {}, msg };
    return { status, headers, body };
  }

  private answer(request: RecordedRequest, token: string): { status: number; code: number; msg: string } {
    const fail = (code: number, msg = MSG[code], status = 200) => ({ status, code, msg });
    const bot = this.bots.get(token);
    if (!bot) return fail(19001);
    const { options } = bot;
    const now = request.at + this.clockOffsetMs;

    const limit = options.maxBodyBytes ?? 20 * 1024;
    if (Buffer.byteLength(request.body, 'utf8') > limit) return fail(19036, `The message exceeds the size limit of ${Math.round(limit / 1024)}KB`);

    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return fail(9499, 'Bad Request', 400);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(9499, 'Bad Request', 400);
    if (!body.msg_type) return fail(19002);

    if (options.secret && !validSignature(body, options.secret, now)) return fail(19021);
    if (options.ipWhitelist && !options.ipWhitelist.includes(CALLER_IP)) return fail(19022);

    const index = this.scripted.findIndex((s) => s.token === undefined || s.token === token);
    if (index >= 0) {
      const [scripted] = this.scripted.splice(index, 1);
      if (scripted.code === 11232) this.throttled++;
      return fail(scripted.code, scripted.msg, scripted.status);
    }

    const view = render(body);
    if (view === 'unknown-type') return fail(19002, 'param invalid: msg_type');
    if (view === 'bad-content') return fail(9499, 'Bad Request: fail to parse content');
    if (options.keywords?.length && !options.keywords.some((k) => view.searchable.includes(k))) return fail(19024);

    if (!(bot.second.fits(now) && bot.minute.fits(now))) {
      this.throttled++;
      return fail(11232);
    }
    bot.second.record(now);
    bot.minute.record(now);
    this.delivered.push({ token, msgType: body.msg_type, body, text: view.text, mentions: view.mentions, title: view.title, template: view.template, at: request.at });
    return { status: 200, code: 0, msg: 'success' };
  }
}

/** Arrivals in a sliding window; checked and recorded separately so two windows can be applied together. */
class SlidingLimit {
  private readonly times: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  fits(now: number): boolean {
    while (this.times.length && this.times[0] <= now - this.windowMs) this.times.shift();
    return this.times.length < this.max;
  }

  record(now: number): void {
    this.times.push(now);
  }
}

function validSignature(body: any, secret: string, nowMs: number): boolean {
  const { timestamp, sign } = body;
  if ((typeof timestamp !== 'string' && typeof timestamp !== 'number') || typeof sign !== 'string') return false;
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(nowMs / 1000 - seconds) > ONE_HOUR_S) return false;
  return sign === FakeFeishu.sign(timestamp, secret);
}

interface View {
  text: string;
  /** Every text a keyword may be found in (all post locales, not just the one shown). */
  searchable: string;
  mentions: string[];
  title?: string;
  template?: string;
}

function render(body: any): View | 'unknown-type' | 'bad-content' {
  const mentions: string[] = [];
  const mention = (id: string) => {
    if (!mentions.includes(id)) mentions.push(id);
  };
  const content = body.content;
  switch (body.msg_type) {
    case 'text': {
      if (typeof content?.text !== 'string' || content.text === '') return 'bad-content';
      const text = content.text.replace(/<at\s+user_id\s*=\s*["']?([^"'\s>]+)["']?\s*>(.*?)<\/at>/g, (_: string, id: string, name: string) => {
        mention(id);
        return id === 'all' ? '@所有人' : `@${name || id}`;
      });
      return { text, searchable: text, mentions };
    }
    case 'post': {
      const post = content?.post;
      const locales = post && typeof post === 'object' ? Object.keys(post).filter((l) => Array.isArray(post[l]?.content)) : [];
      if (!locales.length) return 'bad-content';
      const rendered = Object.fromEntries(locales.map((l) => [l, renderPost(post[l], mention)]));
      const shown = ['zh_cn', 'en_us', 'ja_jp'].find((l) => rendered[l]) ?? locales[0];
      return { text: rendered[shown], searchable: Object.values(rendered).join('\n'), mentions, title: post[shown].title || undefined };
    }
    case 'interactive': {
      let card = body.card;
      if (typeof card === 'string') {
        try {
          card = JSON.parse(card);
        } catch {
          return 'bad-content';
        }
      }
      if (typeof card !== 'object' || card === null) return 'bad-content';
      const title = typeof card.header?.title?.content === 'string' ? card.header.title.content : undefined;
      const lines: string[] = title ? [title] : [];
      walkCard(card.elements ?? card.body?.elements ?? card.i18n_elements ?? [], lines, mention);
      const text = lines.join('\n');
      return { text, searchable: text, mentions, title, template: card.header?.template };
    }
    case 'image':
      return typeof content?.image_key === 'string' ? { text: '[图片]', searchable: '', mentions } : 'bad-content';
    case 'share_chat':
      return typeof content?.share_chat_id === 'string' ? { text: '[群名片]', searchable: '', mentions } : 'bad-content';
    default:
      return 'unknown-type';
  }
}

function renderPost(locale: any, mention: (id: string) => void): string {
  const paragraphs = (locale.content as any[]).map((paragraph) =>
    (Array.isArray(paragraph) ? paragraph : [])
      .map((el: any) => {
        if (el?.tag === 'at') {
          const id = String(el.user_id ?? '');
          mention(id);
          return id === 'all' ? '@所有人' : `@${el.user_name || id}`;
        }
        // Images, media, emotions and rules carry no text; links show their text, not the href.
        return typeof el?.text === 'string' ? el.text : '';
      })
      .join(''),
  );
  return [locale.title, ...paragraphs].filter((line) => line).join('\n');
}

// A URL, an image's alt or a button's target is not something a reader sees.
const INVISIBLE_KEYS = new Set(['href', 'url', 'multi_url', 'alt', 'img_key', 'value', 'behaviors', 'config']);

function walkCard(node: any, lines: string[], mention: (id: string) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walkCard(child, lines, mention);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  if (node.tag === 'plain_text' && typeof node.content === 'string') {
    lines.push(node.content);
    return;
  }
  if ((node.tag === 'lark_md' || node.tag === 'markdown') && typeof node.content === 'string') {
    lines.push(renderMarkdown(node.content, mention));
    return;
  }
  for (const [key, value] of Object.entries(node)) if (!INVISIBLE_KEYS.has(key)) walkCard(value, lines, mention);
}

function renderMarkdown(md: string, mention: (id: string) => void): string {
  return md
    .replace(/<at\s+(?:id|email)\s*=\s*["']?([^"'\s>]+)["']?\s*>(.*?)<\/at>/g, (_, id: string, name: string) => {
      mention(id);
      return id === 'all' ? '@所有人' : `@${name || id}`;
    })
    .replace(/<font[^>]*>(.*?)<\/font>/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|~~/g, '');
}
