import { FakeHttpServer, FakeResponse, RecordedRequest } from './fake-http-server';

/**
 * A generic webhook receiver, the kind of endpoint Alertmanager's `webhook_configs` (and the relay's
 * generic webhook channel) posts to. It has no platform rules of its own: whatever a real receiver
 * would enforce (auth, size, slowness, failures) is configured by the test, so each test states the
 * receiver it is talking to.
 */

export interface FakeReceiverOptions {
  /** Credentials the receiver demands; anything else gets 401 with a WWW-Authenticate challenge. */
  auth?: { basic: { username: string; password: string } } | { bearer: string };
  /** Headers (name → exact value) the receiver demands, e.g. a shared-secret header; missing or wrong → 403. */
  requiredHeaders?: Record<string, string>;
  /** Bodies above this many bytes get 413, as a reverse proxy's body limit answers. */
  maxBodyBytes?: number;
  /** Answers only after this long (a slow receiver; lets a test hit the sender's timeout). */
  delayMs?: number;
  /** Status and body of a successful answer (default 200 "ok"). */
  status?: number;
  body?: unknown;
}

export interface ScriptedWebhookAnswer {
  /** Retry-After: seconds, or an HTTP-date string, sent as given. */
  retryAfter?: number | string;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  /** Only requests to this path take the answer. */
  path?: string;
}

/** One request as the receiving application saw it, and what it answered. */
export interface ReceivedWebhookRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names, as Node gives them. */
  headers: RecordedRequest['headers'];
  /** The body parsed as JSON; undefined when it was not JSON (see `parseError`). */
  body: any;
  raw: string;
  parseError?: string;
  /** Credentials carried in Authorization, decoded. */
  basicAuth?: { username: string; password: string };
  bearer?: string;
  status: number;
  at: number;
}

export class FakeWebhook extends FakeHttpServer {
  /** Every request that reached the receiving application (not those answered by `outage`; see `requests`). */
  readonly received: ReceivedWebhookRequest[] = [];
  /** The requests it accepted (2xx): what a downstream system would have acted on. */
  readonly delivered: ReceivedWebhookRequest[] = [];
  private readonly receivers = new Map<string, FakeReceiverOptions>();
  private readonly scripted: Array<{ status: number; answer: ScriptedWebhookAnswer }> = [];
  /** Options for paths no `receiver` call named; a catch-all so a test need not register every path. */
  private defaults: FakeReceiverOptions = {};

  static async start(): Promise<FakeWebhook> {
    return new FakeWebhook().listen();
  }

  /** Configures the receiver at `path` and returns its URL. */
  receiver(path = '/webhook', options: FakeReceiverOptions = {}): string {
    const normalised = path.startsWith('/') ? path : `/${path}`;
    this.receivers.set(normalised, options);
    return `${this.baseUrl}${normalised}`;
  }

  /** Options every unregistered path uses. */
  configureDefault(options: FakeReceiverOptions): void {
    this.defaults = options;
  }

  /**
   * The next answers, in order, are `status` (e.g. 500, or 429 with a Retry-After). They go to
   * requests that passed the receiver's auth and header checks, as an application error would.
   */
  failNext(status: number, answer: ScriptedWebhookAnswer = {}): void {
    for (let i = 0; i < (answer.times ?? 1); i++) this.scripted.push({ status, answer });
  }

  /** Parsed bodies accepted at `path`, in arrival order. */
  bodiesTo(path: string): any[] {
    return this.delivered.filter((r) => r.path === path).map((r) => r.body);
  }

  receivedAt(path: string): ReceivedWebhookRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Alerts across every accepted Alertmanager-shaped body (`{alerts: [...]}`), flattened. */
  alerts(path?: string): any[] {
    return this.delivered.filter((r) => path === undefined || r.path === path).flatMap((r) => (Array.isArray(r.body?.alerts) ? r.body.alerts : []));
  }

  protected async handle(request: RecordedRequest): Promise<FakeResponse> {
    const url = new URL(request.url, 'http://fake');
    const options = this.receivers.get(url.pathname) ?? this.defaults;
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));

    const entry = describe(request, url);
    const answer = this.answer(request, entry, options);
    entry.status = answer.status ?? 200;
    this.received.push(entry);
    if (entry.status >= 200 && entry.status < 300) this.delivered.push(entry);
    return answer;
  }

  private answer(request: RecordedRequest, entry: ReceivedWebhookRequest, options: FakeReceiverOptions): FakeResponse {
    const auth = options.auth;
    if (auth && 'basic' in auth) {
      if (entry.basicAuth?.username !== auth.basic.username || entry.basicAuth?.password !== auth.basic.password) {
        return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="webhook"' }, body: 'unauthorized' };
      }
    } else if (auth && 'bearer' in auth) {
      if (entry.bearer !== auth.bearer) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="webhook"' }, body: 'unauthorized' };
    }
    for (const [name, value] of Object.entries(options.requiredHeaders ?? {})) {
      if (request.headers[name.toLowerCase()] !== value) return { status: 403, body: 'forbidden' };
    }

    const index = this.scripted.findIndex((s) => s.answer.path === undefined || s.answer.path === entry.path);
    if (index >= 0) {
      const [{ status, answer }] = this.scripted.splice(index, 1);
      const headers = { ...answer.headers };
      if (answer.retryAfter !== undefined) headers['Retry-After'] = String(answer.retryAfter);
      return { status, headers, body: answer.body ?? `scripted ${status}` };
    }

    if (options.maxBodyBytes !== undefined && Buffer.byteLength(request.body, 'utf8') > options.maxBodyBytes) {
      return { status: 413, body: 'request entity too large' };
    }
    // A receiver built for JSON refuses anything else, so a sender that posts non-JSON finds out here.
    if (entry.parseError !== undefined) return { status: 400, body: 'invalid JSON' };
    return { status: options.status ?? 200, body: options.body ?? 'ok' };
  }
}

function describe(request: RecordedRequest, url: URL): ReceivedWebhookRequest {
  let body: any;
  let parseError: string | undefined;
  try {
    body = JSON.parse(request.body);
  } catch (error) {
    parseError = (error as Error).message;
  }
  const authorization = request.headers.authorization ?? '';
  const entry: ReceivedWebhookRequest = {
    method: request.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: request.headers,
    body,
    raw: request.body,
    parseError,
    status: 0,
    at: request.at,
  };
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // RFC 7617: the password may contain colons, the user-id may not.
    entry.basicAuth = colon < 0 ? { username: decoded, password: '' } : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) entry.bearer = bearer[1];
  return entry;
}
