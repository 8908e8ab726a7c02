import { FakeWebhook } from './webhook.fake';

const alertmanagerBody = {
  version: '4',
  groupKey: '{}:{alertname="HighLatency"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'relay',
  groupLabels: { alertname: 'HighLatency' },
  commonLabels: { alertname: 'HighLatency', severity: 'page' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: [
    { status: 'firing', labels: { alertname: 'HighLatency', instance: 'a' }, annotations: {}, startsAt: '2024-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'f1' },
    { status: 'firing', labels: { alertname: 'HighLatency', instance: 'b' }, annotations: {}, startsAt: '2024-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'f2' },
  ],
};

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'alert-relay/test', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('FakeWebhook', () => {
  let fake: FakeWebhook;

  beforeEach(async () => {
    fake = await FakeWebhook.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('records the parsed body, method, path, query and headers of what it accepts', async () => {
    const url = fake.receiver('/hooks/alerts');
    const answer = await post(`${url}?team=sre`, alertmanagerBody, { 'X-Relay-Channel': 'ops' });

    expect(answer.status).toBe(200);
    expect(fake.delivered).toHaveLength(1);
    const [request] = fake.delivered;
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/alerts', query: { team: 'sre' }, body: alertmanagerBody, status: 200 });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('alert-relay/test');
    expect(request.headers['x-relay-channel']).toBe('ops');
    expect(fake.bodiesTo('/hooks/alerts')).toEqual([alertmanagerBody]);
    expect(fake.alerts().map((a) => a.fingerprint)).toEqual(['f1', 'f2']);
  });

  it('accepts any path without registration, using the default options', async () => {
    fake.configureDefault({ status: 202, body: { accepted: true } });
    const answer = await post(`${fake.baseUrl}/anything`, { a: 1 });
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.text)).toEqual({ accepted: true });
    expect(fake.receivedAt('/anything')).toHaveLength(1);
  });

  it('demands basic auth when configured, and decodes what was sent', async () => {
    const url = fake.receiver('/secure', { auth: { basic: { username: 'am', password: 'p:ss' } } });

    const anonymous = await post(url, alertmanagerBody);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await post(url, alertmanagerBody, { Authorization: `Basic ${Buffer.from('am:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
    const right = await post(url, alertmanagerBody, { Authorization: `Basic ${Buffer.from('am:p:ss').toString('base64')}` });
    expect(right.status).toBe(200);

    expect(fake.received.map((r) => r.status)).toEqual([401, 401, 200]);
    expect(fake.delivered).toHaveLength(1);
    expect(fake.delivered[0].basicAuth).toEqual({ username: 'am', password: 'p:ss' });
  });

  it('demands a bearer token when configured', async () => {
    const url = fake.receiver('/bearer', { auth: { bearer: 's3cret' } });
    expect((await post(url, {}, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(url, {}, { Authorization: 'Bearer s3cret' })).status).toBe(200);
    expect(fake.delivered[0].bearer).toBe('s3cret');
  });

  it('demands custom headers when configured', async () => {
    const url = fake.receiver('/shared-secret', { requiredHeaders: { 'X-Webhook-Secret': 'abc' } });
    expect((await post(url, {})).status).toBe(403);
    expect((await post(url, {}, { 'X-Webhook-Secret': 'abc' })).status).toBe(200);
  });

  it('answers scripted statuses in order, with Retry-After and bodies, then recovers', async () => {
    const url = fake.receiver('/flaky');
    fake.failNext(503, { body: 'upstream down', times: 2 });
    fake.failNext(429, { retryAfter: 7 });

    const first = await post(url, alertmanagerBody);
    const second = await post(url, alertmanagerBody);
    const third = await post(url, alertmanagerBody);
    const fourth = await post(url, alertmanagerBody);

    expect([first.status, second.status, third.status, fourth.status]).toEqual([503, 503, 429, 200]);
    expect(first.text).toBe('upstream down');
    expect(third.headers.get('retry-after')).toBe('7');
    expect(fake.received).toHaveLength(4);
    expect(fake.delivered).toHaveLength(1);
  });

  it('gives a path-scoped scripted answer only to that path', async () => {
    const a = fake.receiver('/a');
    const b = fake.receiver('/b');
    fake.failNext(500, { path: '/b' });
    expect((await post(a, {})).status).toBe(200);
    expect((await post(b, {})).status).toBe(500);
    expect((await post(b, {})).status).toBe(200);
  });

  it('answers every request with the outage status until it ends', async () => {
    const url = fake.receiver('/down');
    fake.outage(502);
    expect((await post(url, alertmanagerBody)).status).toBe(502);
    expect(fake.requests).toHaveLength(1);
    expect(fake.received).toHaveLength(0);
    fake.outage(undefined);
    expect((await post(url, alertmanagerBody)).status).toBe(200);
  });

  it('refuses a body that is not JSON, and records why', async () => {
    const url = fake.receiver('/json');
    const answer = await post(url, 'not json');
    expect(answer.status).toBe(400);
    expect(fake.received[0].body).toBeUndefined();
    expect(fake.received[0].parseError).toBeDefined();
    expect(fake.received[0].raw).toBe('not json');
  });

  it('refuses bodies over its size limit with 413', async () => {
    const url = fake.receiver('/small', { maxBodyBytes: 1024 });
    expect((await post(url, { pad: 'x'.repeat(2000) })).status).toBe(413);
    expect((await post(url, { pad: 'x'.repeat(100) })).status).toBe(200);
  });

  it('is slow when told to, so a sender times out', async () => {
    const url = fake.receiver('/slow', { delayMs: 500 });
    await expect(fetch(url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(100) })).rejects.toThrow();
  });

  it('refuses connections while closed and keeps its URL after listening again', async () => {
    const url = fake.receiver('/restart');
    await fake.close();
    await expect(post(url, {})).rejects.toThrow();
    await fake.listen();
    expect((await post(url, {})).status).toBe(200);
  });
});
