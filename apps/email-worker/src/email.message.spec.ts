import { EmailConfig, parseConfig, ResolvedTarget } from '@relay/config';
import { DeliveryFailure } from '@relay/delivery';
import { templateData, TemplateSet } from '@relay/templates';
import { notification } from '@relay/testing';
import { buildEmailMessage, mailboxes } from './email.message';

function target(block: string): EmailConfig {
  const config = parseConfig(`global: { smtp_smarthost: 'smtp.example.com:587', smtp_from: alerts@example.com }\nreceivers: [{ name: ops, email_configs: [${block}] }]`);
  return (config.target('ops/email/0') as ResolvedTarget<'email'>).config;
}

describe('buildEmailMessage', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = await TemplateSet.load([], { baseDir: __dirname, timezone: 'Asia/Shanghai' });
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

