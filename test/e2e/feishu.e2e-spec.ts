import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryJobData, queueName } from '@relay/models';
import { AppProcess, busiestWindow, dumpRedis, eventually, notification, postJson, settledJob, startAppProcess, uniquePrefix } from '@relay/testing';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeFeishu } from '../fakes/feishu.fake';

const SECRET = 'feishu-bot-signing-secret-0123456789';
const TOKENS = { signed: 'signed-bot-token-5f0c', storm: 'storm-bot-token-8e21', keyword: 'keyword-bot-token-77aa', throttled: 'throttled-bot-token-3b9d' };
const ONCALL = 'ou_7d8a6e6df7621556ce0d21922b676706';

const label = (i: number) => `storm-${String(i).padStart(3, '0')}`;

/** A single-alert notification of its own group, told apart by its instance and summary. */
function stormNotification(i: number) {
  const body = notification({ receiver: 'storm', groupKey: `{}:{instance="${label(i)}"}`, groupLabels: { instance: label(i) } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: label(i) };
  body.alerts[0].annotations = { summary: `[${label(i)}] 磁盘快满了` };
  body.alerts[0].fingerprint = (0x2000 + i).toString(16).padStart(16, '0');
  return body;
}

/** Alertmanager → a real ingest process → Redis → a real generic worker process (RELAY_CHANNELS=feishu) → Feishu. */
describe('feishu_configs end to end', () => {
  let fake: FakeFeishu;
  let ingest: AppProcess;
  let worker: AppProcess;
  let redis: Redis;
  let queue: Queue<DeliveryJobData>;
  let prefix: string;

  beforeAll(async () => {
    fake = await FakeFeishu.start();
    fake.bot({ token: TOKENS.signed, secret: SECRET, keywords: ['HighLatency'] });
    fake.bot({ token: TOKENS.storm }); // Feishu's own limits: 5 a second, 100 a minute
    fake.bot({ token: TOKENS.keyword, keywords: ['告警规则'] });
    fake.bot({ token: TOKENS.throttled });
    const dir = mkdtempSync(join(tmpdir(), 'feishu-e2e-'));
    const config = join(dir, 'relay.yml');
    writeFileSync(
      config,
      `
global: { timezone: Asia/Shanghai }
receivers:
  - name: ops
    feishu_configs:
      - url: ${fake.hookUrl(TOKENS.signed)}
        secret: \${FEISHU_SECRET}
        mentions: { user_ids: ['${ONCALL}'], from_label: owner_open_id }
  - name: storm
    feishu_configs:
      - url: ${fake.hookUrl(TOKENS.storm)}
  - name: keyword
    feishu_configs:
      - url: ${fake.hookUrl(TOKENS.keyword)}
  - name: throttled
    feishu_configs:
      - url: ${fake.hookUrl(TOKENS.throttled)}
        rate_limit: { max: 5, per: 3s, penalty: 1500ms }
`,
    );
    prefix = uniquePrefix();
    const env = { RELAY_CONFIG: config, QUEUE_PREFIX: prefix, FEISHU_SECRET: SECRET, LOG_LEVEL: 'debug' };
    [ingest, worker] = await Promise.all([startAppProcess('ingest', env), startAppProcess('worker', { ...env, RELAY_CHANNELS: 'feishu' })]);
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue(queueName('feishu'), { connection: redis, prefix });
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await Promise.allSettled([ingest?.stop(), worker?.stop()]);
    await fake?.close();
  });

  it('delivers a signed card, red while firing, that @s the on-call and the labelled owner', async () => {
    const body = notification({ groupKey: 'g-signed' });
    body.alerts[0].labels.owner_open_id = 'ou_owner1';
    expect((await postJson(`${ingest.url}/webhook`, body)).status).toBe(202);
    const [message] = await eventually(() => fake.messagesTo(TOKENS.signed).length > 0 && fake.messagesTo(TOKENS.signed), 15_000);
    expect(message.msgType).toBe('interactive');
    expect(message.template).toBe('red');
    expect(message.title).toBe('[FIRING:1] HighLatency (api critical)');
    expect(message.text).toContain('p99 latency above 2s on api-0');
    expect(message.text).toContain('Started: 2026-11-20 16:00:00 CST');
    expect(message.mentions).toEqual([ONCALL, 'ou_owner1']);
    expect(message.body).toMatchObject({ timestamp: expect.stringMatching(/^\d{10}$/), sign: FakeFeishu.sign(message.body.timestamp, SECRET) });
  });

  it('shows a storm of 150 notifications to one bot in digests, within 5 a second and 100 a minute, never throttled', async () => {
    const first = Date.now();
    const jobIds: string[] = [];
    for (let i = 0; i < 150; i++) {
      const res = await postJson(`${ingest.url}/webhook/storm`, stormNotification(i));
      expect(res.status).toBe(202);
      jobIds.push(res.body.jobs[0].jobId);
    }
    const shown = () => new Set(fake.messagesTo(TOKENS.storm).flatMap((m) => [...m.text.matchAll(/\[(storm-\d{3})\]/g)].map((x) => x[1])));
    await eventually(() => shown().size === 150, 60_000, 100);
    expect(Date.now() - first).toBeLessThan(30_000);

    expect(fake.throttled).toBe(0);
    const messages = fake.messagesTo(TOKENS.storm);
    const times = messages.map((m) => m.at);
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(5);
    expect(busiestWindow(times, 60_000)).toBeLessThanOrEqual(100);
    expect(messages.length).toBeLessThan(20);
    const digest = messages.find((m) => m.title?.startsWith('[DIGEST]'))!;
    expect(digest.title).toMatch(/^\[DIGEST\] \d+ firing · HighLatency$/);
    expect(digest.text).toMatch(/🔥 HighLatency \[critical\] \[storm-\d{3}\] 磁盘快满了 · instance=storm-\d{3}, job=api · since 2026-11-20 16:00:00 CST/);
    for (const request of fake.requestsTo(TOKENS.storm)) expect(Buffer.byteLength(request.body, 'utf8')).toBeLessThanOrEqual(20_000);

    const jobs: Job[] = await Promise.all(jobIds.map((id) => settledJob(queue, id, 30_000)));
    expect(new Set(await Promise.all(jobs.map((j) => j.getState())))).toEqual(new Set(['completed']));
    expect(jobs.filter((j) => j.returnvalue.carriedBy).length).toBeGreaterThan(100);
  }, 120_000);

  it('fails a message without the bot keyword for good, with its reason, after one request', async () => {
    const res = await postJson(`${ingest.url}/webhook/keyword`, notification({ receiver: 'keyword', groupKey: 'g-keyword' }));
    const failed = await settledJob(queue, res.body.jobs[0].jobId);
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).toBe("errcode_19024: Feishu errcode 19024: Key Words Not Found (the message contains none of the bot's keywords)");
    expect(fake.requestsTo(TOKENS.keyword)).toHaveLength(1);
  });

  it('leaves a throttled bot (11232) alone for the penalty, then delivers without spending an attempt', async () => {
    fake.failNext(11232, { token: TOKENS.throttled });
    const res = await postJson(`${ingest.url}/webhook/throttled`, notification({ receiver: 'throttled', groupKey: 'g-throttled' }));
    await eventually(() => fake.messagesTo(TOKENS.throttled).length === 1, 15_000);
    const attempts = fake.requestsTo(TOKENS.throttled).map((r) => r.at);
    expect(attempts).toHaveLength(2);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(1_500);
    const job = await settledJob(queue, res.body.jobs[0].jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(2);
    expect(job.attemptsMade).toBe(1);
  });

  it('keeps no token or secret in Redis, the logs or the metrics', async () => {
    const everything = await dumpRedis(process.env.REDIS_URL!, prefix);
    expect(everything).toContain('ops/feishu/0');
    const metrics = (await Promise.all([ingest, worker].map(async (app) => (await fetch(`${app.url}/metrics`)).text()))).join('\n');
    expect(metrics).toContain('target="storm/feishu/0"');
    const logs = ingest.output() + worker.output();
    expect(logs).toMatch(/"msg":"delivered"/);
    for (const secret of [SECRET, ...Object.values(TOKENS)]) {
      expect(everything).not.toContain(secret);
      expect(metrics).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
