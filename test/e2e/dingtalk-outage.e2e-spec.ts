import { workerModules } from '@relay/runtime';
import { Job, Queue } from 'bullmq';
import { queueName } from '@relay/models';
import { eventually, InProcessRelay, metricValue, notification, postJson, settledJob, sleep, startRelay } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';


// DingTalk goes away (connection refused), comes back as an HTTP 502 from its front end, then
// recovers. In `npm test` the outage lasts 24 s with retries capped at 2 s; with
// ALERT_RELAY_LONG_OUTAGE=1 it is the 11-minute outage with the default cap (5 minutes) and age
// (6 hours), as the README describes (about 12 minutes to run).
const LONG = process.env.ALERT_RELAY_LONG_OUTAGE === '1';
const REFUSED_MS = LONG ? 330_000 : 12_000;
const BAD_GATEWAY_MS = LONG ? 330_000 : 12_000;
const CAP_MS = LONG ? 300_000 : 2_000;

describe('DingTalk outage: retries outlast it, and the backlog goes out as a digest on recovery', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const robot = fake.robot('outagetoken');
    const short = fake.robot('expiringtoken');
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      yaml: `
global:
${LONG ? '' : '  max_retry_interval: 2s'}
receivers:
  - name: outage
    dingtalk_configs:
      - url: ${robot}
  - name: expiring
    dingtalk_configs:
      - url: ${short}
        max_delivery_age: 5s
`,
    });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  it(`delivers 10 notifications posted during a ${(REFUSED_MS + BAD_GATEWAY_MS) / 1000}s outage within the backoff cap of recovery, in at most 2 messages; one past its max_delivery_age fails as expired`, async () => {
    await fake.close(); // connection refused
    const posted: string[] = [];
    const post = async (i: number) => {
      const res = await postJson(`${relay.url}/webhook/outage`, notification({ groupKey: `g-outage-${i}`, commonAnnotations: {}, alerts: [{ ...notification().alerts[0], annotations: { summary: `[outage-${i}] API down` }, fingerprint: `00000000000000a${i}` }] }));
      expect(res.status).toBe(202);
      posted.push(res.body.jobs[0].jobId);
    };
    for (let i = 0; i < 5; i++) {
      await post(i);
      await sleep(REFUSED_MS / 6);
    }
    const expiring = await postJson(`${relay.url}/webhook/expiring`, notification({ groupKey: 'g-expiring' }));
    await sleep(REFUSED_MS / 6);

    await fake.listen();
    fake.outage(502); // the front end answers, the robot behind it does not
    for (let i = 5; i < 10; i++) {
      await post(i);
      await sleep(BAD_GATEWAY_MS / 5);
    }

    const expired: Job = await settledJob(queue, expiring.body.jobs[0].jobId, 30_000);
    expect(await expired.getState()).toBe('failed');
    expect(expired.failedReason).toMatch(/^expired: still failing after \d+s, past max_delivery_age \(5s\); last error (network_econnrefused|http_502)/);
    expect((await queue.getJobLogs(expired.id!)).logs.join('\n')).toMatch(/failed \((network_econnrefused|http_502)[^]*next try [^]*expired/);

    fake.outage(undefined);
    const recovered = Date.now();
    const shown = () => new Set(fake.messagesTo('outagetoken').flatMap((m) => [...m.markdown.text.matchAll(/\[(outage-\d)\]/g)].map((x) => x[1])));
    await eventually(() => shown().size === 10, CAP_MS + 10_000, 100);
    expect(Date.now() - recovered).toBeLessThan(CAP_MS + 10_000);
    expect(fake.messagesTo('outagetoken').length).toBeLessThanOrEqual(2);

    const jobs: Job[] = await Promise.all(posted.map((id) => settledJob(queue, id, 30_000)));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(Array(10).fill('completed'));
    expect((await queue.getFailed()).map((j) => j.data.target)).toEqual(['expiring/dingtalk/0']);
    // The tries during the outage are in each job's log, with when the next one was due.
    const { logs } = await queue.getJobLogs(posted[0]);
    expect(logs.join('\n')).toMatch(/attempt \d+: failed \(network_econnrefused: network error: ECONNREFUSED\); next try \d{4}-/);
    expect(logs.join('\n')).toMatch(/attempt \d+: failed \(http_502: DingTalk answered HTTP 502\)/);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metricValue(metrics, 'alert_relay_deliveries_total', { channel: 'dingtalk', target: 'expiring/dingtalk/0', outcome: 'failed', reason: 'expired' })).toBe(1);
    expect(metricValue(metrics, 'alert_relay_deliveries_total', { channel: 'dingtalk', target: 'outage/dingtalk/0', outcome: 'failed', reason: 'expired' })).toBeUndefined();
  }, REFUSED_MS + BAD_GATEWAY_MS + CAP_MS + 90_000);
});
