import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { queueName } from '@relay/models';
import { AppProcess, eventually, InProcessRelay, notification, postJson, settledJob, startAppProcess, startRelay, uniquePrefix } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';

const label = (i: number) => `crash-${i}`;

/**
 * At least once through a crash: a real worker process is killed (SIGKILL) while DingTalk is
 * answering its digest, after the platform took the message and before the worker heard of it
 * or recorded the jobs it carried. Another worker then delivers every alert: some twice, none lost.
 */
describe('a worker killed in the middle of a digest', () => {
  let fake: FakeDingtalk;
  let ingest: InProcessRelay;
  const workers: AppProcess[] = [];
  let queue: Queue;

  afterAll(async () => {
    await queue?.close();
    await ingest?.close();
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await fake?.close();
  });

  it('loses no alert: every one is shown after a second worker takes over', async () => {
    fake = await FakeDingtalk.start();
    // Answers take a while, so the worker can be killed while DingTalk is taking the digest.
    const robot = fake.robot('crashtoken', { delayMs: 1_500 });
    const yaml = `
receivers:
  - name: crash
    dingtalk_configs:
      - url: ${robot}
        rate_limit: { max: 2, per: 10s }
`;
    const dir = mkdtempSync(join(tmpdir(), 'digest-crash-'));
    const configFile = join(dir, 'relay.yml');
    writeFileSync(configFile, yaml);
    const prefix = uniquePrefix();
    ingest = await startRelay({ features: [IngestModule], yaml, queuePrefix: prefix });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix });
    const startWorker = async () => {
      const worker = await startAppProcess('dingtalk-worker', { RELAY_CONFIG: configFile, QUEUE_PREFIX: prefix });
      workers.push(worker);
      return worker;
    };
    const first = await startWorker();

    const jobIds: string[] = [];
    for (let i = 0; i < 7; i++) {
      const body = notification({ groupKey: `g-crash-${i}` });
      body.alerts[0].annotations = { summary: `[${label(i)}] queue stuck` };
      const res = await postJson(`${ingest.url}/webhook/crash`, body);
      expect(res.status).toBe(202);
      jobIds.push(res.body.jobs[0].jobId);
      if (i === 0) await eventually(() => fake.requestsTo('crashtoken').length === 1);
    }

    // The digest reaches DingTalk; the worker dies before DingTalk's answer comes back.
    const digestRequest = await eventually(() => fake.requestsTo('crashtoken').find((r) => r.body.includes('[DIGEST]')), 20_000, 5);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const carriedInDigest = [...digestRequest.body.matchAll(/\[(crash-\d)\]/g)].map((m) => m[1]);
    expect(carriedInDigest.length).toBeGreaterThan(1);
    // DingTalk took it: those alerts were shown, though the worker never heard so.
    await eventually(() => fake.delivered.some((m) => JSON.stringify(m.body).includes('[DIGEST]')), 5_000);

    await startWorker();
    const restarted = Date.now();
    const shownCount = (l: string) => fake.messagesTo('crashtoken').filter((m) => m.markdown.text.includes(`[${l}]`)).length;
    await eventually(() => jobIds.every((_, i) => shownCount(label(i)) >= 1), 120_000, 250);
    // The dead worker's job was taken up without waiting for BullMQ's default minute and more.
    await eventually(async () => (await queue.getActiveCount()) === 0 && (await queue.getWaitingCount()) === 0, 60_000, 250);
    expect(Date.now() - restarted).toBeLessThan(40_000);
    const jobs: Job[] = await Promise.all(jobIds.map((id) => settledJob(queue, id, 120_000)));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(Array(7).fill('completed'));
    expect(await queue.getFailedCount()).toBe(0);
    // At least once: what the dead worker's digest carried may be shown again, never dropped.
    for (const l of carriedInDigest) expect(shownCount(l)).toBeGreaterThanOrEqual(1);
    expect(carriedInDigest.some((l) => shownCount(l) >= 2)).toBe(true);
  }, 180_000);
});
