import { createHmac } from 'node:crypto';
import { FakeHttpServer, FakeResponse, RecordedRequest, RollingWindow } from './fake-http-server';

export interface FakeRobotOptions {
  /** Signing secret; when set, requests must carry a valid timestamp and sign. */
  secret?: string;
  /** Keyword security: the message must contain one of these. */
  keywords?: string[];
  /** Messages per window before throttling (DingTalk: 20 per minute). */
  max?: number;
  windowMs?: number;
  /** How long a throttled robot answers 130101 (DingTalk: 10 minutes). */
  penaltyMs?: number;
  /** Answers only after this long (a slow platform; a send in flight). */
  delayMs?: number;
}

export interface DeliveredDingtalkMessage {
  token: string;
  body: any;
  at: number;
}

const ONE_HOUR = 3600_000;

/**
 * Behaves like DingTalk's custom robot endpoint (docs/channel-apis.md): HTTP 200 with an errcode
 * for every outcome; signature, timestamp and keyword checks (310000); 20 messages a minute then
 * 130101 for the penalty window; 460101 for bodies of 20,000 bytes or more; 400101 for unknown
 * tokens; 400105 for unknown msgtypes.
 */
export class FakeDingtalk extends FakeHttpServer {
  readonly delivered: DeliveredDingtalkMessage[] = [];
  private readonly robots = new Map<string, { options: FakeRobotOptions; window: RollingWindow; throttledUntil: number }>();
  private readonly scripted: Array<{ errcode: number; errmsg: string }> = [];
  /** Throttled answers given, to check the relay stayed within the limit. */
  throttled = 0;

  static async start(): Promise<FakeDingtalk> {
    return new FakeDingtalk().listen();
  }

  /** Registers a robot and returns its webhook URL. */
  robot(token: string, options: FakeRobotOptions = {}): string {
    this.robots.set(token, {
      options,
      window: new RollingWindow(options.max ?? 20, options.windowMs ?? 60_000),
      throttledUntil: 0,
    });
    return `${this.baseUrl}/robot/send?access_token=${token}`;
  }

  /** The next answers, in order, regardless of the request (e.g. -1 system busy). */
  failNext(errcode: number, errmsg: string, times = 1): void {
    for (let i = 0; i < times; i++) this.scripted.push({ errcode, errmsg });
  }

  messagesTo(token: string): any[] {
    return this.delivered.filter((m) => m.token === token).map((m) => m.body);
  }

  protected async handle(request: RecordedRequest): Promise<FakeResponse> {
    const token = new URL(request.url, 'http://fake').searchParams.get('access_token') ?? '';
    const delayMs = this.robots.get(token)?.options.delayMs;
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return this.answer(request);
  }

  private answer(request: RecordedRequest): FakeResponse {
    const url = new URL(request.url, 'http://fake');
    const answer = (errcode: number, errmsg: string): FakeResponse => ({ body: { errcode, errmsg } });
    if (request.method !== 'POST' || url.pathname !== '/robot/send') return { status: 404, body: 'not found' };
    const token = url.searchParams.get('access_token') ?? '';
    const robot = this.robots.get(token);
    if (!robot) return answer(400101, 'token不存在');

    const { secret, keywords } = robot.options;
    if (secret) {
      const timestamp = Number(url.searchParams.get('timestamp'));
      const sign = url.searchParams.get('sign');
      if (!timestamp || Math.abs(Date.now() - timestamp) > ONE_HOUR) return answer(310000, 'invalid timestamp');
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      if (sign !== expected) return answer(310000, 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]');
    }

    const scripted = this.scripted.shift();
    if (scripted) return answer(scripted.errcode, scripted.errmsg);

    if (Buffer.byteLength(request.body, 'utf8') >= 20_000) return answer(460101, 'message too large');
    let body: any;
    try {
      body = JSON.parse(request.body);
    } catch {
      return answer(400003, 'invalid json');
    }
    const content = contentOf(body);
    if (content === undefined) return answer(400105, 'unsupported msgtype');
    if (keywords?.length && !keywords.some((k) => content.includes(k))) return answer(310000, 'keywords not in content');

    const now = request.at;
    if (now < robot.throttledUntil) {
      this.throttled++;
      return answer(130101, 'send too fast, exceed 20 times per minute');
    }
    if (!robot.window.admit(now)) {
      robot.throttledUntil = now + (robot.options.penaltyMs ?? 600_000);
      this.throttled++;
      return answer(130101, 'send too fast, exceed 20 times per minute');
    }
    this.delivered.push({ token, body, at: now });
    return answer(0, 'ok');
  }
}

function contentOf(body: any): string | undefined {
  switch (body?.msgtype) {
    case 'text':
      return typeof body.text?.content === 'string' ? body.text.content : undefined;
    case 'markdown':
      return typeof body.markdown?.text === 'string' && typeof body.markdown?.title === 'string' ? body.markdown.title + body.markdown.text : undefined;
    case 'link':
      return typeof body.link?.messageUrl === 'string' ? `${body.link.title}${body.link.text}` : undefined;
    case 'actionCard':
      return typeof body.actionCard?.text === 'string' ? `${body.actionCard.title}${body.actionCard.text}` : undefined;
    default:
      return undefined;
  }
}
