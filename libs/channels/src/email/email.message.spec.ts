import { ResolvedTarget } from '@relay/config';
import { DeliveryFailure } from '@relay/delivery';
import { templateData, TemplateSet } from '@relay/templates';
import type { WebhookPayload } from '@relay/models';
import { notification } from '@relay/testing';
import { EmailConfig } from './email.config';
import { parseConfig, relayTemplates } from '../channels';
import { buildEmailDigest, buildEmailMessage, EMAIL_DIGEST_MAX_ALERTS, EMAIL_DIGEST_MAX_BYTES, mailboxes } from './email.message';

function target(block: string): EmailConfig {
  const config = parseConfig(`global: { smtp_smarthost: 'smtp.example.com:587', smtp_from: alerts@example.com }\nreceivers: [{ name: ops, email_configs: [${block}] }]`);
  return (config.target('ops/email/0') as ResolvedTarget<EmailConfig>).config;
}

describe('buildEmailMessage', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = relayTemplates([], { timezone: 'Asia/Shanghai' });
  });

  it("uses Alertmanager's defaults: subject template, To = to, From = from, envelope to every address", () => {
    const message = buildEmailMessage(notification({ alertCount: 2 }), target(`{ to: 'a@example.com, Ops <b@example.com>' }`), 'Alerts <alerts@example.com>', templates, 'job-1');
    expect(message.envelope).toEqual({ from: 'alerts@example.com', to: ['a@example.com', 'b@example.com'] });
    expect(message.to).toBe('a@example.com, Ops <b@example.com>');
    expect(message.from).toBe('Alerts <alerts@example.com>');
    expect(message.subject).toBe(templates.render('{{ template "email.default.subject" . }}', templateData(notification({ alertCount: 2 }))).trim());
    expect(message.subject).toBe('[FIRING:2] HighLatency (api critical)');
    expect(message.text).toContain('HighLatency');
    expect(message.html).toContain('HighLatency');
    expect(message.headers).toEqual({});
  });

  it('renders to, from and every header as templates; header names are matched whatever their case', () => {
    const config = target(`{ to: '{{ .CommonLabels.job }}-team@example.com', headers: { subject: '[{{ .Status }}] {{ .CommonLabels.alertname }}', x-severity: '{{ .CommonLabels.severity }}', reply-to: noc@example.com } }`);
    const message = buildEmailMessage(notification(), config, '{{ .CommonLabels.job }}@alerts.example.com', templates, 'job-2');
    expect(message.envelope).toEqual({ from: 'api@alerts.example.com', to: ['api-team@example.com'] });
    expect(message.subject).toBe('[firing] HighLatency');
    expect(message.headers).toEqual({ 'X-Severity': 'critical', 'Reply-To': 'noc@example.com' });
  });

  it('folds a multi-line subject into one header line', () => {
    const config = target(`{ to: a@example.com, headers: { Subject: "line one\\n  line two" } }`);
    expect(buildEmailMessage(notification(), config, 'a@example.com', templates).subject).toBe('line one line two');
  });

  it('keeps the Message-Id stable for one job (retries) and distinct between jobs, on the sender domain', () => {
    const config = target(`{ to: a@example.com }`);
    const first = buildEmailMessage(notification(), config, 'alerts@example.com', templates, 'job-7/ops/email/0');
    const again = buildEmailMessage(notification(), config, 'alerts@example.com', templates, 'job-7/ops/email/0');
    const other = buildEmailMessage(notification(), config, 'alerts@example.com', templates, 'job-8/ops/email/0');
    expect(first.messageId).toMatch(/^<[0-9a-f]{32}@example\.com>$/);
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
  });

  it('fails permanently when from is not exactly one address or to renders to none', () => {
    const failure = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as DeliveryFailure;
      }
      throw new Error('built a message');
    };
    const twoSenders = failure(() => buildEmailMessage(notification(), target(`{ to: a@example.com }`), 'a@example.com, b@example.com', templates));
    expect(twoSenders).toMatchObject({ kind: 'permanent', reason: 'invalid_address' });
    const nobody = failure(() => buildEmailMessage(notification(), target(`{ to: '{{ .CommonLabels.missing }}' }`), 'a@example.com', templates));
    expect(nobody).toMatchObject({ kind: 'permanent', reason: 'invalid_address' });
  });

  it('splits address lists as mail headers write them', () => {
    expect(mailboxes('a@x.com, "Doe, John" <j@x.com>, Team: t1@x.com, t2@x.com;')).toEqual(['a@x.com', 'j@x.com', 't1@x.com', 't2@x.com']);
  });
});


