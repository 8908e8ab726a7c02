import { workerModules } from '@relay/runtime';
import { queueName } from '@relay/models';
import { busiestWindow, eventually, InProcessRelay, metricValue, notification, postJson, settledJob, sleep, startRelay } from '@relay/testing';
import { Job, Queue } from 'bullmq';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeSmtp, ReceivedMail } from '../fakes/smtp.fake';

const label = (i: number) => `db-${String(i).padStart(2, '0')}`;

/** A single-alert notification of its own group, told apart by its instance and summary. */
function stormNotification(i: number) {
  const body = notification({ groupKey: `{}:{instance="${label(i)}"}`, groupLabels: { instance: label(i) } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: label(i) };
  body.alerts[0].annotations = { summary: `replication lag on ${label(i)}` };
  body.alerts[0].fingerprint = (0x3000 + i).toString(16).padStart(16, '0');
  return body;
}

/** The instances whose alert a text shows. */
const shownIn = (text: string | undefined) => [...(text ?? '').matchAll(/replication lag on (db-\d{2})/g)].map((m) => m[1]);

describe('Email digests: a throttled mailbox gets its backlog in a few mails', () => {
  let smtp: FakeSmtp;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    smtp = await FakeSmtp.start({ tls: 'none' });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['email'])],
      yaml: `
global:
  smtp_smarthost: '${smtp.smarthost}'
  smtp_from: 'Alertmanager <alertmanager@example.com>'
  smtp_require_tls: false
receivers:
  - name: dba
    email_configs:
      - to: 'DBA Team <dba@example.com>'
        headers: { X-Alert-Status: '{{ .Status }}' }
        rate_limit: { max: 2, per: 10s }
`,
    });
    queue = new Queue(queueName('email'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await smtp.close();
  });

  it('20 notifications at 2 mails per 10 s: a few multipart mails, each alert in exactly one, digests under the digest subject', async () => {
    const first = Date.now();
    const jobIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await postJson(`${relay.url}/webhook/dba`, stormNotification(i));
      expect(res.status).toBe(202);
      jobIds.push(res.body.jobs[0].jobId);
      await sleep(first + (i + 1) * 300 - Date.now()); // 20 over 6 s
    }

    const shown = () => smtp.mailsTo('dba@example.com').flatMap((m) => shownIn(m.parsed.text));
    await eventually(() => new Set(shown()).size === 20, 30_000, 200);
    const mails: ReceivedMail[] = smtp.mailsTo('dba@example.com');

    // A few mails at the target's pace: sends start 10 s apart, but arrival is the end of DATA,
    // later for a send that first had to open a connection, so two arrivals may be closer.
    expect(mails.length).toBeGreaterThanOrEqual(2);
    expect(mails.length).toBeLessThanOrEqual(5);
    expect(busiestWindow(mails.map((m) => m.at), 9_000)).toBeLessThanOrEqual(2);
    // Each alert in exactly one mail (and, below, no more mail once every job has completed).
    expect(shown().sort()).toEqual(Array.from({ length: 20 }, (_, i) => label(i)));

    for (const mail of mails) {
      expect(mail.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
      expect(mail.envelope).toEqual({ from: 'alertmanager@example.com', to: ['dba@example.com'] });
      expect(mail.parsed.headers.find((h) => h.key === 'x-alert-status')?.value).toBe('firing');
      // Both alternatives show the same alerts.
      const inText = shownIn(mail.parsed.text);
      expect(inText.length).toBeGreaterThan(0);
      expect(shownIn(mail.parsed.html)).toEqual(inText);
    }
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(mails.length);

    const digests = mails.filter((m) => shownIn(m.parsed.text).length > 1);
    expect(digests.length).toBeGreaterThan(0);
    for (const digest of digests) {
      const count = shownIn(digest.parsed.text).length;
      expect(digest.parsed.subject).toBe(`[DIGEST] ${count} firing · HighLatency`);
      expect(digest.parsed.text).toMatch(/^\[DIGEST\] \d+ firing · HighLatency\nSent together while the target was throttled/);
      expect(digest.parsed.text).toMatch(/\[FIRING\] HighLatency \(critical\): replication lag on db-\d{2}\n {2}instance=db-\d{2}, job=api\n {2}since 2026-11-20 08:00:00 UTC/);
      expect(digest.parsed.html).toContain(`${count} firing, 0 resolved &mdash; digest`);
    }
    // A mail that carries one notification is that notification's own mail.
    for (const single of mails.filter((m) => shownIn(m.parsed.text).length === 1)) expect(single.parsed.subject).toMatch(/^\[FIRING:1\] db-\d{2} \(HighLatency api critical\)$/);

    // A folded job that saw the sender's claim just before the sender finished waits out the
    // claim's lease (about a minute for email) before it completes: the sender's promote came
    // before the job had moved itself to the delayed set.
    const jobs: Job[] = await Promise.all(jobIds.map((id) => settledJob(queue, id, 90_000)));
    expect(new Set(await Promise.all(jobs.map((j) => j.getState())))).toEqual(new Set(['completed']));
    expect(smtp.mailsTo('dba@example.com')).toHaveLength(mails.length);
    const carried = jobs.filter((j) => j.returnvalue.carriedBy);
    const senders = jobs.filter((j) => j.returnvalue.digest);
    expect(carried.length).toBeGreaterThan(10);
    const named = new Set(senders.flatMap((s) => s.returnvalue.digest.carried as string[]));
    expect([...named].sort()).toEqual(carried.map((j) => j.id!).sort());
    // The sender's result names the mail it sent, as a single delivery's does.
    for (const sender of senders) {
      const sent = sender.returnvalue.detail.messages?.map((m: any) => m.messageId) ?? [sender.returnvalue.detail.messageId];
      for (const id of sent) expect(mails.map((m) => m.parsed.messageId)).toContain(id);
    }

    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    const labels = { channel: 'email', target: 'dba/email/0' };
    expect(metricValue(metrics, 'alert_relay_digest_messages_total', labels)).toBe(digests.length);
    expect(metricValue(metrics, 'alert_relay_digest_notifications_total', labels)).toBe(carried.length + senders.length);
  }, 150_000);
});
