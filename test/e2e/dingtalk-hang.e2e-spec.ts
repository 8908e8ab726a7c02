import { workerModules } from '@relay/runtime';
import { CHAT_QUEUE_SETTINGS } from '@relay/delivery';
import { Job, Queue } from 'bullmq';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { InProcessRelay, notification, postJson, settledJob, sleep, startRelay } from '@relay/testing';
import { queueName } from '@relay/models';

// DingTalk has hung 35 s on a send and shown the message anyway. A send given up on may thus be
// shown, and each retry after it shown again: with the 10 s timeout of old one notification was
// shown 5 times. The chat timeout outlasts such a stall, so the first send is the only one.
const HANG_MS = 35_000;

describe('DingTalk hanging 35 s before it answers', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const robot = fake.robot('hangtoken', { delayMs: HANG_MS });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      yaml: `
receivers:
  - name: hang
    dingtalk_configs:
      - url: ${robot}
`,
    });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  it('shows the message once: the send waits for the answer rather than timing out and sending again', async () => {
    expect(CHAT_QUEUE_SETTINGS.requestTimeoutMs).toBeGreaterThan(HANG_MS);
    const res = await postJson(`${relay.url}/webhook/hang`, notification({ groupKey: 'g-hang' }));
    expect(res.status).toBe(202);
    const job: Job = await settledJob(queue, res.body.jobs[0].jobId, HANG_MS + 20_000);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    // Long enough for a retry after a timeout to have reached the robot.
    await sleep(6_000);
    expect(fake.requestsTo('hangtoken')).toHaveLength(1);
    expect(fake.messagesTo('hangtoken')).toHaveLength(1);
  }, HANG_MS + 40_000);
});
