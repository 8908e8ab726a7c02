import { workerModules } from '@relay/runtime';
import { jobOptions } from '@relay/delivery';
import { DeliveryJobData, queueName, WebhookPayload } from '@relay/models';
import { eventually, InProcessRelay, notification, startRelay } from '@relay/testing';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeWecom } from '../fakes/wecom.fake';

describe('wecom_robot worker (real Redis, fake WeCom group robots)', () => {
  let wecom: FakeWecom;
  let relay: InProcessRelay;
  let redis: Redis;
  let queue: Queue<DeliveryJobData>;

  beforeAll(async () => {
    wecom = await FakeWecom.start();
    relay = await startRelay({
      features: [...workerModules(['wechat', 'wecom_robot'])],
      yaml: `
receivers:
  - name: ops
    wecom_robot_configs:
      - name: paced
        url: ${wecom.robot('paced-key')}
        digest: false      # the pacing test counts one message per notification
      - name: paced-twin   # the same robot under another name: it shares the robot's 20 a minute
        url: ${wecom.baseUrl}/cgi-bin/webhook/send?key=paced-key
        digest: false
      - name: too-eager
        url: ${wecom.robot('eager-key')}
        rate_limit: { max: 100, per: 1m, penalty: 1m }   # above WeCom's 20/minute on purpose
      - name: removed
        url: ${wecom.baseUrl}/cgi-bin/webhook/send?key=removed-robot-key
      - name: text-with-mentions
        url: ${wecom.robot('text-key')}
        msgtype: text
        mentioned_list: ['@all']
        mentioned_mobile_list: ['13800001111']
`,
    });
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue(queueName('wecom_robot'), { connection: redis, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    redis.disconnect();
    await wecom.close();
  });

  async function enqueue(target: string, count: number, payload: () => WebhookPayload = () => notification()): Promise<Job<DeliveryJobData>[]> {
    return queue.addBulk(
      Array.from({ length: count }, (_, i) => ({
        name: 'deliver',
        data: { receiver: 'ops', channel: 'wecom_robot' as const, target, notification: { ...payload(), groupKey: `${target}-${i}` }, receivedAt: Date.now() },
        opts: { ...jobOptions(), jobId: `${target}-${i}` },
      })),
    );
  }
  const states = async (jobs: Job[]) => Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))!.getState()));
  const count = (list: string[], state: string) => list.filter((s) => s === state).length;
  const requestsTo = (key: string) => wecom.requests.filter((r) => r.url.includes(`key=${key}`)).length;

  it('sends at most 20 a minute to a robot by default, across the targets sharing it, holding the rest without spending attempts', async () => {
    const jobs = [...(await enqueue('paced', 13)), ...(await enqueue('paced-twin', 12))];
    const settled = await eventually(async () => {
      const now = await states(jobs);
      return count(now, 'completed') === 20 && count(now, 'delayed') === 5 && now;
    });
    expect(settled).toHaveLength(25);
    expect(wecom.robotMessages('paced-key')).toHaveLength(20);
    expect(wecom.robotThrottled).toBe(0);
    const waiting = (await Promise.all(jobs.map((j) => queue.getJob(j.id!)))).filter((_, i) => settled[i] === 'delayed');
    expect(waiting.map((j) => j!.attemptsMade)).toEqual([0, 0, 0, 0, 0]);
  });

  it("pauses a robot WeCom throttled (45009) instead of retrying into WeCom's limit", async () => {
    const jobs = await enqueue('too-eager', 25);
    await eventually(async () => {
      const now = await states(jobs);
      return count(now, 'completed') === 20 && count(now, 'delayed') === 5;
    });
    expect(wecom.robotMessages('eager-key')).toHaveLength(20);
    const requests = requestsTo('eager-key');
    expect(requests).toBeGreaterThan(20);
    // Paused: nothing more goes to the robot while its penalty lasts.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(requestsTo('eager-key')).toBe(requests);
    const after = await states(jobs);
    expect(after).not.toContain('failed');
    const held = (await Promise.all(jobs.map((j) => queue.getJob(j.id!)))).filter((_, i) => after[i] === 'delayed');
    expect(held.every((j) => j!.attemptsMade === 0 && j!.delay >= 50_000)).toBe(true);
  });

  it('fails a removed robot (93000) at once with the reason and without its key', async () => {
    const [job] = await enqueue('removed', 1);
    await eventually(async () => (await states([job]))[0] === 'failed');
    const failed = (await queue.getJob(job.id!))!;
    expect(failed.failedReason).toMatch(/^errcode_93000: WeCom robot errcode 93000: invalid webhook url.*\(the robot key is invalid/);
    expect(failed.failedReason).not.toContain('removed-robot-key');
    expect(failed.attemptsMade).toBe(1);
    expect(requestsTo('removed-robot-key')).toBe(1);
  });

  it('sends text with mentions, within 2048 bytes for a large notification', async () => {
    const [job] = await enqueue('text-with-mentions', 1, () => notification({ alertCount: 30 }));
    await eventually(async () => (await states([job]))[0] === 'completed');
    const [body] = wecom.robotMessages('text-key');
    expect(body.text).toMatchObject({ mentioned_list: ['@all'], mentioned_mobile_list: ['13800001111'] });
    expect(Buffer.byteLength(body.text.content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(body.text.content).toMatch(/… and \d+ more firing alerts$/);
  });
});
