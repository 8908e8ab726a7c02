import { BadRequestException } from '@nestjs/common';
import { CHANNEL_DEFINITIONS, inspectConfig } from '@relay/channels';
import { withTemplateOverrides } from '@relay/delivery';
import type { DeliveryJobData } from '@relay/models';
import { runtimeFor } from '@relay/runtime';
import type { IngestQueues } from '../ingest-queues';
import { EXAMPLES } from './examples';
import { PlaygroundService } from './playground.service';

const SECRETS = [
  'DINGTALK-TOKEN-x1',
  'SEC-DINGTALK-x1',
  'WECHAT-APP-SECRET-x1',
  'SMTP-PASSWORD-x1',
  'DASH-PASSWORD-x1',
  'INGEST-TOKEN-x1',
  'WECOM-KEY-x1',
  'SLACK-HOOK-x1',
  'FEISHU-TOKEN-x1',
  'FEISHU-SECRET-x1',
  'WEBHOOK-PATH-x1',
  'WEBHOOK-QUERY-x1',
];

const YAML = `
global:
  wechat_api_corp_id: corp-1
  wechat_api_secret: WECHAT-APP-SECRET-x1
  smtp_smarthost: smtp.example.com:587
  smtp_from: alerts@example.com
  smtp_auth_username: relay
  smtp_auth_password: SMTP-PASSWORD-x1
ingest: { auth: { bearer_token: INGEST-TOKEN-x1 } }
dashboard: { basic_auth: { username: admin, password: DASH-PASSWORD-x1 } }
receivers:
  - name: ops
    dingtalk_configs: [{ url: 'https://oapi.dingtalk.com/robot/send?access_token=DINGTALK-TOKEN-x1', secret: SEC-DINGTALK-x1 }]
    wechat_configs: [{ agent_id: '1000002', to_user: '@all' }]
    wecom_robot_configs: [{ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WECOM-KEY-x1' }]
    slack_configs: [{ api_url: 'https://hooks.slack.com/services/T000/B000/SLACK-HOOK-x1', channel: '#ops' }]
    email_configs: [{ to: oncall@example.com, headers: { Subject: '[{{ .Status }}] {{ .CommonLabels.alertname }}' } }]
    feishu_configs: [{ url: 'https://open.feishu.cn/open-apis/bot/v2/hook/FEISHU-TOKEN-x1', secret: FEISHU-SECRET-x1 }]
    webhook_configs: [{ url: 'https://hooks.example.com/alerts/WEBHOOK-PATH-x1?token=WEBHOOK-QUERY-x1' }]
`;

/** The queues as the service uses them: jobs added are kept, and listed back. */
function fakeQueues() {
  const added: Array<{ queue: string; name: string; data: DeliveryJobData; opts: any }> = [];
  const queue = (channel: string) => ({
    name: `notify-${channel}`,
    add: async (name: string, data: DeliveryJobData, opts: any) => (added.push({ queue: `notify-${channel}`, name, data, opts }), { id: opts.jobId }),
    getJobs: async () => [],
    getJob: async () => undefined,
    getJobLogs: async () => ({ logs: [], count: 0 }),
  });
  const byChannel = Object.fromEntries(Object.keys(CHANNEL_DEFINITIONS).map((c) => [c, queue(c)]));
  return { queues: { byChannel } as unknown as IngestQueues, added };
}

const firing = (receiver = 'ops') => JSON.stringify(EXAMPLES.find((e) => e.id === 'firing')!.notification(receiver));

