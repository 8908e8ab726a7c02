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

/** What the fake answered one request, and when the request arrived (ms since epoch, the real clock). */
export interface DingtalkAnswer {
  token: string;
  at: number;
  errcode: number;
  errmsg: string;
}

interface Robot {
  options: FakeRobotOptions;
  window: RollingWindow;
  throttledUntil: number;
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
  private readonly robots = new Map<string, Robot>();
  private readonly scripted: Array<{ errcode: number; errmsg: string; token?: string }> = [];
  /** How far DingTalk's clock is ahead of ours (negative: behind); see skewClock. */
  private clockOffsetMs = 0;
  /** Throttled answers given, to check the relay stayed within the limit. */
  throttled = 0;
  /** Every answer to a request for a registered robot, in arrival order. */
  readonly answers: DingtalkAnswer[] = [];

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

  /**
   * The next answers, in order, regardless of the request (e.g. -1 system busy); with `token`,
   * only requests to that robot take them. Given only to requests that pass the signature check.
   */
  failNext(errcode: number, errmsg: string, times = 1, token?: string): void {
    for (let i = 0; i < times; i++) this.scripted.push({ errcode, errmsg, token });
  }

  /**
   * Sets DingTalk's clock `offsetMs` ahead of the real one (negative: behind), as a relay host
   * whose clock drifted sees it; signed requests more than an hour off it get 310000 invalid timestamp.
   */
  skewClock(offsetMs: number): void {
    this.clockOffsetMs = offsetMs;
  }

  messagesTo(token: string): any[] {
    return this.delivered.filter((m) => m.token === token).map((m) => m.body);
  }

  requestsTo(token: string): RecordedRequest[] {
    return this.requests.filter((r) => new URL(r.url, 'http://fake').searchParams.get('access_token') === token);
  }

  answersTo(token: string): DingtalkAnswer[] {
    return this.answers.filter((a) => a.token === token);
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
    const recorded = (errcode: number, errmsg: string): FakeResponse => {
      this.answers.push({ token, at: request.at, errcode, errmsg });
      return answer(errcode, errmsg);
    };
    return this.robotAnswer(request, token, robot, recorded);
  }

  private robotAnswer(request: RecordedRequest, token: string, robot: Robot, answer: (errcode: number, errmsg: string) => FakeResponse): FakeResponse {
    const url = new URL(request.url, 'http://fake');

    const { secret, keywords } = robot.options;
    if (secret) {
      const timestamp = Number(url.searchParams.get('timestamp'));
      const sign = url.searchParams.get('sign');
      if (!timestamp || Math.abs(request.at + this.clockOffsetMs - timestamp) > ONE_HOUR) return answer(310000, 'invalid timestamp');
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      if (sign !== expected) return answer(310000, 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]');
    }

    const index = this.scripted.findIndex((s) => s.token === undefined || s.token === token);
    if (index >= 0) {
      const [scripted] = this.scripted.splice(index, 1);
      return answer(scripted.errcode, scripted.errmsg);
    }

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
