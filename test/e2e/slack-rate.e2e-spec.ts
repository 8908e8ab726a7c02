import { workerModules } from '@relay/runtime';
import { Queue } from 'bullmq';
import { queueName } from '@relay/models';
import { eventually, InProcessRelay, notification, postJson, startRelay, uniquePrefix } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeSlack } from '../fakes/slack.fake';

/**
 * Two worker replicas sharing one webhook. They are two separate Nest applications in this
 * process, each with its own Redis connections, BullMQ worker and rate limiter, sharing only
 * Redis and the queue prefix: exactly what two worker processes share.
 */
describe('Slack: a burst to one webhook from two receivers and two worker replicas', () => {
  let fake: FakeSlack;
  let replicaA: InProcessRelay;
  let replicaB: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeSlack.start();
    // Slack at a strict one message a second, and a target whose rate_limit lets through ten: the
    // relay's own window will not keep it under Slack's, so only honouring every Retry-After (and
    // sending nothing while one is pending, from either replica) delivers without flooding.
    // digest: false keeps one message per notification, so each of the 30 is one post to count.
    const hook = fake.webhook('burstwebhook', { max: 1, windowMs: 1_000, retryAfterSeconds: 1 });
    const yaml = `
receivers:
  - name: burst
    slack_configs:
      - api_url: ${hook}
        rate_limit: { max: 10, per: 1s }
        digest: false
  - name: burst-too   # another receiver posting to the same webhook: Slack counts them together
    slack_configs:
      - api_url: ${hook}
        rate_limit: { max: 10, per: 1s }
        digest: false
`;
    const queuePrefix = uniquePrefix();
    replicaA = await startRelay({ yaml, queuePrefix, features: [IngestModule, ...workerModules(['slack'])] });
    replicaB = await startRelay({ yaml, queuePrefix, features: [...workerModules(['slack'])] });
    queue = new Queue(queueName('slack'), { connection: { url: process.env.REDIS_URL } as any, prefix: queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await replicaA.close();
    await replicaB.close();
    await fake.close();
  });

  it('30 notifications in one second: all 30 delivered, none sent inside a Retry-After window', async () => {
    const burst = Array.from({ length: 30 }, (_, i) => {
      const body = notification({ groupKey: `g-burst-${i}`, groupLabels: { alertname: `Burst${i}` }, commonLabels: { alertname: `Burst${i}` } });
      body.alerts[0].labels.alertname = `Burst${i}`;
      return body;
    });
    const accepted = await Promise.all(burst.map((body, i) => postJson(`${replicaA.url}/webhook/${i % 2 ? 'burst-too' : 'burst'}`, body)));
    expect(accepted.map((r) => r.status)).toEqual(Array(30).fill(202));

    await eventually(() => fake.messagesTo('webhook:burstwebhook').length === 30, 110_000, 200);
    expect(fake.early).toEqual([]);
    expect(fake.throttled).toBeGreaterThan(0);
    const texts = fake.messagesTo('webhook:burstwebhook').map((m) => m.attachments[0].text as string);
    for (let i = 0; i < 30; i++) expect(texts.filter((t) => t.includes(`Burst${i}*`))).toHaveLength(1);

    // Every job completed on its first attempt: the 429s delayed jobs without spending attempts.
    // The last message reaches the fake before its worker records the job as completed.
    await eventually(async () => (await queue.getJobCounts('completed')).completed === 30, 10_000, 100);
    const jobs = await queue.getJobs(['completed']);
    expect(jobs).toHaveLength(30);
    expect(jobs.map((j) => j.attemptsMade)).toEqual(Array(30).fill(1));

    // Both replicas delivered, and between them all 30.
    const delivered = await Promise.all(
      [replicaA, replicaB].map(async (replica) => {
        const metrics = await (await fetch(`${replica.url}/metrics`)).text();
        const lines = [...metrics.matchAll(/alert_relay_deliveries_total\{channel="slack",target="burst(?:-too)?\/slack\/0",outcome="delivered",reason="ok"\} (\d+)/g)];
        return lines.reduce((sum, line) => sum + Number(line[1]), 0);
      }),
    );
    expect(delivered.every((n) => n > 0)).toBe(true);
    expect(delivered[0] + delivered[1]).toBe(30);
  }, 120_000);
});
