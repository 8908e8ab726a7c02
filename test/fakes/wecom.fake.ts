import { randomBytes } from 'node:crypto';
import { FakeHttpServer, FakeResponse, RecordedRequest, RollingWindow } from './fake-http-server';

export interface FakeWecomAppOptions {
  corpId: string;
  secret: string;
  agentId: number;
  /** Members of the corp; `@all` reaches them all, other user ids come back in `invaliduser`. */
  users?: string[];
  parties?: string[];
  tags?: string[];
}

export interface DeliveredWecomAppMessage {
  corpId: string;
  body: any;
  /** Members it reached (after the per-member limit dropped the rest without a word). */
  reached: string[];
  at: number;
}

export interface DeliveredWecomRobotMessage {
  key: string;
  body: any;
  at: number;
}

interface IssuedToken {
  corpId: string;
  value: string;
  expiresAt: number;
  /** Set when expired on demand: the errcode sends with it get (42001, or 40014 as seen in the wild). */
  rejectWith?: 42001 | 40014;
}

type Scripted = { errcode: number; errmsg: string };

const ERRMSG: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential, hint: [1732245601_12_abc], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=40001',
  40013: 'invalid corpid, hint: [1732245601_13_abc], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=40013',
  40014: 'invalid access_token, hint: [1732245601_14_abc], more info at https://open.work.weixin.qq.com/devtool/query?e=40014',
  42001: 'access_token expired, hint: [1732245601_15_abc], more info at https://open.work.weixin.qq.com/devtool/query?e=42001',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  60020: 'not allow to access from your ip, hint: [1732245601_16_abc], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=60020',
};

const MEMBER_PER_MINUTE = 30;
const APP_CONTENT_MAX_BYTES = 2048;
const ROBOT_CONTENT_MAX_BYTES: Record<string, number> = { text: 2048, markdown: 4096, markdown_v2: 4096 };

/**
 * Behaves like WeCom (docs/channel-apis.md). App messages: `GET /cgi-bin/gettoken` counts its
 * calls and gives the same token until it expires (by its lifetime, or on demand, after which
 * sends with it answer 42001 or 40014); `POST /cgi-bin/message/send` checks the token and every
 * field, answers partly invalid recipients with errcode 0 plus `invaliduser`/`invalidparty`/
 * `invalidtag`, all invalid with 81013, and silently drops what a member receives beyond 30 a
 * minute. Switches script 45009/45033/-1 and the 60020 untrusted IP. Group robots:
 * `POST /cgi-bin/webhook/send?key=` with 93000 for unknown keys, 20 a minute then 45009,
 * 40058 for content over 2048 (text) or 4096 (markdown, markdown_v2) bytes. Everything is HTTP 200.
 */
export class FakeWecom extends FakeHttpServer {
  readonly delivered: DeliveredWecomAppMessage[] = [];
  readonly robotDelivered: DeliveredWecomRobotMessage[] = [];
  /** Messages a member would not see: WeCom drops beyond 30/minute per member and says nothing. */
  silentlyDropped = 0;
  robotThrottled = 0;
  /** The lifetime of new tokens, and the `expires_in` gettoken reports (remaining seconds). */
  tokenLifetimeMs = 7200_000;
  /** 60020 on every gettoken while set, as for a server outside the app's trusted IPs. */
  untrustedIp = false;

  private readonly apps = new Map<string, FakeWecomAppOptions>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly currentToken = new Map<string, IssuedToken>();
  private readonly memberWindows = new Map<string, RollingWindow>();
  private readonly robots = new Map<string, RollingWindow>();
  private readonly scripted = { gettoken: [] as Scripted[], send: [] as Scripted[], robot: [] as Scripted[] };

  static async start(): Promise<FakeWecom> {
    return new FakeWecom().listen();
  }

  /** The `api_url` to configure (Alertmanager's form, ending in a slash). */
  get apiUrl(): string {
    return `${this.baseUrl}/cgi-bin/`;
  }

  app(options: FakeWecomAppOptions): void {
    this.apps.set(options.corpId, options);
  }

  /** Registers a group robot and returns its webhook URL. */
  robot(key: string): string {
    this.robots.set(key, new RollingWindow(20, 60_000));
    return `${this.baseUrl}/cgi-bin/webhook/send?key=${key}`;
  }

