import { workerModules } from '@relay/runtime';
import { Job, Queue } from 'bullmq';
import { createHmac } from 'node:crypto';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { RecordedRequest } from '../fakes/fake-http-server';
import { eventually, InProcessRelay, metricValue, settledJob, notification, postJson, startRelay } from '@relay/testing';
import { queueName } from '@relay/models';

// Retries, re-signing and throttling against the fake's own rules, through the real queue
// settings: a transient failure waits BullMQ's first backoff (5s with 50% jitter: 2.5s to 5s).
const SECRET = 'SECretries-signing-secret-9876543210';
const SKEW_SECRET = 'SECskewed-clock-secret-0123456789';
const ONE_HOUR = 3600_000;
const FIRST_BACKOFF_MIN_MS = 2_500;

/** Timestamp and sign as DingTalk reads them from the query, and the raw (still encoded) sign. */
function signatureOf(request: RecordedRequest): { timestamp: string; sign: string; rawSign: string } {
  const url = new URL(request.url, 'http://fake');
  const rawSign = /[?&]sign=([^&]*)/.exec(request.url)?.[1] ?? '';
  return { timestamp: url.searchParams.get('timestamp') ?? '', sign: url.searchParams.get('sign') ?? '', rawSign };
}

function expectedSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

describe('DingTalk retries: re-signing, clock skew, the robot rolling window, attempts and metrics', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const signed = fake.robot('resigntoken', { secret: SECRET });
    const skewed = fake.robot('skewtoken', { secret: SKEW_SECRET });
    const flood = fake.robot('floodtoken', { max: 20, windowMs: 2_000, penaltyMs: 3_000 });
    const busy = fake.robot('busytoken');
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      env: { DT_RETRY_SECRET: SECRET, DT_SKEW_SECRET: SKEW_SECRET },
      yaml: `
receivers:
  - name: resign
    dingtalk_configs:
      - url: ${signed}
        secret: \${DT_RETRY_SECRET}
  - name: skewed
    dingtalk_configs:
      - url: ${skewed}
        secret: \${DT_SKEW_SECRET}
  - name: flood
    dingtalk_configs:
      - url: ${flood}
        rate_limit: { max: 100, per: 1m, penalty: 3500ms }
        digest: false
  - name: busy
    dingtalk_configs:
      - url: ${busy}
`,
    });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  const metrics = async () => (await fetch(`${relay.url}/metrics`)).text();
  const deliveries = async (target: string, outcome: string, reason: string) =>
    metricValue(await metrics(), 'alert_relay_deliveries_total', { channel: 'dingtalk', target, outcome, reason }) ?? 0;

  it('signs every attempt afresh: after -1 system busy the retry carries a new timestamp and a sign valid for it', async () => {
    fake.failNext(-1, '系统繁忙', 1, 'resigntoken');
    const res = await postJson(`${relay.url}/webhook/resign`, notification({ groupKey: 'g-resign' }));
    expect(res.status).toBe(202);
    const job: Job = await settledJob(queue, res.body.jobs[0].jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(2);
    expect(fake.answersTo('resigntoken').map((a) => a.errcode)).toEqual([-1, 0]);

    const [first, second] = fake.requestsTo('resigntoken');
    expect(second.at - first.at).toBeGreaterThanOrEqual(FIRST_BACKOFF_MIN_MS);
    const signatures = [first, second].map(signatureOf);
    for (const [i, request] of [first, second].entries()) {
      const { timestamp, sign, rawSign } = signatures[i];
      expect(timestamp).toMatch(/^\d{13}$/);
      // Signed when sent, not when enqueued or first tried.
      expect(Math.abs(Number(timestamp) - request.at)).toBeLessThan(1_000);
      expect(sign).toBe(expectedSign(SECRET, timestamp));
      // base64's + / = must be percent-encoded, or DingTalk reads a + as a space.
      expect(rawSign).toBe(encodeURIComponent(sign));
    }
    expect(Number(signatures[1].timestamp) - Number(signatures[0].timestamp)).toBeGreaterThanOrEqual(FIRST_BACKOFF_MIN_MS);
    expect(signatures[1].sign).not.toBe(signatures[0].sign);
  }, 15_000);

  it('retries 310000 invalid timestamp (a clock off by more than an hour) and delivers once the clocks agree', async () => {
    // Within the hour DingTalk accepts the signature: the fake's check is not simply "equal clocks".
    fake.skewClock(-(ONE_HOUR - 60_000));
    const near = await postJson(`${relay.url}/webhook/skewed`, notification({ groupKey: 'g-skew-near' }));
    expect(await (await settledJob(queue, near.body.jobs[0].jobId)).getState()).toBe('completed');
    expect(fake.answersTo('skewtoken').map((a) => a.errcode)).toEqual([0]);

    fake.skewClock(ONE_HOUR + 60_000);
    const res = await postJson(`${relay.url}/webhook/skewed`, notification({ groupKey: 'g-skew-far' }));
    const jobId = res.body.jobs[0].jobId;
    const [rejected] = await eventually(() => fake.answersTo('skewtoken').length === 2 && fake.answersTo('skewtoken').slice(1));
    expect(rejected).toMatchObject({ errcode: 310000, errmsg: 'invalid timestamp' });
    fake.skewClock(0); // NTP put the clock right before the retry

    const job: Job = await settledJob(queue, jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(2);
    expect(fake.answersTo('skewtoken').map((a) => a.errcode)).toEqual([0, 310000, 0]);
    expect(fake.messagesTo('skewtoken')).toHaveLength(2);
    const [, firstTry, retry] = fake.requestsTo('skewtoken').map(signatureOf);
    expect(retry.timestamp).not.toBe(firstTry.timestamp);
    expect(retry.sign).toBe(expectedSign(SKEW_SECRET, retry.timestamp));
    expect(await deliveries('skewed/dingtalk/0', 'retry', 'errcode_310000')).toBe(1);
    expect(await deliveries('skewed/dingtalk/0', 'failed', 'errcode_310000')).toBe(0);
  }, 15_000);

  it("pauses a robot the fake's own window throttled (130101 past 20 per window) for the penalty, then delivers everything without spending attempts", async () => {
    const post = (i: number) => postJson(`${relay.url}/webhook/flood`, notification({ groupKey: `g-flood-${i}` }));
    // A burst past the robot's 20 per window; the relay's own limit (100 a minute) lets it all through.
    const burst = await Promise.all(Array.from({ length: 22 }, (_, i) => post(i)));
    const throttle = await eventually(() => fake.answersTo('floodtoken').find((a) => a.errcode === 130101), 10_000, 10);
    const t0 = throttle.at;
    // Requests in flight when the 130101 came back may still arrive; nothing sent after the relay heard it.
    const inFlightMs = 500;
    // More alerts once the relay has heard the 130101 and while the robot is still throttled: the
    // relay must hold them too, not only the jobs DingTalk refused.
    await new Promise((r) => setTimeout(r, t0 + inFlightMs + 100 - Date.now()));
    const late: Array<Awaited<ReturnType<typeof post>>> = [];
    for (let i = 22; i < 27; i++) late.push(await post(i));
    expect(Date.now() - t0).toBeLessThan(2_000); // still inside the penalty, or this proves nothing
    const posted = [...burst, ...late];
    const count = posted.length;
    expect(posted.map((r) => r.status)).toEqual(Array(count).fill(202));
    await eventually(() => fake.messagesTo('floodtoken').length === count, 15_000, 100);

    const answers = fake.answersTo('floodtoken');
    // The fake throttled on its own (nothing scripted): the 21st arrival in the window.
    expect(answers.findIndex((a) => a.errcode === 130101)).toBe(20);
    for (const a of answers.filter((x) => x.errcode === 130101)) expect(a.at - t0).toBeLessThan(inFlightMs);
    expect(fake.requestsTo('floodtoken').filter((r) => r.at > t0 + inFlightMs && r.at < t0 + 3_000)).toEqual([]);
    const after = answers.filter((a) => a.at >= t0 + inFlightMs);
    expect(after).toHaveLength(count - 20);
    expect(after.every((a) => a.errcode === 0 && a.at >= t0 + 3_000)).toBe(true);

    const jobs: Job[] = await Promise.all(posted.map((r) => settledJob(queue, r.body.jobs[0].jobId)));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(Array(count).fill('completed'));
    expect(jobs.map((j) => j.attemptsMade)).toEqual(Array(count).fill(1));
    const text = await metrics();
    expect(metricValue(text, 'alert_relay_rate_limit_deferrals_total', { channel: 'dingtalk', target: 'flood/dingtalk/0', reason: 'penalty' })).toBeGreaterThan(0);
    expect(metricValue(text, 'alert_relay_deliveries_total', { channel: 'dingtalk', target: 'flood/dingtalk/0', outcome: 'retry', reason: 'errcode_130101' })).toBeUndefined();
    expect(metricValue(text, 'alert_relay_deliveries_total', { channel: 'dingtalk', target: 'flood/dingtalk/0', outcome: 'delivered', reason: 'ok' })).toBe(count);
  }, 20_000);

  it('spends one attempt on a transient -1 and completes the job, counting a retry with reason errcode_-1', async () => {
    const retriesBefore = await deliveries('busy/dingtalk/0', 'retry', 'errcode_-1');
    fake.failNext(-1, 'system busy', 1, 'busytoken');
    const res = await postJson(`${relay.url}/webhook/busy`, notification({ groupKey: 'g-busy' }));
    const job: Job = await settledJob(queue, res.body.jobs[0].jobId);
    expect(await job.getState()).toBe('completed');
    // One attempt spent on -1, one that delivered.
    expect(job.attemptsMade).toBe(2);
    expect(fake.answersTo('busytoken').map((a) => a.errcode)).toEqual([-1, 0]);
    expect(fake.messagesTo('busytoken')).toHaveLength(1);
    const [first, second] = fake.requestsTo('busytoken').map((r) => r.at);
    expect(second - first).toBeGreaterThanOrEqual(FIRST_BACKOFF_MIN_MS);
    expect((await deliveries('busy/dingtalk/0', 'retry', 'errcode_-1')) - retriesBefore).toBe(1);
    expect(await deliveries('busy/dingtalk/0', 'delivered', 'ok')).toBe(1);
    expect(await deliveries('busy/dingtalk/0', 'failed', 'errcode_-1')).toBe(0);
  }, 15_000);
});
