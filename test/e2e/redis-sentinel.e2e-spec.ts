import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, eventually, notification, postJson, sleep, startAppProcess, uniquePrefix } from '@relay/testing';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { killStrayNodeChildren, SentinelGroup, startSentinelGroup } from '../support/redis-topologies';

const marker = (i: number) => `failover-${String(i).padStart(4, '0')}`;

/** A single-alert notification of its own group, so ingest never takes it for a repeat of another. */
function failoverNotification(i: number) {
  const body = notification({ groupKey: `{}:{instance="${marker(i)}"}`, groupLabels: { instance: marker(i) }, receiver: 'ops' });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: marker(i) };
  body.alerts[0].annotations = { summary: `[${marker(i)}] latency` };
  body.alerts[0].fingerprint = (0x5000 + i).toString(16).padStart(16, '0');
  return body;
}

describe('Redis Sentinel: ingest and a DingTalk worker through a failover (SIGKILLed primary, promoted replica)', () => {
  let group: SentinelGroup;
  let fake: FakeDingtalk;
  let ingest: AppProcess;
  let worker: AppProcess;

  // Generous: the Redis processes and the relay's Node processes (TypeScript compiled on load)
  // took over 35 s to come up on a two-core machine busy with other test runs.
  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const robot = fake.robot('failovertoken', { max: 100_000, windowMs: 1_000 });
    group = await startSentinelGroup();
    const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-e2e-'));
    const config = join(dir, 'relay.yml');
    writeFileSync(
      config,
      `
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${robot}
        rate_limit: { max: 100000, per: 1s }   # this file counts alerts, not pacing
        digest: false
`,
    );
    const env = { REDIS_URL: group.url, RELAY_CONFIG: config, QUEUE_PREFIX: uniquePrefix() };
    [ingest, worker] = await Promise.all([startAppProcess('ingest', env), startAppProcess('dingtalk-worker', env)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled([ingest?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
    killStrayNodeChildren();
    await group?.stop();
    await fake?.close();
  });

  it('delivers every notification: those answered 202 before or after, and those answered 503 during the failover once retried', async () => {
    const answers = new Map<number, number[]>();
    /** As Alertmanager does: POST, and on a 5xx or no answer retry after a pause, until accepted. */
    const alertmanager = async (i: number) => {
      const seen: number[] = [];
      answers.set(i, seen);
      const giveUpAt = Date.now() + 30_000;
      for (;;) {
        const status = await postJson(`${ingest.url}/webhook`, failoverNotification(i)).then(
          (r) => r.status,
          () => 0,
        );
        seen.push(status);
        if (status === 202) return;
        if (status < 500 && status !== 0) throw new Error(`notification ${i} answered ${status}`);
        if (Date.now() > giveUpAt) throw new Error(`notification ${i} not accepted within 30 s (answers: ${seen.join(', ')})\n--- ingest ---\n${ingest.output().slice(-3_000)}`);
        await sleep(100);
      }
    };

    let next = 0;
    const inFlight: Array<Promise<void>> = [];
    let sending = true;
    // Four Alertmanager-like senders, each posting one notification every 20 ms or so.
    const senders = Array.from({ length: 4 }, async () => {
      while (sending) {
        const delivery = alertmanager(next++);
        inFlight.push(delivery);
        await Promise.race([delivery, sleep(20)]);
      }
    });

    await eventually(() => fake.delivered.length >= 20, 10_000);
    const oldPrimary = group.primary.port;
    await group.primary.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => (await group.agreedPrimaryPort()) === group.replica.port, 30_000, 100);
    const promotedAfterMs = Date.now() - killedAt;
    // Keep posting a little after the promotion: the relay must find the new primary on its own.
    await sleep(1_500);
    sending = false;
    await Promise.all(senders);
    await Promise.all(inFlight);

    const total = next;
    const deliveredAlerts = () => new Set(fake.messagesTo('failovertoken').flatMap((m) => (m.markdown?.text ?? m.text?.content ?? '').match(/failover-\d{4}/g) ?? []));
    await eventually(() => deliveredAlerts().size === total, 30_000, 100).catch((e) => {
      const missing = Array.from({ length: total }, (_, i) => marker(i)).filter((m) => !deliveredAlerts().has(m));
      throw new Error(`${e.message}: ${missing.length} of ${total} never delivered (${missing.slice(0, 10).join(', ')}…)\n--- worker ---\n${worker.output().slice(-6_000)}\n--- ingest ---\n${ingest.output().slice(-3_000)}`);
    });

    const retried = [...answers.values()].filter((seen) => seen.length > 1);
    const refusedDuringFailover = retried.filter((seen) => seen.some((s) => s === 503));
    // The failover really was in the way of some notifications, and none was lost to it.
    expect(refusedDuringFailover.length).toBeGreaterThan(0);
    expect([...answers.values()].every((seen) => seen[seen.length - 1] === 202)).toBe(true);
    expect(deliveredAlerts()).toEqual(new Set(Array.from({ length: total }, (_, i) => marker(i))));
    expect(group.replica.port).not.toBe(oldPrimary);
    expect((await fetch(`${ingest.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${worker.url}/health/ready`)).status).toBe(200);
    // Neither process had to be restarted to follow the new primary.
    expect(ingest.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    process.stdout.write(`sentinel failover: ${total} notifications, ${refusedDuringFailover.length} answered 503 first, promoted ${promotedAfterMs} ms after the kill\n`);
  }, 60_000);
});
