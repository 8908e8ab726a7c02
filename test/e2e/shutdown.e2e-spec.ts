import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobOptions } from '@relay/delivery';
import { DeliveryJobData, queueName } from '@relay/models';
import { eventually, notification, startAppProcess, uniquePrefix } from '@relay/testing';
import { Queue } from 'bullmq';
import { FakeDingtalk } from '../fakes/dingtalk.fake';

/**
 * `docker stop` sends SIGTERM: a worker process finishes the send it has in flight, records the
 * job as completed, then exits — the alert is neither lost nor sent twice.
 */
describe('a worker process on SIGTERM', () => {
  it('finishes its in-flight delivery, records it, then exits', async () => {
    const fake = await FakeDingtalk.start();
    const robot = fake.robot('slowrobot', { delayMs: 1_500 });
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
    writeFileSync(join(dir, 'relay.yml'), `receivers: [{ name: ops, dingtalk_configs: [{ url: '${robot}' }] }]`);
    const prefix = uniquePrefix();
    const worker = await startAppProcess('dingtalk-worker', { RELAY_CONFIG: join(dir, 'relay.yml'), QUEUE_PREFIX: prefix });
    const queue = new Queue<DeliveryJobData>(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix });
    try {
      const job = await queue.add('ops/dingtalk/0', { receiver: 'ops', channel: 'dingtalk', target: 'ops/dingtalk/0', notification: notification(), receivedAt: Date.now() }, jobOptions());
      await eventually(() => fake.requests.length === 1, 10_000);

      const stopped = Date.now();
      const exit = await worker.stop('SIGTERM');

      // Nest closes the app (workers finish their jobs), then re-raises the signal, as a process
      // killed by SIGTERM should end; not the 30 s forced exit (code 1), not a crash.
      expect(exit).toBe('SIGTERM');
      expect(Date.now() - stopped).toBeLessThan(10_000);
      expect(fake.messagesTo('slowrobot')).toHaveLength(1);
      expect(await (await queue.getJob(job.id!))!.getState()).toBe('completed');
    } finally {
      await worker.stop('SIGKILL');
      await queue.close();
      await fake.close();
    }
  }, 60_000);
});
