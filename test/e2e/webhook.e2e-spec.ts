import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queueName } from '@relay/models';
import { AppProcess, dumpRedis, eventually, InProcessRelay, metricValue, notification, postJson, settledJob, startAppProcess, startRelay, uniquePrefix } from '@relay/testing';
import { Queue } from 'bullmq';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeWebhook } from '../fakes/webhook.fake';

const SECRET_PATH = 'hook-path-7f3a9c21e5';
const SECRET_QUERY = 'query-key-0c55e1d8b4';
const PASSWORD = 'basic-password-94f1e0a2';
const TOKEN = 'bearer-token-3e8d7c6b5a';
const HEADER_SECRET = 'header-secret-a1b2c3d4e5';

/** Alertmanager → a real ingest → Redis → a real `worker` process (RELAY_CHANNELS=webhook) → a webhook receiver. */
describe('webhook_configs through ingest and a worker process', () => {
  let fake: FakeWebhook;
  let ingest: InProcessRelay;
  let worker: AppProcess;
  let queue: Queue;
  let prefix: string;

  beforeAll(async () => {
    fake = await FakeWebhook.start();
    const basic = fake.receiver(`/${SECRET_PATH}`, { auth: { basic: { username: 'relay', password: PASSWORD } }, requiredHeaders: { 'x-relay-key': HEADER_SECRET } });
    const bearer = fake.receiver('/bearer', { auth: { bearer: TOKEN } });
    const dir = mkdtempSync(join(tmpdir(), 'webhook-e2e-'));
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
    writeFileSync(join(dir, 'bearer-url'), `${bearer}?key=${SECRET_QUERY}\n`);
    const yaml = `
receivers:
  - name: ops
    webhook_configs:
      - name: ops-hook
        url: '${basic}?key=${SECRET_QUERY}'
        max_alerts: 2
        max_retry_interval: 1s
        http_config:
          basic_auth: { username: relay, password_file: password }
          http_headers: { X-Relay-Key: { secrets: ['\${HEADER_SECRET}'] } }
  - name: tokens
    webhook_configs:
      - name: token-hook
        url_file: bearer-url
        max_retry_interval: 1s
        http_config: { authorization: { credentials: '\${HOOK_TOKEN}' } }
`;
    const configFile = join(dir, 'relay.yml');
    writeFileSync(configFile, yaml);
    const env = { HOOK_TOKEN: TOKEN, HEADER_SECRET };
    prefix = uniquePrefix();
    ingest = await startRelay({ yaml, features: [IngestModule], env, queuePrefix: prefix, baseDir: dir });
    worker = await startAppProcess('worker', { ...env, RELAY_CONFIG: configFile, QUEUE_PREFIX: prefix, RELAY_CHANNELS: 'webhook', LOG_LEVEL: 'debug' });
    queue = new Queue(queueName('webhook'), { connection: { url: process.env.REDIS_URL } as any, prefix });
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    await worker?.stop();
    await ingest?.close();
    await fake?.close();
  });

  async function post(receiver: string, body: unknown): Promise<string> {
    const answer = await postJson(`${ingest.url}/webhook/${receiver}`, body);
    expect(answer.status).toBe(202);
    return answer.body.jobs[0].jobId;
  }

  it("delivers Alertmanager's body, truncated to max_alerts, with basic auth and the secret header", async () => {
    const n = notification({ groupKey: 'g-basic', alertCount: 3 });
    const job = await settledJob<any>(queue, await post('ops', n));
    expect(job.finishedOn).toBeDefined();
    expect(job.returnvalue).toMatchObject({ detail: { status: 200 } });
    const [request] = fake.receivedAt(`/${SECRET_PATH}`);
    expect(request.query).toEqual({ key: SECRET_QUERY });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^alert-relay\//);
    const { version, groupKey, receiver, status, groupLabels, commonLabels, externalURL } = n;
    // Common annotations are computed over the alerts sent, as Alertmanager does after truncating.
    const commonAnnotations = { description: n.alerts[0].annotations.description };
    expect(request.body).toEqual({ receiver, status, alerts: n.alerts.slice(0, 2), groupLabels, commonLabels, commonAnnotations, externalURL, version, groupKey, truncatedAlerts: 1 });
  });

  it('reads url_file and sends the authorization credentials, and retries through an outage and a 429', async () => {
    fake.outage(502);
    const id = await post('tokens', notification({ groupKey: 'g-outage' }));
    await eventually(() => fake.requests.filter((r) => r.url.startsWith('/bearer')).length >= 2, 15_000);
    fake.outage(undefined);
    fake.failNext(429, { retryAfter: 1, path: '/bearer' });
    await settledJob(queue, id, 30_000);
    expect(await queue.getJobState(id)).toBe('completed');
    expect(fake.bodiesTo('/bearer').map((b) => b.groupKey)).toEqual(['g-outage']);
    const logs = (await queue.getJobLogs(id)).logs.join('\n');
    expect(logs).toContain('webhook answered HTTP 502');
    expect(logs).toContain('the platform throttled the target'); // the 429: waited, no attempt spent
  }, 40_000);

  it('fails a 4xx at once, with the status and the start of the answer in the failed job', async () => {
    fake.failNext(400, { path: '/bearer', body: 'bad request: groupKey is not one of ours' });
    const id = await post('tokens', notification({ groupKey: 'g-refused' }));
    const job = await settledJob<any>(queue, id);
    expect(await queue.getJobState(id)).toBe('failed');
    expect(job.attemptsMade).toBeLessThanOrEqual(1);
    expect(job.failedReason).toContain('webhook answered HTTP 400: bad request: groupKey is not one of ours');
  });

  it('keeps the URL secrets and the credentials out of Redis, the logs and /metrics', async () => {
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    const ingestMetrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metricValue(metrics, 'alert_relay_deliveries_total', { channel: 'webhook', target: 'token-hook', outcome: 'failed', reason: 'http_400' })).toBe(1);
    expect(metricValue(metrics, 'alert_relay_deliveries_total', { channel: 'webhook', target: 'ops-hook', outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    const redis = await dumpRedis(process.env.REDIS_URL!, prefix);
    expect(redis).toContain('g-basic');
    const logs = worker.output();
    expect(logs).toContain('delivered');
    for (const [where, text] of Object.entries({ redis, logs, metrics, ingestMetrics })) {
      for (const secret of [SECRET_PATH, SECRET_QUERY, PASSWORD, TOKEN, HEADER_SECRET, Buffer.from(`relay:${PASSWORD}`).toString('base64')]) {
        expect(`${where}: ${text.includes(secret) ? secret : 'clean'}`).toBe(`${where}: clean`);
      }
    }
  });
});
