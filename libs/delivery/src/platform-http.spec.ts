import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryFailure } from './delivery-failure';
import { errcodeFailure, jsonAnswer, PlatformAnswer, PlatformHttp, statusFailure } from './platform-http';

/** A real HTTP server that records each request and the socket it came on. */
async function server(handle: (req: IncomingMessage, body: string) => { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number }) {
  const seen: Array<{ body: string; headers: IncomingMessage['headers']; socket: number }> = [];
  const sockets = new Map<unknown, number>();
  const http: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
    seen.push({ body, headers: req.headers, socket: sockets.get(req.socket)! });
    const answer = handle(req, body);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '{"errcode":0}');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/robot/send?access_token=secret-token`;
  return { url, seen, close: () => new Promise((r) => (http.closeAllConnections(), http.close(r))) };
}

const answer = (status: number, headers: Record<string, string> = {}, text = ''): PlatformAnswer => ({ status, text, header: (n) => headers[n] });

describe('PlatformHttp against a real server', () => {
  const http = new PlatformHttp('DingTalk', { timeoutMs: 300 });
  afterAll(() => http.close());

  it('posts JSON over kept-alive connections and hands back status, body and headers', async () => {
    const s = await server(() => ({ headers: { 'retry-after': '7' }, body: '{"errcode":0,"errmsg":"ok"}' }));
    try {
      const first = await http.postJson(s.url, { msgtype: 'text', text: { content: '告警' } }, { 'x-extra': '1' });
      const more = [];
      for (let n = 0; n < 10; n++) more.push(await http.postJson(s.url, { n }));
      expect(first.status).toBe(200);
      expect(jsonAnswer(http.platform, first)).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(first.header('Retry-After')).toBe('7');
      expect(s.seen[0].body).toBe('{"msgtype":"text","text":{"content":"告警"}}');
      expect(s.seen[0].headers['content-type']).toBe('application/json; charset=utf-8');
      expect(s.seen[0].headers['x-extra']).toBe('1');
      expect(more.map((a) => a.status)).toEqual(Array(10).fill(200));
      // Eleven messages, one after another, over a connection or two (a socket is freed just after its answer is read).
      expect(new Set(s.seen.map((r) => r.socket)).size).toBeLessThanOrEqual(2);
    } finally {
      await s.close();
    }
  });

  it('gives up on a platform that does not answer in time: a timeout the rate window does not count, naming no URL', async () => {
    const s = await server(() => ({ delayMs: 1_000 }));
    try {
      const failure = (await http.postJson(s.url, {}).catch((e) => e)) as DeliveryFailure;
      expect(failure).toBeInstanceOf(DeliveryFailure);
      expect(failure).toMatchObject({ kind: 'transient', reason: 'timeout', answered: false });
      expect(failure.message).not.toContain('secret-token');
    } finally {
      await s.close();
    }
  });

  it('reports a refused connection as a network failure the rate window does not count', async () => {
    const s = await server(() => ({}));
    await s.close();
    const failure = (await http.postJson(s.url, {}).catch((e) => e)) as DeliveryFailure;
    expect(failure).toMatchObject({ kind: 'transient', reason: 'network_econnrefused', answered: false });
    expect(failure.message).not.toContain('secret-token');
  });
});

describe('one status policy for every platform', () => {
  it('waits out a 429 without spending an attempt: Retry-After, else the penalty, else the target\'s own', () => {
    expect(statusFailure('X', answer(429, { 'retry-after': '30' }), 600_000, {}, 0)).toMatchObject({ kind: 'rate_limited', reason: 'http_429', retryAt: 30_000 });
    expect(statusFailure('X', answer(429), 600_000, {}, 0)).toMatchObject({ kind: 'rate_limited', retryAt: 600_000 });
    expect(statusFailure('X', answer(429), undefined, {}, 0)).toMatchObject({ kind: 'rate_limited', retryAt: undefined });
  });

  it('retries 5xx (not counted in the window) and 408, fails other 4xx, passes 2xx', () => {
    expect(statusFailure('X', answer(502), 1)).toMatchObject({ kind: 'transient', answered: false, message: 'X answered HTTP 502' });
    expect(statusFailure('X', answer(408), 1)).toMatchObject({ kind: 'transient', answered: true });
    expect(statusFailure('X', answer(404), 1, { reason: 'no_service', detail: 'no_service' })).toMatchObject({ kind: 'permanent', reason: 'no_service', message: 'X answered HTTP 404: no_service' });
    expect(statusFailure('X', answer(204), 1)).toBeUndefined();
  });

  it('retries an answer that is not JSON, with one reason for every platform', () => {
    expect(() => jsonAnswer('WeCom', answer(200, {}, '<html>'))).toThrow(expect.objectContaining({ kind: 'transient', reason: 'unreadable_answer' }));
  });

  it('reads an errcode table: throttled pauses, permanent fails with its meaning, the rest retries', () => {
    const table = { throttled: new Set([130101]), permanent: new Map([[400101, 'no such robot']]) };
    expect(errcodeFailure('DingTalk', table, 130101, 'too fast', 600_000, 0)).toMatchObject({ kind: 'rate_limited', reason: 'errcode_130101', retryAt: 600_000 });
    expect(errcodeFailure('DingTalk', table, 400101, 'token不存在', 1)).toMatchObject({ kind: 'permanent', message: 'DingTalk errcode 400101: token不存在 (no such robot)' });
    expect(errcodeFailure('DingTalk', table, -1, 'busy', 1)).toMatchObject({ kind: 'transient', reason: 'errcode_-1' });
  });
});