/** Single-alert notifications, each of its own group, told apart by alertname, summary and fingerprint. */
function backlog(count: number, status: 'firing' | 'resolved' = 'firing', from = 0): WebhookPayload[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const n = notification({ groupKey: `g-${i}`, status, groupLabels: { alertname: `Alert${i}` }, commonLabels: { alertname: `Alert${i}`, team: `team-${i % 2}` } });
    n.alerts[0].labels = { ...n.alerts[0].labels, alertname: `Alert${i}`, team: `team-${i % 2}` };
    n.alerts[0].annotations.summary = `summary of alert ${i}`;
    n.alerts[0].fingerprint = `fp${i}`;
    return n;
  });
}

/** How many of the texts name Alert<i> (the name ends at a space or "<" in both parts). */
const showings = (texts: string[], i: number) => texts.filter((t) => new RegExp(`\\bAlert${i}[ <]`).test(t)).length;

describe('buildEmailDigest', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = relayTemplates([], { timezone: 'UTC' });
  });

  it('is one mail for a small backlog: the digest subject, HTML and text over every alert, to the configured recipients', () => {
    const config = target(`{ to: 'a@example.com, Ops <b@example.com>', headers: { Subject: '{{ .CommonLabels.alertname }} is down', X-Status: '{{ .Status }}' } }`);
    const digest = buildEmailDigest([...backlog(3), ...backlog(1, 'resolved', 3)], config, 'Alerts <alerts@example.com>', templates, 'job-1/ops/email/0');
    expect(digest).toHaveLength(1);
    const [{ message, completes }] = digest;
    expect(completes.sort()).toEqual([0, 1, 2, 3]);
    expect(message.envelope).toEqual({ from: 'alerts@example.com', to: ['a@example.com', 'b@example.com'] });
    expect(message.to).toBe('a@example.com, Ops <b@example.com>');
    // The target's Subject names one group; the digest's says what it carries.
    expect(message.subject).toBe('[DIGEST] 3 firing, 1 resolved');
    expect(message.headers).toEqual({ 'X-Status': 'firing' });
    expect(message.html).toMatch(/^<!DOCTYPE html>/);
    expect(message.html).toContain('3 firing, 1 resolved &mdash; digest');
    expect(message.text.startsWith('[DIGEST] 3 firing, 1 resolved\nSent together while the target was throttled')).toBe(true);
    for (let i = 0; i < 4; i++) {
      expect(message.html).toContain(`Alert${i}</span> (critical) summary of alert ${i}`);
      expect(message.text).toContain(`Alert${i} (critical): summary of alert ${i}`);
    }
    expect(message.text.indexOf('[RESOLVED] Alert3')).toBeGreaterThan(message.text.indexOf('[FIRING] Alert2'));
  });

  it(`splits a backlog of more than ${EMAIL_DIGEST_MAX_ALERTS} alerts into mails of at most that many, each alert in exactly one`, () => {
    const notifications = [...backlog(1000), ...backlog(200, 'resolved', 1000)];
    const digest = buildEmailDigest(notifications, target(`{ to: a@example.com }`), 'alerts@example.com', templates, 'job-2/ops/email/0');
    expect(digest.map((d) => d.completes.length)).toEqual([500, 500, 200]);
    expect(digest.map((d) => d.message.subject)).toEqual(['[DIGEST] 500 firing', '[DIGEST] 500 firing', '[DIGEST] 200 resolved']);
    const texts = digest.map((d) => d.message.text);
    const htmls = digest.map((d) => d.message.html);
    for (const i of [0, 1, 499, 500, 999, 1000, 1199]) {
      expect(showings(texts, i)).toBe(1);
      expect(showings(htmls, i)).toBe(1);
    }
    expect(digest.flatMap((d) => d.completes).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    digest.forEach(({ completes }, m) => expect(completes.every((i) => showings([texts[m]], i) === 1)).toBe(true));
  });

  it('splits by size too: alerts with long summaries go several to a mail, each mail within the byte bound', () => {
    const notifications = backlog(12);
    notifications.forEach((n) => (n.alerts[0].annotations.summary += ' 数据库连接池耗尽'.repeat(2_000)));
    const digest = buildEmailDigest(notifications, target(`{ to: a@example.com }`), 'alerts@example.com', templates, 'job-3/ops/email/0');
    expect(digest.length).toBeGreaterThan(1);
    expect(digest.length).toBeLessThan(12);
    for (const { message } of digest) expect(Buffer.byteLength(message.html) + Buffer.byteLength(message.text)).toBeLessThanOrEqual(EMAIL_DIGEST_MAX_BYTES);
    expect(digest.flatMap((d) => d.completes).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
  });

  it('gives each part its own Message-Id, the same when the same part is built again, another when it shows other alerts', () => {
    const config = target(`{ to: a@example.com }`);
    const ids = (notifications: WebhookPayload[], key = 'job-4/ops/email/0') => buildEmailDigest(notifications, config, 'alerts@example.com', templates, key).map((d) => d.message.messageId);
    const first = ids(backlog(1200));
    expect(first).toHaveLength(3);
    expect(new Set(first).size).toBe(3);
    for (const id of first) expect(id).toMatch(/^<[0-9a-f]{32}@example\.com>$/);
    expect(ids(backlog(1200))).toEqual(first);
    // The same sender retrying after new notifications came: its first part now shows other
    // alerts, and a server that drops a Message-Id it has seen must not drop this one.
    expect(ids(backlog(1200, 'firing', 1))[0]).not.toBe(first[0]);
    expect(ids(backlog(1200), 'job-5/ops/email/0')[0]).not.toBe(first[0]);
    // Nor is any part's id the one the sender's single mail would have.
    expect(first).not.toContain(buildEmailMessage(backlog(1)[0], config, 'alerts@example.com', templates, 'job-4/ops/email/0').messageId);
  });

  it('renders to and from per notification and mails each set of recipients its own digest', () => {
    const config = target(`{ to: '{{ .CommonLabels.team }}@example.com' }`);
    const digest = buildEmailDigest(backlog(6), config, 'alerts@example.com', templates, 'job-6/ops/email/0');
    expect(digest.map((d) => [d.message.envelope.to, d.completes])).toEqual([
      [['team-0@example.com'], [0, 2, 4]],
      [['team-1@example.com'], [1, 3, 5]],
    ]);
    expect(showings([digest[0].message.text], 4)).toBe(1);
    expect(showings([digest[0].message.text], 1)).toBe(0);
  });

  it('leaves out a notification whose recipients do not render, so it fails on its own; when none render, fails as a single mail does', () => {
    const config = target(`{ to: '{{ if ne .CommonLabels.alertname "Alert1" }}a@example.com{{ end }}' }`);
    const digest = buildEmailDigest(backlog(3), config, 'alerts@example.com', templates, 'job-7/ops/email/0');
    expect(digest.map((d) => d.completes)).toEqual([[0, 2]]);
    expect(showings([digest[0].message.text], 1)).toBe(0);
    let error: unknown;
    try {
      buildEmailDigest(backlog(3), target(`{ to: '{{ .CommonLabels.missing }}' }`), 'alerts@example.com', templates, 'job-7/ops/email/0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeliveryFailure);
    expect(error).toMatchObject({ kind: 'permanent', reason: 'invalid_address' });
  });

  it('puts the template fallback note first in both parts of every mail', () => {
    const note = '⚠ The template of ops/email/0 failed on this notification';
    const digest = buildEmailDigest(backlog(600), target(`{ to: a@example.com }`), 'alerts@example.com', templates, 'job-8/ops/email/0', undefined, note);
    expect(digest).toHaveLength(2);
    for (const { message } of digest) {
      expect(message.text.startsWith(`${note}\n\n[DIGEST]`)).toBe(true);
      expect(message.html).toMatch(/<body[^>]*><p style="[^"]*">⚠ The template of ops\/email\/0 failed on this notification<\/p>/);
    }
  });
});