  /** Ends every current token now; sends with one get `answer` (WeCom gives 42001, and 40014 has been seen). */
  expireTokens(answer: 42001 | 40014 = 42001): void {
    for (const token of this.currentToken.values()) {
      token.expiresAt = Date.now();
      token.rejectWith = answer;
    }
    this.currentToken.clear();
  }

  /** The next answers of one endpoint, in order, whatever the request (45009, 45033, -1, 60020 …). */
  failNext(endpoint: 'gettoken' | 'send' | 'robot', errcode: number, times = 1): void {
    for (let i = 0; i < times; i++) this.scripted[endpoint].push({ errcode, errmsg: ERRMSG[errcode] ?? `errcode ${errcode}` });
  }

  get gettokenCalls(): number {
    return this.requests.filter((r) => r.url.startsWith('/cgi-bin/gettoken')).length;
  }

  get sendCalls(): number {
    return this.requests.filter((r) => r.url.startsWith('/cgi-bin/message/send')).length;
  }

  robotMessages(key: string): any[] {
    return this.robotDelivered.filter((m) => m.key === key).map((m) => m.body);
  }

  protected handle(request: RecordedRequest): FakeResponse {
    const url = new URL(request.url, 'http://fake');
    if (request.method === 'GET' && url.pathname === '/cgi-bin/gettoken') return this.gettoken(url, request.at);
    if (request.method === 'POST' && url.pathname === '/cgi-bin/message/send') return this.send(url, request);
    if (request.method === 'POST' && url.pathname === '/cgi-bin/webhook/send') return this.robotSend(url, request);
    return { status: 404, body: 'not found' };
  }

  private gettoken(url: URL, now: number): FakeResponse {
    const scripted = this.scripted.gettoken.shift();
    if (scripted) return answer(scripted.errcode, scripted.errmsg);
    if (this.untrustedIp) return answer(60020);
    const corpId = url.searchParams.get('corpid') ?? '';
    const app = this.apps.get(corpId);
    if (!corpId) return answer(41002, 'corpid missing');
    if (!app) return answer(40013);
    if (!url.searchParams.get('corpsecret')) return answer(41004, 'corpsecret missing');
    if (url.searchParams.get('corpsecret') !== app.secret) return answer(40001);
    let token = this.currentToken.get(corpId);
    if (!token || token.expiresAt <= now) {
      token = { corpId, value: randomBytes(48).toString('base64url'), expiresAt: now + this.tokenLifetimeMs };
      this.tokens.set(token.value, token);
      this.currentToken.set(corpId, token);
    }
    return { body: { errcode: 0, errmsg: 'ok', access_token: token.value, expires_in: Math.ceil((token.expiresAt - now) / 1000) } };
  }

  private send(url: URL, request: RecordedRequest): FakeResponse {
    const token = this.tokens.get(url.searchParams.get('access_token') ?? '');
    if (!token) return answer(40014);
    if (token.expiresAt <= request.at) return answer(token.rejectWith ?? 42001);
    const scripted = this.scripted.send.shift();
    if (scripted) return answer(scripted.errcode, scripted.errmsg);
    const app = this.apps.get(token.corpId)!;

    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return answer(47001, 'data format error');
    }
    const invalidField = invalidSendField(body, app);
    if (invalidField) return answer(invalidField.errcode, invalidField.errmsg);

    const list = (v: unknown) => (typeof v === 'string' && v !== '' ? v.split('|') : []);
    const users = list(body.touser);
    const parties = list(body.toparty);
    const tags = list(body.totag);
    if (users.length > 1000 || parties.length > 100 || tags.length > 100) return answer(40035, 'invalid parameter: too many recipients');
    const knownUsers = app.users ?? [];
    const invalidUsers = users.filter((u) => u !== '@all' && !knownUsers.includes(u));
    const invalidParties = parties.filter((p) => !(app.parties ?? []).includes(p));
    const invalidTags = tags.filter((t) => !(app.tags ?? []).includes(t));
    const reached = new Set(users.includes('@all') ? knownUsers : users.filter((u) => knownUsers.includes(u)));
    const validCount = users.length - invalidUsers.length + parties.length - invalidParties.length + tags.length - invalidTags.length;
    if (validCount === 0) return answer(81013, 'user & party & tag all invalid');

