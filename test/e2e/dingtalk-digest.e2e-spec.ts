import { workerModules } from '@relay/runtime';
import { Job, Queue } from 'bullmq';
import { queueName } from '@relay/models';
import { busiestWindow, dumpRedis, eventually, InProcessRelay, metricValue, notification, postJson, settledJob, sleep, startRelay } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';

const label = (i: number) => `storm-${String(i).padStart(3, '0')}`;

/** A single-alert notification of its own group, told apart by its instance and summary. */
function stormNotification(i: number, extraLabels: Record<string, string> = {}) {
  const body = notification({ groupKey: `{}:{instance="${label(i)}"}`, groupLabels: { instance: label(i) } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: label(i), ...extraLabels };
  body.alerts[0].annotations = { summary: `[${label(i)}] disk almost full` };
  body.alerts[0].fingerprint = (0x1000 + i).toString(16).padStart(16, '0');
  return body;
}

const textOf = (message: any): string => message.markdown?.text ?? message.text?.content ?? '';

describe('DingTalk digests: a throttled robot shows its whole backlog in a few messages', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    // DingTalk's real limits: 20 a minute, then 130101 for 10 minutes.
    const storm = fake.robot('stormtoken');
    const slow = fake.robot('supersedetoken');
    const fallback = fake.robot('fallbacktoken');
    const refusing = fake.robot('refusingtoken');
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      yaml: `
global:
  timezone: Asia/Shanghai
receivers:
  - name: storm
    dingtalk_configs:
      - url: ${storm}
        mentions: { from_label: owner_mobile }
  - name: supersede
    dingtalk_configs:
      - url: ${slow}
        rate_limit: { max: 2, per: 20s }
  - name: refusing
    dingtalk_configs:
      - url: ${refusing}
        rate_limit: { max: 2, per: 20s }
  - name: fallback
    dingtalk_configs:
      - url: ${fallback}
        title: 'disk report'
        text: '{{ (index .Alerts 3).Labels.instance }} is the fourth'
`,
    });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  it('200 notifications within a minute to a 20-a-minute robot: every alert shown within 2 minutes, never throttled, at most 20 messages a minute', async () => {
    const first = Date.now();
    const mobiles = new Map<number, string>([
      [40, '13900000040'],
      [120, '13900000120'],
      [199, '13900000199'],
    ]);
    const jobIds: string[] = [];
    for (let i = 0; i < 200; i++) {
      const mobile = mobiles.get(i);
      const res = await postJson(`${relay.url}/webhook/storm`, stormNotification(i, mobile ? { owner_mobile: mobile } : {}));
      expect(res.status).toBe(202);
      jobIds.push(res.body.jobs[0].jobId);
      await sleep(270); // 200 over about 55 s
    }

    const shown = () => new Set(fake.messagesTo('stormtoken').flatMap((m) => [...textOf(m).matchAll(/\[(storm-\d{3})\]/g)].map((x) => x[1])));
    await eventually(() => shown().size === 200, 120_000 - (Date.now() - first), 250);
    const allShownAfter = Date.now() - first;
    expect(allShownAfter).toBeLessThan(120_000);

    expect(fake.throttled).toBe(0);
    const times = fake.delivered.filter((m) => m.token === 'stormtoken').map((m) => m.at);
    expect(busiestWindow(times, 60_000)).toBeLessThanOrEqual(20);
    const messages = fake.messagesTo('stormtoken');
    expect(messages.length).toBeLessThan(40);
    // Each digest shows status, name, summary, the alert's own labels and its start in global.timezone.
    const digest = messages.find((m) => textOf(m).includes('[DIGEST]'))!;
    expect(digest).toBeDefined();
    expect(digest.markdown.title).toMatch(/^\[DIGEST\] \d+ firing · HighLatency$/);
    expect(textOf(digest)).toMatch(/🔥 \*\*HighLatency\*\* \[critical\] \[storm-\d{3}\] disk almost full · instance=storm-\d{3}, job=api.* · since 2026-11-20 16:00:00 CST/);
    // The mentions of the folded notifications are merged: each mobile is @-ed in the message showing its alert.
    for (const [i, mobile] of mobiles) {
      const carrying = messages.find((m) => textOf(m).includes(`[${label(i)}]`));
      expect(carrying.at.atMobiles).toContain(mobile);
      expect(textOf(carrying)).toContain(`@${mobile}`);
    }

    const jobs: Job[] = await Promise.all(jobIds.map((id) => settledJob(queue, id, 30_000)));
    expect(new Set(await Promise.all(jobs.map((j) => j.getState())))).toEqual(new Set(['completed']));
    const carried = jobs.filter((j) => j.returnvalue.carriedBy);
    const senders = jobs.filter((j) => j.returnvalue.digest);
    expect(carried.length).toBeGreaterThan(150);
    for (const job of carried) expect(jobIds).toContain(job.returnvalue.carriedBy);
    // Every folded job is named by the sender that carried it.
    const named = new Set(senders.flatMap((s) => s.returnvalue.digest.carried));
    for (const job of carried) expect(named.has(job.id)).toBe(true);
    const { logs } = await queue.getJobLogs(carried[0].id!);
    expect(logs.join('\n')).toMatch(new RegExp(`waiting for the target[^]*delivered in the digest message of job ${carried[0].returnvalue.carriedBy}`));

    // Nothing about the digests (pending sets, claims, records, job logs) names a robot's token.
    const everything = await dumpRedis(process.env.REDIS_URL!, relay.runtime.queuePrefix);
    expect(everything).toContain('delivered in the digest message of job');
    expect(everything).not.toContain('stormtoken');

    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    const labels = { channel: 'dingtalk', target: 'storm/dingtalk/0' };
    expect(metricValue(metrics, 'alert_relay_digest_notifications_total', labels)).toBe(carried.length + senders.length);
    expect(metricValue(metrics, 'alert_relay_digest_messages_total', labels)).toBeGreaterThanOrEqual(senders.length);
  }, 200_000);

  it('a notification superseded while it waited (firing, then resolved) is shown once, resolved', async () => {
    // The first fills the free part of the window; the next ones wait for the digest's turn.
    expect((await postJson(`${relay.url}/webhook/supersede`, stormNotification(500))).status).toBe(202);
    await eventually(() => fake.messagesTo('supersedetoken').length === 1);
    const other = await postJson(`${relay.url}/webhook/supersede`, stormNotification(501));
    const firing = await postJson(`${relay.url}/webhook/supersede`, stormNotification(502));
    const resolvedBody = stormNotification(502);
    resolvedBody.status = 'resolved';
    resolvedBody.alerts[0].status = 'resolved';
    resolvedBody.alerts[0].endsAt = '2026-11-20T08:30:00Z';
    await sleep(5); // received later than the firing one
    const resolved = await postJson(`${relay.url}/webhook/supersede`, resolvedBody);

    await eventually(() => fake.messagesTo('supersedetoken').length >= 2, 20_000, 100);
    const later = fake.messagesTo('supersedetoken').slice(1).map(textOf).join('\n');
    expect(later.match(/\[storm-502\]/g)).toHaveLength(1);
    expect(later).toMatch(/✅ \*\*HighLatency\*\* \[critical\] \[storm-502\].*2026-11-20 16:00:00 CST → 2026-11-20 16:30:00 CST/);
    expect(later).toContain('[storm-501]');

    const firingJob: Job = await settledJob(queue, firing.body.jobs[0].jobId);
    const resolvedJob: Job = await settledJob(queue, resolved.body.jobs[0].jobId);
    const otherJob: Job = await settledJob(queue, other.body.jobs[0].jobId);
    expect(firingJob.returnvalue).toMatchObject({ superseded: true });
    const sender = [firingJob, resolvedJob, otherJob].find((j) => j.returnvalue.digest)!;
    expect(sender.returnvalue.digest.superseded).toEqual([firingJob.id]);
  }, 40_000);

  it('a template that fails on one notification falls back to the default template, with a line naming the error', async () => {
    const res = await postJson(`${relay.url}/webhook/fallback`, stormNotification(600));
    const [message] = await eventually(() => fake.messagesTo('fallbacktoken').length > 0 && fake.messagesTo('fallbacktoken'));
    expect(textOf(message)).toMatch(/^⚠ The template of fallback\/dingtalk\/0 failed on this notification, so alert-relay's default template was used\. .*index out of range/);
    expect(textOf(message)).toContain('[storm-600] disk almost full');
    const job: Job = await settledJob(queue, res.body.jobs[0].jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue.templateFallback).toMatch(/index out of range/);

    // Where the data fits the template, the target's own template is used.
    const four = notification({ groupKey: 'g-four', alertCount: 4 });
    await postJson(`${relay.url}/webhook/fallback`, four);
    await eventually(() => fake.messagesTo('fallbacktoken').some((m) => textOf(m) === 'api-3:9090 is the fourth'), 10_000);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metricValue(metrics, 'alert_relay_deliveries_total', { channel: 'dingtalk', target: 'fallback/dingtalk/0', outcome: 'delivered', reason: 'template_fallback' })).toBe(1);
    expect(metricValue(metrics, 'alert_relay_deliveries_total', { channel: 'dingtalk', target: 'fallback/dingtalk/0', outcome: 'delivered', reason: 'ok' })).toBe(1);
  });

  it('a digest message refused for good fails no job for another: the sender goes alone, the rest in the next digest', async () => {
    expect((await postJson(`${relay.url}/webhook/refusing`, stormNotification(700))).status).toBe(202);
    await eventually(() => fake.messagesTo('refusingtoken').length === 1);
    const waiting = [];
    for (const i of [701, 702, 703]) waiting.push((await postJson(`${relay.url}/webhook/refusing`, stormNotification(i))).body.jobs[0].jobId);
    // The next request (the digest of 701-703) is refused as DingTalk refuses moderated content: for good.
    fake.failNext(430101, '消息内容中含有敏感词', 1, 'refusingtoken');
    const shown = () => fake.messagesTo('refusingtoken').map(textOf).join('\n');
    await eventually(() => ['[storm-701]', '[storm-702]', '[storm-703]'].every((l) => shown().includes(l)), 40_000, 100);
    expect(fake.answersTo('refusingtoken').map((a) => a.errcode)).toContain(430101);
    const jobs: Job[] = await Promise.all(waiting.map((id) => settledJob(queue, id)));
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(['completed', 'completed', 'completed']);
    const logs = (await Promise.all(waiting.map((id) => queue.getJobLogs(id)))).flatMap((l) => l.logs).join('\n');
    expect(logs).toMatch(/a digest message was refused \(errcode_430101: .*\); sending this notification on its own/);
  }, 60_000);
});
