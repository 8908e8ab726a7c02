import { workerModules } from '@relay/runtime';
import { Queue } from 'bullmq';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { dumpRedis, eventually, InProcessRelay, metricValue, settledJob, notification, postJson, startRelay } from '@relay/testing';
import { queueName } from '@relay/models';

const SECRET = 'SECdingtalk-signing-secret-0123456789';

describe('Alertmanager notification → ingest → Redis → DingTalk worker → DingTalk', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const signed = fake.robot('signedtoken', { secret: SECRET, keywords: ['HighLatency', 'DiskFull', 'Bulk', 'Burst', 'Throttle'] });
    const burst = fake.robot('bursttoken', { max: 5, windowMs: 2_000, penaltyMs: 60_000 });
    const throttled = fake.robot('throttletoken');
    const wrongSecret = fake.robot('wrongsecrettoken', { secret: 'SECthe-robot-has-another' });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      env: { DT_SECRET: SECRET },
      yaml: `
global: { timezone: Asia/Shanghai }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${signed}
        secret: \${DT_SECRET}
        mentions: { mobiles: ['13800000000'], from_label: owner_mobile }
  - name: burst
    dingtalk_configs:
      - url: ${burst}
        rate_limit: { max: 5, per: 2s }
        digest: false
  - name: burst-too
    dingtalk_configs:
      - url: ${burst}
        rate_limit: { max: 5, per: 2s }
        digest: false
  - name: throttled
    dingtalk_configs:
      - url: ${throttled}
        rate_limit: { max: 20, per: 1m, penalty: 1500ms }
  - name: misconfigured
    dingtalk_configs:
      - url: ${wrongSecret}
        secret: SECnot-what-the-robot-has
`,
    });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  it('delivers a signed markdown message that @s the configured and labelled mobiles', async () => {
    const body = notification({ groupKey: 'g-signed' });
    body.alerts[0].labels.owner_mobile = '13911112222';
    expect((await postJson(`${relay.url}/webhook`, body)).status).toBe(202);
    const [message] = await eventually(() => fake.messagesTo('signedtoken').length > 0 && fake.messagesTo('signedtoken'));
    expect(message.msgtype).toBe('markdown');
    expect(message.markdown.title).toContain('HighLatency');
    expect(message.markdown.text).toContain('p99 latency above 2s on api-0');
    expect(message.at).toEqual({ atMobiles: ['13800000000', '13911112222'], atUserIds: [], isAtAll: false });
    expect(message.markdown.text).toContain('@13800000000');
    expect(message.markdown.text).toContain('@13911112222');
    const request = fake.requests.find((r) => r.url.includes('signedtoken'))!;
    expect(request.url).toMatch(/&timestamp=\d{13}&sign=/);
  });

  it('delivers a notification posted three times (HA pair, retries) once', async () => {
    const body = notification({ groupKey: 'g-three-times', commonLabels: { alertname: 'DiskFull' } });
    body.alerts.forEach((a) => (a.labels.alertname = 'DiskFull'));
    for (let i = 0; i < 3; i++) expect((await postJson(`${relay.url}/webhook/ops`, body)).status).toBe(202);
    await eventually(() => fake.messagesTo('signedtoken').some((m) => m.markdown.text.includes('DiskFull')));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.messagesTo('signedtoken').filter((m) => m.markdown.text.includes('DiskFull'))).toHaveLength(1);
  });

  it('keeps no secret anywhere in Redis after delivering', async () => {
    await eventually(() => fake.messagesTo('signedtoken').length >= 2);
    const everything = await dumpRedis(process.env.REDIS_URL!, relay.runtime.queuePrefix);
    expect(everything).toContain('ops/dingtalk/0');
    for (const secret of [SECRET, 'signedtoken', 'wrongsecrettoken', 'SECnot-what-the-robot-has']) expect(everything).not.toContain(secret);
  });

  it('holds a robot to its rate window across the receivers that share it (digest: false): 12 notifications, 5 per 2s, none throttled, one message each', async () => {
    const started = Date.now();
    for (let i = 0; i < 12; i++) {
      const receiver = i % 2 ? 'burst-too' : 'burst';
      expect((await postJson(`${relay.url}/webhook/${receiver}`, notification({ groupKey: `g-burst-${i}` }))).status).toBe(202);
    }
    await eventually(() => fake.messagesTo('bursttoken').length === 12, 20_000);
    expect(fake.throttled).toBe(0);
    // 12 sends at 5 per 2s cannot all happen in less than two full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    const times = fake.delivered.filter((m) => m.token === 'bursttoken').map((m) => m.at);
    for (let i = 5; i < times.length; i++) expect(times[i] - times[i - 5]).toBeGreaterThanOrEqual(2_000);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metricValue(metrics, 'alert_relay_rate_limit_deferrals_total', { channel: 'dingtalk', target: 'burst/dingtalk/0', reason: 'window' })).toBeGreaterThan(0);
  }, 30_000);

  it('leaves a throttled robot alone for the penalty window, then delivers without spending an attempt', async () => {
    fake.failNext(130101, 'send too fast, exceed 20 times per minute');
    const res = await postJson(`${relay.url}/webhook/throttled`, notification({ groupKey: 'g-throttle' }));
    const jobId = res.body.jobs[0].jobId;
    await eventually(() => fake.messagesTo('throttletoken').length === 1, 10_000);
    const attempts = fake.requests.filter((r) => r.url.includes('throttletoken')).map((r) => r.at);
    expect(attempts).toHaveLength(2);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(1_500);
    // BullMQ counts the attempt that finished the job; the throttled one was not counted.
    const job = await settledJob(queue, jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(2);
    expect(job.attemptsMade).toBe(1);
  });

  it('fails a wrongly signed robot permanently after one request, with DingTalk reason', async () => {
    const res = await postJson(`${relay.url}/webhook/misconfigured`, notification({ groupKey: 'g-wrong' }));
    const jobId = res.body.jobs[0].jobId;
    const failed = await settledJob(queue, jobId);
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).toBe('errcode_310000: DingTalk errcode 310000: sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]');
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests.filter((r) => r.url.includes('wrongsecrettoken'))).toHaveLength(1);
  });

  it('keeps a 300-alert Chinese notification under 20,000 bytes by dropping whole alerts', async () => {
    const body = notification({ groupKey: 'g-bulk', alertCount: 300 });
    body.alerts.forEach((a) => (a.annotations.description = '数据库连接池耗尽，'.repeat(20)));
    body.commonLabels.alertname = 'Bulk';
    expect((await postJson(`${relay.url}/webhook/ops`, body)).status).toBe(202);
    // The more line counts what was left out by status (all 300 here are firing).
    const message = await eventually(() => fake.messagesTo('signedtoken').find((m) => /… and \d+ more firing alerts/.test(m.markdown.text)), 10_000);
    const request = fake.requests.filter((r) => r.url.includes('signedtoken')).pop()!;
    expect(Buffer.byteLength(request.body, 'utf8')).toBeLessThan(20_000);
    expect(message.markdown.text).toMatch(/… and \d+ more firing alerts/);
    expect(message.markdown.title).toContain('[FIRING:300]');
    expect(message.markdown.text).not.toContain('\uFFFD');
  });
});
