import { workerModules } from '@relay/runtime';
import type { DeliveryResult, WebhookPayload } from '@relay/models';
import { queueName } from '@relay/models';
import { busiestWindow, InProcessRelay, notification, postJson, settledJob, startRelay } from '@relay/testing';
import { Job, Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeWecom } from '../fakes/wecom.fake';

const SECRET = 'wecom-digest-secret-0123456789abcdefghijklmn';
const MINUTE = 60_000;
const fingerprintOf = (alert: string) => createHash('sha256').update(alert).digest('hex').slice(0, 16);

/**
 * A burst beyond a WeCom target's rate, through ingest as Alertmanager sends it: the relay may not
 * exceed the target's rate, yet every alert must reach people within the minute. Targets are at
 * their default rates unless a test needs a target throttled at once.
 */
describe('WeCom digests under throttling (ingest → Redis → wechat worker → fake WeCom)', () => {
  let wecom: FakeWecom;
  let relay: InProcessRelay;
  let queues: { wechat: Queue; wecom_robot: Queue };

  beforeAll(async () => {
    wecom = await FakeWecom.start();
    wecom.app({ corpId: 'ww-digest', secret: SECRET, agentId: 1000002, users: ['alice', 'bob'] });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['wechat', 'wecom_robot'])],
      env: { WECHAT_SECRET: SECRET },
      yaml: `
global:
  wechat_api_url: ${wecom.apiUrl}
  wechat_api_corp_id: ww-digest
  wechat_api_secret: \${WECHAT_SECRET}
receivers:
  - name: app-burst
    wechat_configs:
      - { name: app-burst, agent_id: 1000002, to_user: alice }
  - name: robot-burst
    wecom_robot_configs:
      - { name: robot-burst, url: '${wecom.robot('burst-key')}' }
  - name: app-superseded
    wechat_configs:
      - { name: app-superseded, agent_id: 1000002, to_user: bob, send_resolved: true, rate_limit: { max: 2, per: 10s } }
  - name: robot-superseded
    wecom_robot_configs:
      - { name: robot-superseded, url: '${wecom.robot('superseded-key')}', rate_limit: { max: 2, per: 10s } }
`,
    });
    const connection = { url: process.env.REDIS_URL } as any;
    queues = {
      wechat: new Queue(queueName('wechat'), { connection, prefix: relay.runtime.queuePrefix }),
      wecom_robot: new Queue(queueName('wecom_robot'), { connection, prefix: relay.runtime.queuePrefix }),
    };
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await relay.close();
    await wecom.close();
  });

  /** What people saw: the content of each message that reached them, and when it arrived. */
  const shownBy = {
    wechat: (user: string) => wecom.delivered.filter((m) => m.reached.includes(user)).map((m) => ({ content: String(m.body[m.body.msgtype].content), at: m.at })),
    wecom_robot: (key: string) => wecom.robotDelivered.filter((m) => m.key === key).map((m) => ({ content: String(m.body[m.body.msgtype].content), at: m.at })),
  };

  /** One alert in a group of its own, told apart by its summary `<tag>-<i> latency above 2s` (and instance); the same tag and i is the same alert. */
  function alertNotification(tag: string, i: number, status: 'firing' | 'resolved' = 'firing'): WebhookPayload {
    const [alert] = notification({ status }).alerts;
    return notification({
      groupKey: `{}:{alertname="HighLatency",instance="${tag}-${i}"}`,
      status,
      alerts: [{ ...alert, labels: { ...alert.labels, instance: `${tag}-${i}:9090` }, annotations: { summary: `${tag}-${i} latency above 2s` }, fingerprint: fingerprintOf(`${tag}-${i}`) }],
    });
  }

  /** Posts `count` notifications to a receiver, evenly over `overMs` (0: one after another), as Alertmanager's groups flush; their job ids. */
  async function postBurst(receiver: string, tag: string, count: number, overMs: number): Promise<string[]> {
    const jobIds: string[] = [];
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      const due = started + (i * overMs) / count;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const res = await postJson(`${relay.url}/webhook/${receiver}`, alertNotification(tag, i));
      expect(res.status).toBe(202);
      jobIds.push(res.body.jobs[0].jobId);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    return jobIds;
  }

  /** The most messages any window of `windowMs` holds. */

  /** Every alert `<tag>-<i>` shown exactly once, within a minute of the first POST. */
  function expectEveryAlertShownOnceWithinAMinute(shown: Array<{ content: string; at: number }>, tag: string, count: number, firstPostAt: number): void {
    const sightings = shown.flatMap(({ content, at }) => [...content.matchAll(new RegExp(`\\b${tag}-(\\d+) latency above 2s`, 'g'))].map((m) => ({ i: Number(m[1]), at })));
    expect(sightings.map((s) => s.i).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    const latest = Math.max(...sightings.map((s) => s.at));
    expect(latest - firstPostAt).toBeLessThanOrEqual(MINUTE);
  }

  /** Every job completed: each sent its own message, or names the job whose digest carried it, and that job lists it. */
  async function expectEveryJobCompletedOrCarried(queue: Queue, jobIds: string[]): Promise<Map<string, DeliveryResult>> {
    const jobs: Job[] = await Promise.all(jobIds.map((id) => settledJob(queue, id, 90_000)));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(jobIds.map(() => 'completed'));
    const results = new Map(jobs.map((j) => [j.id!, j.returnvalue as DeliveryResult]));
    const carried = [...results].filter(([, r]) => r.carriedBy);
    expect(carried.length).toBeGreaterThan(0);
    for (const [id, result] of carried) {
      expect(result.carriedBy).not.toBe(id);
      expect(results.get(result.carriedBy!)?.digest?.carried).toContain(id);
    }
    // Each digest sender's list is exactly the jobs that name it.
    for (const [id, result] of results) {
      if (result.digest) expect([...result.digest.carried].sort()).toEqual(carried.filter(([, r]) => r.carriedBy === id).map(([c]) => c).sort());
    }
    return results;
  }

  it('shows all of 50 notifications posted within 10 s to a WeCom app at 15 a minute within the minute, in at most 15 messages of 2048 bytes', async () => {
    const firstPostAt = Date.now();
    // Spread over 10 s, as Alertmanager's groups flush: each digest holds more alerts than one
    // 2048-byte message, so digests are split.
    const jobIds = await postBurst('app-burst', 'app', 50, 9_500);
    const results = await expectEveryJobCompletedOrCarried(queues.wechat, jobIds);

    const shown = shownBy.wechat('alice');
    expectEveryAlertShownOnceWithinAMinute(shown, 'app', 50, firstPostAt);
    expect(busiestWindow(shown.map((m) => m.at), MINUTE)).toBeLessThanOrEqual(15);
    expect(wecom.silentlyDropped).toBe(0);
    // The backlog did not fit one message: the digest was split, each part within WeCom's limit.
    expect(Math.max(...[...results.values()].map((r) => r.digest?.messages ?? 0))).toBeGreaterThan(1);
    for (const { content } of shown) expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(2048);
  }, 100_000);

  it('shows all of 40 notifications posted within 10 s to a WeCom group robot at 20 a minute within the minute, without WeCom throttling it', async () => {
    const firstPostAt = Date.now();
    const jobIds = await postBurst('robot-burst', 'robot', 40, 9_500);
    await expectEveryJobCompletedOrCarried(queues.wecom_robot, jobIds);

    const shown = shownBy.wecom_robot('burst-key');
    expectEveryAlertShownOnceWithinAMinute(shown, 'robot', 40, firstPostAt);
    expect(busiestWindow(shown.map((m) => m.at), MINUTE)).toBeLessThanOrEqual(20);
    expect(wecom.robotThrottled).toBe(0);
  }, 100_000);

  it.each([
    ['wechat', 'app-superseded', () => shownBy.wechat('bob')],
    ['wecom_robot', 'robot-superseded', () => shownBy.wecom_robot('superseded-key')],
  ] as const)('%s: shows a group that fired and resolved while the target was throttled once, resolved', async (channel, receiver, shown) => {
    const post = async (body: WebhookPayload) => {
      const res = await postJson(`${relay.url}/webhook/${receiver}`, body);
      expect(res.status).toBe(202);
      return res.body.jobs[0].jobId as string;
    };
    // The first notification takes the target's free place; what follows waits for its next turn.
    const opener = await post(alertNotification(`${channel}-opener`, 0));
    expect(await (await settledJob(queues[channel], opener)).getState()).toBe('completed');
    const other = await post(alertNotification(`${channel}-other`, 0));
    const firing = await post(alertNotification(`${channel}-flap`, 0));
    const resolved = await post(alertNotification(`${channel}-flap`, 0, 'resolved'));

    // A job that found the digest in flight can sleep until the sender's claim expires (about 25 s):
    // the sender wakes the jobs it carried, but may do so before one of them has gone to sleep.
    const jobs: Job[] = await Promise.all([other, firing, resolved].map((id) => settledJob(queues[channel], id, 60_000)));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(['completed', 'completed', 'completed']);
    const results = new Map(jobs.map((j) => [j.id!, j.returnvalue as DeliveryResult]));
    const senders = [...results].filter(([, r]) => r.digest);
    expect(senders).toHaveLength(1);
    const [[senderId, sender]] = senders;
    expect(sender.digest).toMatchObject({ messages: 1 });
    expect([...results].filter(([id]) => id !== senderId).map(([, r]) => r.carriedBy)).toEqual([senderId, senderId]);
    // Which waiting job sends is a race; when another one did, the firing job says it was replaced.
    if (senderId !== firing) {
      expect(results.get(firing)).toMatchObject({ carriedBy: senderId, superseded: true });
      expect(sender.digest!.superseded).toEqual([firing]);
    }

    // Every job of the group has completed, so nothing is left to show it again.
    const flap = shown().filter((m) => m.content.includes(`${channel}-flap-0 latency above 2s`));
    expect(flap).toHaveLength(1);
    const lines = flap[0].content.split('\n').filter((l) => l.includes(`${channel}-flap-0 latency above 2s`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('RESOLVED');
    expect(lines[0]).not.toContain('FIRING');
    expect(flap[0].content).toMatch(new RegExp(`FIRING.*${channel}-other-0 latency above 2s`));
  }, 90_000);
});
