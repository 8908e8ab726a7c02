import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** ms since epoch when the request arrived. */
  at: number;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * The HTTP plumbing every platform fake shares: a real server on a free loopback port that
 * records each request and answers through the platform's `handle`.
 */
export abstract class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private port = 0;
  /** While set, every request gets this HTTP status, as a platform's front end answers in an outage. */
  private outageStatus?: number;

  protected abstract handle(request: RecordedRequest): FakeResponse | Promise<FakeResponse>;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on a free port, or again on its own port after `close` (so a restarted fake keeps its URLs). */
  async listen(): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening: connections are refused until `listen` again. */
  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    this.server = undefined;
  }

  /** Answers every request with `status` (e.g. 502 from a load balancer) until called with undefined. */
  outage(status: number | undefined): void {
    this.outageStatus = status;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    this.requests.push(request);
    const answer = this.outageStatus ? { status: this.outageStatus, body: '<html><body>Bad Gateway</body></html>' } : await this.handle(request);
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, {
      'Content-Type': typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...answer.headers,
    });
    res.end(body);
  }
}

/** Counts events in a rolling window, as the platforms count messages per robot. */
export class RollingWindow {
  private readonly times: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Records an arrival at `now`; false when it is one too many for the window. */
  admit(now: number): boolean {
    while (this.times.length && this.times[0] <= now - this.windowMs) this.times.shift();
    if (this.times.length >= this.max) return false;
    this.times.push(now);
    return true;
  }
}