describe('PlaygroundService', () => {
  let service: PlaygroundService;
  let added: ReturnType<typeof fakeQueues>['added'];

  beforeAll(async () => {
    const runtime = await runtimeFor(inspectConfig(YAML, { file: 'relay.yml', env: {} }), {});
    const fake = fakeQueues();
    added = fake.added;
    service = new PlaygroundService(runtime, fake.queues);
  });

  const noSecretIn = (what: unknown) => {
    const text = JSON.stringify(what);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  };

  it('lists every target with its content templates and its address masked, and no secret', () => {
    const { receivers } = service.targets();
    const targets = receivers[0].targets;
    expect(targets.map((t) => t.name)).toEqual(expect.arrayContaining(['ops/dingtalk/0', 'ops/wechat/0', 'ops/wecom_robot/0', 'ops/slack/0', 'ops/email/0', 'ops/feishu/0', 'ops/webhook/0']));
    const fields = Object.fromEntries(targets.map((t) => [t.channel, t.fields.map((f) => f.key)]));
    expect(fields.dingtalk).toEqual(['title', 'text', 'message_url', 'pic_url']);
    expect(fields.wechat).toEqual(['message']);
    expect(fields.email).toEqual(expect.arrayContaining(['html', 'text', 'headers.Subject']));
    expect(fields.email).not.toContain('to');
    expect(fields.slack).toEqual(expect.arrayContaining(['title', 'text', 'color', 'pretext']));
    expect(fields.slack).not.toContain('api_url');
    expect(fields.feishu).toEqual(['title', 'text']);
    expect(fields.webhook).toEqual([]);
    expect(targets.find((t) => t.channel === 'dingtalk')!.destination).toContain('url: https://oapi.dingtalk.com/***');
    noSecretIn(receivers);
  });

  it('renders every example for every channel with the workers\' build, and hands back no secret', () => {
    for (const target of service.targets().receivers[0].targets) {
      for (const example of EXAMPLES) {
        const result = service.render({ target: target.name, templates: {}, notification: service.example(example.id, target.name) });
        expect([target.name, example.id, result.ok, result.templateErrors]).toEqual([target.name, example.id, true, []]);
        noSecretIn(result);
      }
    }
  });

  it('renders the edited template, and says what truncation drops past the platform\'s limit', () => {
    const edited = service.render({ target: 'ops/wecom_robot/0', templates: { message: 'Hi {{ .CommonLabels.alertname }}' }, notification: firing() });
    expect(JSON.parse(edited.body!)).toEqual({ msgtype: 'markdown', markdown: { content: 'Hi DiskFull' } });
    expect(edited.preview).toEqual({ kind: 'markdown', html: '<p>Hi DiskFull</p>\n' });

    const many = service.render({ target: 'ops/dingtalk/0', templates: {}, notification: service.example('many', 'ops/dingtalk/0') });
    expect(many.size!.over).toBe(true);
    expect(many.size!.bytes).toBeLessThan(20_000);
    expect(many.size!.fullBytes).toBeGreaterThan(20_000);
    const text: string = JSON.parse(many.body!).markdown.text;
    const left = [...text.matchAll(/(\d+) more/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(many.size!.dropped).toHaveLength(left);
    // Firing alerts are kept first, so what is dropped ends with the resolved ones.
    expect(many.size!.dropped.at(-1)).toMatch(/^resolved DiskFull/);
  });

  it('shows markup a template writes as text, and no link but http(s) and mailto', () => {
    const result = service.render({ target: 'ops/dingtalk/0', templates: { text: '<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.com)' }, notification: firing() });
    const html = (result.preview as { html: string }).html;
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('href="https://example.com"');
  });

  it('locates a template that does not parse at its line, and one that fails on the data at its field', () => {
    const broken = service.render({ target: 'ops/dingtalk/0', templates: { text: 'ok\n{{ if .Alerts }}' }, notification: firing() });
    expect(broken.ok).toBe(false);
    expect(broken.templateErrors).toEqual([{ field: 'text', line: 2, column: undefined, message: expect.stringMatching(/^template: :2: /) }]);

    const failing = service.render({ target: 'ops/slack/0', templates: { title: 'fine', text: 'first\n{{ index .Alerts 7 }}' }, notification: firing() });
    expect(failing.ok).toBe(false);
    expect(failing.templateErrors).toEqual([expect.objectContaining({ field: 'text', line: 2 })]);
    expect(failing.fallback).toMatch(/default templates/);
  });

  it('names the fields of a notification ingest would refuse', () => {
    const body = JSON.parse(firing());
    body.alerts[0].startsAt = 'soon';
    const result = service.render({ target: 'ops/dingtalk/0', templates: {}, notification: JSON.stringify(body) });
    expect(result.notificationErrors).toEqual(['alerts[0].startsAt must be an RFC3339 time']);
    expect(service.render({ target: 'ops/dingtalk/0', templates: {}, notification: '{"version":' }).notificationErrors[0]).toMatch(/^notification is not JSON/);
  });

  it('refuses to take anything but a content template from the page', () => {
    for (const key of ['url', 'secret', 'headers.To', 'to', 'name']) {
      const target = key.startsWith('headers') || key === 'to' ? 'ops/email/0' : 'ops/dingtalk/0';
      expect(() => service.render({ target, templates: { [key]: 'https://evil.example/' }, notification: firing() })).toThrow(BadRequestException);
    }
  });

  it('queues a test send for the target with its edited templates and nothing else in the job', async () => {
    const { jobId, queue, link } = await service.testSend({ target: 'ops/email/0', templates: { 'headers.Subject': 'Test {{ .Status }}' }, notification: firing() });
    expect(queue).toBe('notify-email');
    expect(link).toBe(`/queues/queue/notify-email/${jobId}`);
    const job = added.find((a) => a.opts.jobId === jobId)!;
    expect(job.name).toBe('ops/email/0');
    expect(job.data).toEqual({ receiver: 'ops', channel: 'email', target: 'ops/email/0', notification: JSON.parse(firing()), receivedAt: expect.any(Number), templateOverrides: { 'headers.Subject': 'Test {{ .Status }}' } });
    await expect(service.testSend({ target: 'ops/email/0', templates: { text: '{{ end }}' }, notification: firing() })).rejects.toThrow(BadRequestException);
  });
});

describe('withTemplateOverrides (the worker applies a test send\'s templates with it)', () => {
  it('replaces content templates and never an address, secret or recipient', () => {
    const dingtalk = { url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SEC', title: 'T', text: 'X', msgtype: 'markdown' };
    expect(withTemplateOverrides(CHANNEL_DEFINITIONS.dingtalk, dingtalk as any, { text: 'new', url: 'https://evil.example/', secret: 'mine', msgtype: 'text' })).toEqual({ ...dingtalk, text: 'new' });
    const email = { to: 'oncall@example.com', html: 'H', text: 'T', headers: { To: 'oncall@example.com', Subject: 'S' } };
    expect(withTemplateOverrides(CHANNEL_DEFINITIONS.email, email as any, { 'headers.Subject': 'new', 'headers.To': 'evil@example.com', to: 'evil@example.com', headers: 'x' })).toEqual({
      ...email,
      headers: { To: 'oncall@example.com', Subject: 'new' },
    });
    const webhook = { url: 'https://hooks.example.com/x', max_alerts: 0 };
    expect(withTemplateOverrides(CHANNEL_DEFINITIONS.webhook, webhook as any, { url: 'https://evil.example/' })).toEqual(webhook);
  });
});
