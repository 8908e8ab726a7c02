import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { queueName } from '@relay/models';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eventually, InProcessRelay, metricValue, notification, postJson, startRedisServer, startRelay, RedisServer } from '@relay/testing';

const DT = (token: string) => `https://oapi.dingtalk.com/robot/send?access_token=${token}`;
const CONFIG = `
ingest:
  auth: { bearer_token: \${INGEST_TOKEN} }
  body_limit: 64KiB
dashboard:
  basic_auth: { username: admin, password: \${DASHBOARD_PASSWORD} }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${DT('opsrobottoken')}
        secret: SEC-ops-signing-secret
      - url: ${DT('quietrobottoken')}
        name: ops-quiet
        send_resolved: false
  - name: ops.team
    dingtalk_configs:
      - url: ${DT('teamrobottoken')}
`;
const ENV = { INGEST_TOKEN: 'ingest-s3cret', DASHBOARD_PASSWORD: 'dash-s3cret' };
const AUTH = { Authorization: 'Bearer ingest-s3cret' };

describe('ingest', () => {
  let relay: InProcessRelay;
  let queue: Queue;
  let redis: Redis;

  beforeAll(async () => {
    relay = await startRelay({ yaml: CONFIG, env: ENV, features: [IngestModule] });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis.disconnect();
    await queue.close();
    await relay.close();
  });

  it('answers 202 only with every job stored, one per target, naming the target and holding no secret', async () => {
    const res = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-202' }), AUTH);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      receiver: 'ops',
      deduplicated: false,
      jobs: [
        { channel: 'dingtalk', target: 'ops/dingtalk/0', jobId: expect.any(String) },
        { channel: 'dingtalk', target: 'ops-quiet', jobId: expect.any(String) },
      ],
    });
    const stored = await Promise.all(res.body.jobs.map((j: any) => queue.getJob(j.jobId)));
    expect(stored.map((j) => j!.data.target)).toEqual(['ops/dingtalk/0', 'ops-quiet']);
    expect(stored[0]!.data.notification.groupKey).toBe('g-202');
    const raw = JSON.stringify(stored.map((j) => j!.asJSON()));
    expect(raw).not.toContain('SEC-ops-signing-secret');
    expect(raw).not.toContain('opsrobottoken');
  });

  it('finds the receiver Alertmanager escaped with QuoteMeta, and lets the path win over the body', async () => {
    const escaped = await postJson(`${relay.url}/webhook`, notification({ receiver: 'ops\\.team', groupKey: 'g-quote' }), AUTH);
    expect(escaped.status).toBe(202);
    expect(escaped.body.jobs).toEqual([{ channel: 'dingtalk', target: 'ops.team/dingtalk/0', jobId: expect.any(String) }]);
    const byPath = await postJson(`${relay.url}/webhook/ops.team`, notification({ receiver: 'ops', groupKey: 'g-path' }), AUTH);
    expect(byPath.body.receiver).toBe('ops.team');
  });

  it('stores a duplicate once within the dedup window and answers with the same job ids', async () => {
    const body = notification({ groupKey: 'g-dup' });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postJson(`${relay.url}/webhook`, body, AUTH));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.body.deduplicated)).toEqual([false, true, true]);
    expect(answers[1].body.jobs).toEqual(answers[0].body.jobs);
    expect(answers[2].body.jobs).toEqual(answers[0].body.jobs);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.notification.groupKey === 'g-dup')).toHaveLength(2);
    // A changed alert state is a new notification, not a duplicate.
    const resolved = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-dup', status: 'resolved' }), AUTH);
    expect(resolved.body.deduplicated).toBe(false);
  });

  it('sends resolved notifications only to send_resolved targets', async () => {
    const res = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-resolved', status: 'resolved' }), AUTH);
    expect(res.status).toBe(202);
    expect(res.body.jobs.map((j: any) => j.target)).toEqual(['ops/dingtalk/0']);
  });

  it('answers 400 listing every failing field with its reason', async () => {
    const bad = notification();
    (bad as any).status = 'burning';
    (bad.alerts[0] as any).startsAt = 'yesterday';
    (bad.alerts[0] as any).labels = { severity: 3 };
    delete (bad as any).groupKey;
    const res = await postJson(`${relay.url}/webhook`, bad, AUTH);
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(
      expect.arrayContaining([
        'groupKey must be a string (Alertmanager always sends one)',
        'status must be "firing" or "resolved"',
        'alerts[0].labels must be an object of string values',
        'alerts[0].startsAt must be an RFC3339 time',
      ]),
    );
    const notArray = await postJson(`${relay.url}/webhook`, { ...notification(), alerts: 'none' }, AUTH);
    expect(notArray.status).toBe(400);
    expect(notArray.body.message).toEqual(['alerts must be an array']);
    const notJson = await postJson(`${relay.url}/webhook`, '{"version": "4",', AUTH);
    expect(notJson.status).toBe(400);
  });

  it('answers 400 for an explicit null, optional fields included, naming each field', async () => {
    const body: any = notification({ groupKey: 'g-nulls' });
    body.commonLabels = null;
    body.truncatedAlerts = null;
    body.alerts[0].annotations = null;
    body.alerts[0].endsAt = null;
    body.alerts[0].generatorURL = null;
    const res = await postJson(`${relay.url}/webhook`, body, AUTH);
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual([
      'truncatedAlerts must be a non-negative integer',
      'commonLabels must be an object of string values',
      'alerts[0].annotations must be an object of string values',
      'alerts[0].endsAt must be an RFC3339 time',
      'alerts[0].generatorURL must be a string',
    ]);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.notification.groupKey === 'g-nulls')).toHaveLength(0);
  });

  it('names each stored job after its target: <receiver>/<channel>/<index>, or the explicit name', async () => {
    const res = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-names' }), AUTH);
    expect(res.status).toBe(202);
    const stored = await Promise.all(res.body.jobs.map((j: any) => queue.getJob(j.jobId)));
    expect(stored.map((j) => j!.name)).toEqual(['ops/dingtalk/0', 'ops-quiet']);
    const team = await postJson(`${relay.url}/webhook/ops.team`, notification({ groupKey: 'g-names' }), AUTH);
    expect((await queue.getJob(team.body.jobs[0].jobId))!.name).toBe('ops.team/dingtalk/0');
  });

  it('keeps the deduplication key in Redis for exactly dedup_window (default 5m)', async () => {
    const res = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-dedup-ttl' }), AUTH);
    expect(res.status).toBe(202);
    for (const { jobId } of res.body.jobs) {
      const job = await queue.getJob(jobId);
      expect(job!.deduplicationId).toEqual(expect.any(String));
      const key = `${queue.keys.de}:${job!.deduplicationId}`;
      expect(await redis.get(key)).toBe(jobId);
      const pttl = await redis.pttl(key);
      expect(pttl).toBeLessThanOrEqual(5 * 60_000);
      expect(pttl).toBeGreaterThan(5 * 60_000 - 5_000);
    }
  });

  it('treats an alert whose only change is endsAt as a new delivery, not a duplicate', async () => {
    const first = notification({ groupKey: 'g-endsat' });
    const changed = notification({ groupKey: 'g-endsat' });
    changed.alerts[0].endsAt = '2026-11-20T09:00:00Z';
    const a = await postJson(`${relay.url}/webhook`, first, AUTH);
    const b = await postJson(`${relay.url}/webhook`, changed, AUTH);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.deduplicated).toBe(false);
    expect(b.body.jobs.map((j: any) => j.jobId)).not.toEqual(expect.arrayContaining([a.body.jobs[0].jobId]));
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    const endsAts = jobs.filter((j) => j.data.notification.groupKey === 'g-endsat').map((j) => j.data.notification.alerts[0].endsAt);
    expect(endsAts.sort()).toEqual(['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z']);
  });

  it('keeps unknown fields inside alerts in the stored job data', async () => {
    const body: any = notification({ groupKey: 'g-alert-extras' });
    body.alerts[0].silenceURL = 'http://alertmanager:9093/#/silences/new';
    body.alerts[0].valueString = "[ var='A' labels={} value=3 ]";
    body.alerts[0].values = { A: 3, B: null };
    const res = await postJson(`${relay.url}/webhook`, body, AUTH);
    expect(res.status).toBe(202);
    const job = await queue.getJob(res.body.jobs[0].jobId);
    expect(job!.data.notification.alerts[0]).toEqual({
      ...notification().alerts[0],
      silenceURL: 'http://alertmanager:9093/#/silences/new',
      valueString: "[ var='A' labels={} value=3 ]",
      values: { A: 3, B: null },
    });
  });

  it('accepts unknown fields from newer Alertmanagers and nanosecond, offset times', async () => {
    const body: any = notification({ groupKey: 'g-new-fields' });
    body.notification_reason = 'new_alerts';
    body.routeLabels = { team: 'ops' };
    body.alerts[0].startsAt = '2026-11-20T16:00:00.123456789+08:00';
    body.alerts[0].generatorURL = '';
    const res = await postJson(`${relay.url}/webhook`, body, AUTH);
    expect(res.status).toBe(202);
    const job = await queue.getJob(res.body.jobs[0].jobId);
    expect(job!.data.notification.notification_reason).toBe('new_alerts');
  });

  it('answers 401 without the configured credentials, before reading the body (then 413 above the limit)', async () => {
    expect((await postJson(`${relay.url}/webhook`, notification())).status).toBe(401);
    const wrong = await postJson(`${relay.url}/webhook`, notification(), { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    const huge = JSON.stringify({ ...notification(), padding: 'x'.repeat(100 * 1024) });
    expect((await postJson(`${relay.url}/webhook`, huge)).status).toBe(401);
    expect((await postJson(`${relay.url}/webhook`, huge, AUTH)).status).toBe(413);
  });

  it('answers 404 for a receiver the config does not have', async () => {
    const res = await postJson(`${relay.url}/webhook`, notification({ receiver: 'nobody' }), AUTH);
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('nobody');
  });

  it('answers 404 for an unknown receiver given in the path, even when the body names a known one', async () => {
    const res = await postJson(`${relay.url}/webhook/nope`, notification({ receiver: 'ops', groupKey: 'g-path-404' }), AUTH);
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('nope');
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.notification.groupKey === 'g-path-404')).toHaveLength(0);
  });

  it('guards Bull Board with dashboard.basic_auth', async () => {
    expect((await fetch(`${relay.url}/queues`)).status).toBe(401);
    const basic = 'Basic ' + Buffer.from('admin:dash-s3cret').toString('base64');
    const ok = await fetch(`${relay.url}/queues`, { headers: { Authorization: basic } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<html');
    const api = await fetch(`${relay.url}/queues/api/queues`, { headers: { Authorization: basic } });
    const names = ((await api.json()) as any).queues.map((q: any) => q.name);
    expect(names).toEqual(expect.arrayContaining(['notify-dingtalk', 'notify-wechat', 'notify-wecom_robot', 'notify-slack', 'notify-email']));
  });

  it('serves health probes and Prometheus metrics', async () => {
    const live = await fetch(`${relay.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${relay.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).info).toMatchObject({ redis: { status: 'up' }, config: { status: 'up' } });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metricValue(metrics, 'alert_relay_notifications_received_total', { receiver: 'ops', outcome: 'accepted' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'alert_relay_notifications_received_total', { receiver: 'ops', outcome: 'deduplicated' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'alert_relay_notifications_received_total', { receiver: '', outcome: 'unauthorized' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'alert_relay_notifications_received_total', { receiver: '', outcome: 'too_large' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'alert_relay_jobs_enqueued_total', { channel: 'dingtalk' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'alert_relay_queue_jobs', { queue: 'notify-dingtalk', state: 'waiting' })).toBeGreaterThan(0);
  });
});

const SHORT_WINDOW = `
ingest:
  dedup_window: 1s
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${DT('opsrobottoken')}
`;
const NO_DEDUP = `
ingest:
  dedup_window: 0
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${DT('opsrobottoken')}
`;

describe('ingest dedup_window and the default body limit', () => {
  let short: InProcessRelay;
  let none: InProcessRelay;
  let shortQueue: Queue;
  let noneQueue: Queue;
  let redis: Redis;
  const storedFor = async (queue: Queue, groupKey: string) =>
    (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((j) => j.data.notification.groupKey === groupKey);

  beforeAll(async () => {
    [short, none] = await Promise.all([
      startRelay({ yaml: SHORT_WINDOW, features: [IngestModule] }),
      startRelay({ yaml: NO_DEDUP, features: [IngestModule] }),
    ]);
    const connection = { url: process.env.REDIS_URL } as any;
    shortQueue = new Queue(queueName('dingtalk'), { connection, prefix: short.runtime.queuePrefix });
    noneQueue = new Queue(queueName('dingtalk'), { connection, prefix: none.runtime.queuePrefix });
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([shortQueue?.close(), noneQueue?.close()]);
    await Promise.all([short?.close(), none?.close()]);
  });

  it('deduplicates within a 1s window and stores a resend after it as a new job', async () => {
    const body = notification({ groupKey: 'g-window' });
    const first = await postJson(`${short.url}/webhook`, body);
    const dup = await postJson(`${short.url}/webhook`, body);
    expect([first.status, dup.status]).toEqual([202, 202]);
    expect(dup.body).toMatchObject({ deduplicated: true, jobs: first.body.jobs });
    const job = await shortQueue.getJob(first.body.jobs[0].jobId);
    const key = `${shortQueue.keys.de}:${job!.deduplicationId}`;
    const pttl = await redis.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_000);
    await eventually(async () => (await redis.exists(key)) === 0, 3_000, 50);
    const after = await postJson(`${short.url}/webhook`, body);
    expect(after.status).toBe(202);
    expect(after.body.deduplicated).toBe(false);
    expect(after.body.jobs[0].jobId).not.toBe(first.body.jobs[0].jobId);
    expect(await storedFor(shortQueue, 'g-window')).toHaveLength(2);
  });

  it('stores the same notification twice when dedup_window is 0', async () => {
    const body = notification({ groupKey: 'g-no-dedup' });
    const first = await postJson(`${none.url}/webhook`, body);
    const second = await postJson(`${none.url}/webhook`, body);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect([first.body.deduplicated, second.body.deduplicated]).toEqual([false, false]);
    expect(second.body.jobs[0].jobId).not.toBe(first.body.jobs[0].jobId);
    const stored = await storedFor(noneQueue, 'g-no-dedup');
    expect(stored).toHaveLength(2);
    expect(stored.map((j) => j.deduplicationId)).toEqual([undefined, undefined]);
    // Posted at once, identical notifications often arrive in the same millisecond: each is still its own job.
    const burst = await Promise.all(Array.from({ length: 40 }, () => postJson(`${none.url}/webhook`, notification({ groupKey: 'g-no-dedup-burst' }))));
    expect(new Set(burst.map((r) => r.body.jobs[0].jobId)).size).toBe(40);
    expect(await storedFor(noneQueue, 'g-no-dedup-burst')).toHaveLength(40);
  });

  it('takes a body of exactly 1 MiB by default and judges it on content; one byte more is 413', async () => {
    const limit = 1024 * 1024;
    // Invalid content (status), so the answer shows the body got past the size check to the schema check.
    const sized = (bytes: number) => {
      const shell = JSON.stringify({ ...notification({ groupKey: 'g-limit' }), status: 'burning', padding: '' });
      return shell.replace('"padding":""', `"padding":"${'x'.repeat(bytes - Buffer.byteLength(shell))}"`);
    };
    expect(Buffer.byteLength(sized(limit))).toBe(limit);
    const atLimit = await postJson(`${short.url}/webhook`, sized(limit));
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.message).toEqual(['status must be "firing" or "resolved"']);
    expect((await postJson(`${short.url}/webhook`, sized(limit + 1))).status).toBe(413);
  });
});

describe('ingest when Redis goes away', () => {
  let redis: RedisServer;
  let relay: InProcessRelay;

  beforeAll(async () => {
    redis = await startRedisServer();
    relay = await startRelay({ yaml: CONFIG, env: ENV, features: [IngestModule], redisUrl: redis.url });
  });
  afterAll(async () => {
    await relay.close();
    await redis.stop();
  });

  it('answers 503 and is not ready while Redis is down, then recovers', async () => {
    expect((await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-before' }), AUTH)).status).toBe(202);
    await redis.stop();
    const started = Date.now();
    const down = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-outage' }), AUTH);
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await fetch(`${relay.url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${relay.url}/health/live`)).status).toBe(200);

    await redis.restart();
    await eventually(async () => (await fetch(`${relay.url}/health/ready`)).status === 200, 15_000, 200);
    const again = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-outage' }), AUTH);
    expect(again.status).toBe(202);
  });
});