    const delivered = [...reached].filter((member) => this.memberWindow(token.corpId, member).admit(request.at));
    if (delivered.length < reached.size) this.silentlyDropped++;
    this.delivered.push({ corpId: token.corpId, body, reached: delivered, at: request.at });
    const reply: Record<string, unknown> = { errcode: 0, errmsg: 'ok', msgid: randomBytes(16).toString('hex') };
    if (invalidUsers.length) reply.invaliduser = invalidUsers.join('|');
    if (invalidParties.length) reply.invalidparty = invalidParties.join('|');
    if (invalidTags.length) reply.invalidtag = invalidTags.join('|');
    return { body: reply };
  }

  private robotSend(url: URL, request: RecordedRequest): FakeResponse {
    const key = url.searchParams.get('key') ?? '';
    const window = this.robots.get(key);
    if (!window) return answer(93000, 'invalid webhook url, hint: [1732245601_93_abc], more info at https://open.work.weixin.qq.com/devtool/query?e=93000');
    const scripted = this.scripted.robot.shift();
    if (scripted) return answer(scripted.errcode, scripted.errmsg);
    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return answer(40008, 'invalid message type');
    }
    const limit = ROBOT_CONTENT_MAX_BYTES[body?.msgtype];
    const content = body?.[body?.msgtype]?.content;
    if (!limit || typeof content !== 'string') return answer(40008, 'invalid message type');
    if (content === '') return answer(44004, 'empty content');
    if (Buffer.byteLength(content, 'utf8') > limit) return answer(40058, `content exceed max length ${limit}`);
    if (body.msgtype === 'text') {
      for (const field of ['mentioned_list', 'mentioned_mobile_list']) {
        const value = body.text[field];
        if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) return answer(40058, `invalid ${field}`);
      }
    }
    if (!window.admit(request.at)) {
      this.robotThrottled++;
      return answer(45009, 'api freq out of limit');
    }
    this.robotDelivered.push({ key, body, at: request.at });
    return answer(0, 'ok');
  }

  private memberWindow(corpId: string, member: string): RollingWindow {
    const id = `${corpId}/${member}`;
    let window = this.memberWindows.get(id);
    if (!window) this.memberWindows.set(id, (window = new RollingWindow(MEMBER_PER_MINUTE, 60_000)));
    return window;
  }
}

function answer(errcode: number, errmsg = ERRMSG[errcode] ?? 'error'): FakeResponse {
  return { body: { errcode, errmsg } };
}

/** message/send's field checks, in the order WeCom reports them. */
function invalidSendField(body: any, app: FakeWecomAppOptions): Scripted | undefined {
  if (typeof body !== 'object' || body === null) return { errcode: 47001, errmsg: 'data format error' };
  const agentId = typeof body.agentid === 'string' && /^\d+$/.test(body.agentid) ? Number(body.agentid) : body.agentid;
  if (agentId === undefined) return { errcode: 41011, errmsg: 'missing agentid' };
  if (agentId !== app.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
  for (const field of ['touser', 'toparty', 'totag']) {
    if (body[field] !== undefined && typeof body[field] !== 'string') return { errcode: 40035, errmsg: `invalid ${field}` };
  }
  if (!body.touser && !body.toparty && !body.totag) return { errcode: 40035, errmsg: 'touser, toparty and totag are all empty' };
  for (const flag of ['safe', 'enable_duplicate_check']) {
    if (body[flag] !== undefined && body[flag] !== 0 && body[flag] !== 1) return { errcode: 40035, errmsg: `invalid ${flag}` };
  }
  if (!['text', 'markdown', 'textcard'].includes(body.msgtype)) return { errcode: 40008, errmsg: 'invalid message type' };
  const content = body.msgtype === 'textcard' ? body.textcard?.description : body[body.msgtype]?.content;
  if (typeof content !== 'string' || content === '') return { errcode: 44004, errmsg: 'empty content' };
  if (Buffer.byteLength(content, 'utf8') > APP_CONTENT_MAX_BYTES) return { errcode: 45002, errmsg: 'content size out of limit' };
  return undefined;
}
