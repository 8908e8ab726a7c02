import { workerModules } from '@relay/runtime';
import { Job, Queue } from 'bullmq';
import { queueName } from '@relay/models';
import { eventually, InProcessRelay, metricValue, notification, postJson, settledJob, sleep, startRelay } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { SLACK_MAX_TEXT_BYTES } from '@relay/channels';
import { FakeSlack } from '../fakes/slack.fake';

const label = (i: number) => `worker-${String(i).padStart(3, '0')}`;

/** A single-alert notification of its own group, told apart by its instance and summary. */
function stormNotification(i: number) {
  const body = notification({ groupKey: `{}:{instance="${label(i)}"}`, groupLabels: { instance: label(i) } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: label(i) };
  body.alerts[0].annotations = { summary: `queue backlog on ${label(i)}` };
  body.alerts[0].fingerprint = (0x2000 + i).toString(16).padStart(16, '0');
  return body;
}

const textOf = (message: any): string => message.attachments?.[0]?.text ?? '';

describe('Slack digests: a throttled webhook shows its whole backlog in a few messages', () => {
  let fake: FakeSlack;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeSlack.start();
    // Both webhooks are Slack's own rate: bursts of 3, then about one a second, then 429 with Retry-After.
    const paced = fake.webhook('pacedhook');
    const eager = fake.webhook('eagerhook');
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['slack'])],
      yaml: `
receivers:
  - name: paced      # the default rate_limit: 3 in 3s
    slack_configs:
      - api_url: ${paced}
        channel: '#alerts'
        username: alert-bot
        icon_emoji: ':rotating_light:'
  - name: eager      # a rate_limit far above Slack's: only Slack's 429s hold it back
    slack_configs:
      - api_url: ${eager}
        rate_limit: { max: 20, per: 1s }
`,
    });
    queue = new Queue(queueName('slack'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  it("the fake is Slack's rate: a burst of 3, then about one a second; beyond it 429 and a Retry-After after which it takes the next", async () => {
    const url = fake.webhook('probehook');
    const post = () => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'probe' }) });
    const burst = [await post(), await post(), await post()];
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = await post();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Inside the Retry-After: refused again, and recorded as a request that came too early.
    expect((await post()).status).toBe(429);
    expect(fake.early.filter((e) => e.target === 'webhook:probehook')).toHaveLength(1);
    await sleep(retryAfter * 1000 + 50);
    expect((await post()).status).toBe(200);
    // One a second, not another burst: the bucket has had one second to refill one message.
    expect((await post()).status).toBe(429);
    fake.early.splice(0);
  });

  /** Posts 100 single-alert notifications over 10 s; resolves with their job ids and when the first went. */
  async function storm(receiver: string): Promise<{ jobIds: string[]; first: number }> {
    const first = Date.now();
    const jobIds: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await postJson(`${relay.url}/webhook/${receiver}`, stormNotification(i));
      expect(res.status).toBe(202);
      jobIds.push(res.body.jobs[0].jobId);
      await sleep(first + (i + 1) * 95 - Date.now());
    }
    expect(Date.now() - first).toBeLessThan(10_000);
    return { jobIds, first };
  }

  /**
   * Every alert shown within 30 s of the first POST, and only once: the jobs waiting for a digest
   * wake together, and one refused at the rate gate just as another took it into its digest must
   * not wait again (and be shown again by the next one).
   */
  async function everyAlertShown(target: string, first: number): Promise<any[]> {
    const shownAt = () => {
      const at = new Map<string, number[]>();
      for (const m of fake.posted.filter((p) => p.target === target)) {
        for (const [, instance] of textOf(m.body).matchAll(/queue backlog on (worker-\d{3})/g)) at.set(instance, [...(at.get(instance) ?? []), m.at]);
      }
      return at;
    };
    await eventually(() => shownAt().size === 100, 30_000 - (Date.now() - first) + 1_000, 200);
    const at = shownAt();
    for (let i = 0; i < 100; i++) expect(at.get(label(i))![0] - first).toBeLessThanOrEqual(30_000);
    expect([...at].filter(([, times]) => times.length > 1)).toEqual([]);
    return fake.messagesTo(target);
  }

  /**
   * Every job completed: the folded ones name the job that carried them, and that job names them.
   * A folded job that saw the sender's claim just before the sender finished waits out the claim's
   * lease before completing (the sender's promote came before it had moved to the delayed set).
   */
  async function everyJobCompleted(jobIds: string[]): Promise<{ carried: Job[]; senders: Job[] }> {
    const jobs: Job[] = await Promise.all(jobIds.map((id) => settledJob(queue, id, 90_000)));
    expect(new Set(await Promise.all(jobs.map((j) => j.getState())))).toEqual(new Set(['completed']));
    const carried = jobs.filter((j) => j.returnvalue.carriedBy);
    const senders = jobs.filter((j) => j.returnvalue.digest);
    expect(carried.length).toBeGreaterThan(50);
    expect(senders.length).toBeGreaterThan(0);
    const named = new Set(senders.flatMap((s) => s.returnvalue.digest.carried as string[]));
    for (const job of carried) {
      expect(jobIds).toContain(job.returnvalue.carriedBy);
      expect(named.has(job.id!)).toBe(true);
    }
    // A job is carried or sends, never both; and no sender names a job that did not complete as carried.
    expect(carried.filter((j) => j.returnvalue.digest)).toEqual([]);
    expect([...named].sort()).toEqual(carried.map((j) => j.id!).sort());
    return { carried, senders };
  }

  async function digestMetrics(target: string) {
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    const labels = { channel: 'slack', target };
    return {
      messages: metricValue(metrics, 'alert_relay_digest_messages_total', labels) ?? 0,
      notifications: metricValue(metrics, 'alert_relay_digest_notifications_total', labels) ?? 0,
    };
  }

  it('100 notifications in 10 s at the default rate_limit: every alert shown within 30 s in digests, and Slack never had to say 429', async () => {
    const { jobIds, first } = await storm('paced');
    const messages = await everyAlertShown('webhook:pacedhook', first);

    // Far fewer messages than notifications, none sent faster than Slack takes them.
    expect(messages.length).toBeLessThan(40);
    expect(fake.early).toEqual([]);
    expect(fake.requestsTo('/services/T000/B000/pacedhook')).toHaveLength(messages.length);

    const digests = messages.filter((m) => m.attachments[0].title.startsWith('[DIGEST]'));
    expect(digests.length).toBeGreaterThan(0);
    for (const digest of digests) {
      // The target's channel, username and icon; red while anything fires; Slack's text limit kept.
      expect(digest).toMatchObject({ channel: '#alerts', username: 'alert-bot', icon_emoji: ':rotating_light:' });
      const [attachment] = digest.attachments;
      expect(attachment.color).toBe('danger');
      expect(Buffer.byteLength(attachment.text, 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);
      const shown = [...attachment.text.matchAll(/queue backlog on worker-\d{3}/g)].length;
      expect(attachment.title).toBe(`[DIGEST] ${shown} firing · HighLatency`);
      expect(attachment.text).toMatch(/^_Sent together while the target was throttled/);
      expect(attachment.text).toMatch(/:fire: \*HighLatency\* \(critical\) queue backlog on worker-\d{3} · instance=worker-\d{3}, job=api · since 2026-11-20 08:00:00 UTC/);
    }

    const { carried, senders } = await everyJobCompleted(jobIds);
    expect(fake.messagesTo('webhook:pacedhook')).toHaveLength(messages.length);
    const { messages: digestMessages, notifications } = await digestMetrics('paced/slack/0');
    expect(digestMessages).toBeGreaterThanOrEqual(digests.length);
    expect(notifications).toBe(carried.length + senders.length);
  }, 150_000);

  it('100 notifications in 10 s to a target whose rate_limit is above Slack\'s: 429s, every Retry-After waited out, every alert shown within 30 s', async () => {
    const { jobIds, first } = await storm('eager');
    const messages = await everyAlertShown('webhook:eagerhook', first);

    const refused = fake.requestsTo('/services/T000/B000/eagerhook').length - messages.length;
    expect(refused).toBeGreaterThan(0);
    expect(fake.early).toEqual([]);
    expect(messages.length).toBeLessThan(40);
    for (const m of messages) expect(Buffer.byteLength(textOf(m), 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);

    const { carried, senders } = await everyJobCompleted(jobIds);
    expect(fake.messagesTo('webhook:eagerhook')).toHaveLength(messages.length);
    // The 429s delayed jobs without spending attempts.
    for (const job of [...carried, ...senders]) expect(job.attemptsMade).toBe(1);
    const { messages: digestMessages, notifications } = await digestMetrics('eager/slack/0');
    expect(digestMessages).toBeGreaterThan(0);
    expect(notifications).toBe(carried.length + senders.length);
  }, 150_000);
});
