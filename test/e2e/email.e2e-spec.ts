import { workerModules } from '@relay/runtime';
import { queueName } from '@relay/models';
import { dumpRedis, eventually, InProcessRelay, notification, postJson, startRelay } from '@relay/testing';
import { Job, Queue } from 'bullmq';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeSmtp } from '../fakes/smtp.fake';

const PASSWORD = 'smtp-password-that-must-stay-home';

/**
 * Alertmanager → ingest → Redis → email worker → a real SMTP server (smtp-server), mails parsed
 * with postal-mime (mailparser could not be installed here). Each receiver has its own relay so
 * scripted replies never cross tests.
 */
describe('Alertmanager notification → ingest → Redis → email worker → SMTP relay', () => {
  let relay: InProcessRelay;
  let queue: Queue;
  let main: FakeSmtp;
  let plain: FakeSmtp;
  let authed: FakeSmtp;

  beforeAll(async () => {
    main = await FakeSmtp.start({ tls: 'implicit', authMethods: ['PLAIN', 'LOGIN'], users: { alerts: PASSWORD } });
    plain = await FakeSmtp.start({ tls: 'none' });
    authed = await FakeSmtp.start({ tls: 'none', authMethods: ['LOGIN'], users: { alerts: 'not-what-we-send' } });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['email'])],
      env: { SMTP_PASSWORD: PASSWORD },
      yaml: `
global:
  timezone: Asia/Shanghai
  smtp_smarthost: '${main.smarthost}'
  smtp_from: 'Alertmanager <alertmanager@example.com>'
  smtp_auth_username: alerts
  smtp_auth_password: \${SMTP_PASSWORD}
  smtp_hello: relay.example.com
receivers:
  - name: ops
    email_configs:
      - to: 'oncall@example.com, DBA Team <dba@example.com>'
        force_implicit_tls: true
        tls_config: { insecure_skip_verify: true }
        headers: { X-Alert-Status: '{{ .Status }}' }
        send_resolved: true
  - name: flaky
    email_configs:
      - { to: busy@example.com, smarthost: '${plain.smarthost}', require_tls: false }
  - name: gone
    email_configs:
      - { to: gone@example.com, smarthost: '${plain.smarthost}', require_tls: false }
  - name: partly
    email_configs:
      - { to: 'ok@example.com, nobody@example.com', smarthost: '${plain.smarthost}', require_tls: false }
  - name: notls
    email_configs:
      - { to: oncall@example.com, smarthost: '${plain.smarthost}' }
  - name: badlogin
    email_configs:
      - { to: oncall@example.com, smarthost: '${authed.smarthost}', require_tls: false }
  - name: paced
    email_configs:
      - { to: paced@example.com, smarthost: '${plain.smarthost}', require_tls: false, rate_limit: { max: 2, per: 2s }, digest: false }
  - name: quiet
    email_configs:
      - { to: quiet@example.com, smarthost: '${plain.smarthost}', require_tls: false }
`,
    });
    queue = new Queue(queueName('email'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await Promise.all([main, plain, authed].map((s) => s.close()));
  });

  async function post(receiver: string, body = notification({ groupKey: `g-${receiver}-${Date.now()}` })): Promise<string> {
    const res = await postJson(`${relay.url}/webhook/${receiver}`, body);
    expect(res.status).toBe(202);
    return res.body.jobs[0].jobId;
  }

  async function settled(jobId: string, state: 'completed' | 'failed', timeoutMs = 10_000): Promise<Job> {
    // The state first, then the job: a job read before it completed has no return value yet.
    return eventually(async () => (await queue.getJobState(jobId)) === state && queue.getJob(jobId), timeoutMs);
  }

  it('mails a firing notification: both parts, templated subject and headers, to every recipient, over TLS with AUTH', async () => {
    const body = notification({ groupKey: 'g-ops-firing', alertCount: 2 });
    const jobId = await post('ops', body);
    const [mail] = await main.waitForMails(1);

    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('alerts');
    expect(mail.hello).toBe('relay.example.com');
    expect(mail.envelope).toEqual({ from: 'alertmanager@example.com', to: ['oncall@example.com', 'dba@example.com'] });
    const parsed = mail.parsed;
    expect(parsed.subject).toBe('[FIRING:2] HighLatency (api critical)');
    expect(parsed.from).toMatchObject({ name: 'Alertmanager', address: 'alertmanager@example.com' });
    expect(parsed.to?.map((a) => ('address' in a ? a.address : ''))).toEqual(['oncall@example.com', 'dba@example.com']);
    expect(parsed.messageId).toMatch(/^<[0-9a-f]{32}@example\.com>$/);
    expect(Date.now() - new Date(parsed.date!).getTime()).toBeLessThan(60_000);
    expect(parsed.headers.find((h) => h.key === 'x-alert-status')?.value).toBe('firing');
    expect(mail.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    // Both alternatives carry the alerts, Chinese annotations included.
    expect(parsed.text).toContain('HighLatency');
    expect(parsed.text).toContain('延迟过高，请检查 upstream');
    expect(parsed.html).toContain('HighLatency');
    expect(parsed.html).toContain('延迟过高，请检查 upstream');
    expect(parsed.html).toMatch(/<html|<table|<div/i);

    const job = await settled(jobId, 'completed');
    expect(job.returnvalue.detail).toMatchObject({ accepted: ['oncall@example.com', 'dba@example.com'], rejected: [], messageId: parsed.messageId });
  });

  it('encodes a Chinese subject so it decodes intact', async () => {
    const body = notification({ groupKey: 'g-ops-chinese', groupLabels: { alertname: '数据库主从延迟' } });
    body.commonLabels.alertname = '数据库主从延迟';
    body.alerts[0].labels.alertname = '数据库主从延迟';
    await post('ops', body);
    const mail = await eventually(() => main.mails.find((m) => m.parsed.subject?.includes('数据库主从延迟')));
    expect(mail.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(mail.parsed.subject).toBe('[FIRING:1] 数据库主从延迟 (api critical)');
  });

  it('holds a target to its rate limit (digest: false): 5 notifications at 2 per 2s arrive paced, one mail each, over reused pooled connections', async () => {
    const connectionsBefore = plain.connections;
    for (let i = 0; i < 5; i++) await post('paced', notification({ groupKey: `g-paced-${i}` }));
    await eventually(() => plain.mailsTo('paced@example.com').length === 5, 15_000);
    const times = plain.mailsTo('paced@example.com').map((m) => m.at);
    // Sends start at least 2s apart; arrival is measured at the end of DATA, and a send that first
    // had to open a connection (and say EHLO) arrives later than one on a pooled connection, so the
    // gap between arrivals may be short of 2s by that set-up time.
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 2]).toBeGreaterThanOrEqual(1_900);
    expect(times[4] - times[0]).toBeGreaterThanOrEqual(3_900);
    // At most two sends are ever in flight, so the pool never needs more than two connections for five mails.
    expect(plain.connections - connectionsBefore).toBeLessThanOrEqual(2);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/alert_relay_rate_limit_deferrals_total\{channel="email",target="paced\/email\/0",reason="window"\} [1-9]/);
  }, 20_000);

  it('keeps resolved notifications from targets that did not ask for them (send_resolved defaults to false)', async () => {
    const res = await postJson(`${relay.url}/webhook/quiet`, notification({ groupKey: 'g-quiet', status: 'resolved' }));
    expect(res.status).toBe(202);
    expect(res.body.jobs).toEqual([]);
  });

  it('retries a recipient the relay deferred (451) and delivers on the next attempt', async () => {
    plain.answerRecipient('busy@example.com', 451);
    const jobId = await post('flaky');
    const job = await settled(jobId, 'completed', 15_000);
    // One failed attempt on record, with the relay's reply; then the delivery.
    expect(job.stacktrace).toHaveLength(1);
    expect(job.stacktrace![0]).toContain(`smtp_451: ${plain.smarthost} answered RCPT TO for busy@example.com: 451 4.3.0`);
    expect(plain.recipientAttempts.filter((r) => r === 'busy@example.com')).toHaveLength(2);
    expect(plain.mailsTo('busy@example.com')).toHaveLength(1);
  }, 20_000);

  it('fails a refused mailbox (550) permanently after one attempt, with the server reply as the reason', async () => {
    plain.answerRecipient('gone@example.com', 550);
    const jobId = await post('gone');
    const job = await settled(jobId, 'failed');
    expect(job.failedReason).toBe(`smtp_550: ${plain.smarthost} answered RCPT TO for gone@example.com: 550 5.1.1 Requested action not taken: mailbox unavailable`);
    await new Promise((r) => setTimeout(r, 300));
    expect(plain.recipientAttempts.filter((r) => r === 'gone@example.com')).toHaveLength(1);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toContain('alert_relay_deliveries_total{channel="email",target="gone/email/0",outcome="failed",reason="smtp_550"} 1');
  });

  it('delivers to the accepted recipients when some are refused, logging and counting the refused ones', async () => {
    plain.answerRecipient('nobody@example.com', 550);
    const jobId = await post('partly');
    const job = await settled(jobId, 'completed');
    expect(job.returnvalue.detail).toMatchObject({
      accepted: ['ok@example.com'],
      rejected: [{ recipient: 'nobody@example.com', reply: '550 5.1.1 Requested action not taken: mailbox unavailable' }],
    });
    expect(plain.mailsTo('ok@example.com')).toHaveLength(1);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toContain('alert_relay_invalid_recipients_total{channel="email",target="partly/email/0",recipient="nobody@example.com"} 1');
    expect(metrics).toContain('alert_relay_deliveries_total{channel="email",target="partly/email/0",outcome="delivered",reason="ok"} 1');
  });

  it('fails permanently with a clear reason when require_tls (the default) meets a relay without STARTTLS', async () => {
    const jobId = await post('notls');
    const job = await settled(jobId, 'failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(new RegExp(`^tls_unavailable: TLS is required \\(require_tls\\) but ${plain.smarthost} refused STARTTLS: 5\\d\\d `));
  });

  it('fails a refused login (535) permanently, and no password reaches Redis, failed reasons or metrics', async () => {
    const jobId = await post('badlogin');
    const job = await settled(jobId, 'failed');
    expect(job.failedReason).toBe(`smtp_535: ${authed.smarthost} answered AUTH LOGIN: 535 5.7.8 Authentication credentials invalid`);
    expect(authed.authAttempts).toEqual([{ method: 'LOGIN', username: 'alerts', ok: false }]);

    const b64 = Buffer.from(PASSWORD).toString('base64');
    const everything = await dumpRedis(process.env.REDIS_URL!, relay.runtime.queuePrefix);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(everything).toContain('badlogin/email/0');
    for (const text of [everything, metrics, job.failedReason]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(b64);
    }
  });
});
