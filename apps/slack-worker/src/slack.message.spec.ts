import { parseConfig, SlackConfig } from '@relay/config';
import { TemplateSet } from '@relay/templates';
import { notification } from '../../../test/support/payloads';
import { buildSlackMessage, SLACK_MAX_TEXT_BYTES, truncateRunes } from './slack.message';

const templates = TemplateSet.fromSources([], { timezone: 'UTC' });

function slackConfig(block = "channel: '#alerts'"): SlackConfig {
  const yaml = `global: { slack_api_url: 'https://hooks.slack.com/services/T/B/X' }\nreceivers:\n  - name: ops\n    slack_configs:\n      - ${block.trim().split('\n').join('\n        ')}\n`;
  return parseConfig(yaml, { env: {} }).targetsOf('slack')[0].config;
}

describe('buildSlackMessage', () => {
  it("is Alertmanager's default message: one attachment, red while firing, green once resolved", () => {
    const firing = buildSlackMessage(notification(), slackConfig(), templates);
    expect(firing).toEqual({
      channel: '#alerts',
      username: 'alert-relay',
      attachments: [
        {
          title: expect.stringContaining('HighLatency'),
          title_link: expect.stringContaining('http://alertmanager:9093'),
          text: expect.stringContaining('p99 latency above 2s on api-0'),
          fallback: expect.stringContaining('HighLatency'),
          callback_id: '',
          footer: '',
          color: 'danger',
          mrkdwn_in: ['fallback', 'pretext', 'text'],
        },
      ],
    });
    const resolved = buildSlackMessage(notification({ status: 'resolved' }), slackConfig(), templates);
    expect(resolved.attachments[0].color).toBe('good');
  });

  it('renders every configured field as a template, with short falling back to short_fields', () => {
    const message = buildSlackMessage(
      notification(),
      slackConfig(`
channel: '#{{ .CommonLabels.job }}'
username: bot
icon_emoji: ':rotating_light:'
link_names: true
message_text: '<!here> {{ .Status }}'
title: '{{ .CommonLabels.alertname }}'
short_fields: true
fields:
  - { title: Severity, value: '{{ .CommonLabels.severity }}' }
  - { title: Job, value: '{{ .CommonLabels.job }}', short: false }
actions:
  - { type: button, text: 'Runbook {{ .CommonLabels.alertname }}', url: 'https://runbooks/{{ .CommonLabels.alertname }}', style: primary }
  - { type: button, text: Ack, name: ack, value: '{{ .GroupLabels.alertname }}', confirm: { text: Sure? } }
mrkdwn_in: [text, title]
image_url: 'https://img/{{ .Status }}.png'
`),
      templates,
    );
    expect(message).toMatchObject({ channel: '#api', username: 'bot', icon_emoji: ':rotating_light:', link_names: true, text: '<!here> firing' });
    const [attachment] = message.attachments;
    expect(attachment).toMatchObject({ title: 'HighLatency', image_url: 'https://img/firing.png', mrkdwn_in: ['text', 'title'] });
    expect(attachment.fields).toEqual([
      { title: 'Severity', value: 'critical', short: true },
      { title: 'Job', value: 'api', short: false },
    ]);
    expect(attachment.actions).toEqual([
      { type: 'button', text: 'Runbook HighLatency', url: 'https://runbooks/HighLatency', style: 'primary' },
      { type: 'button', text: 'Ack', name: 'ack', value: 'HighLatency', confirm: { text: 'Sure?' } },
    ]);
  });

  it('cuts the title to 1024 runes, ending in …', () => {
    // Astral characters (🔥 is two UTF-16 units) must count as one rune each and never be split.
    const payload = notification();
    payload.commonLabels.alertname = '🔥数'.repeat(600);
    const message = buildSlackMessage(payload, slackConfig(`title: '{{ .CommonLabels.alertname }}'`), templates);
    const title = message.attachments[0].title!;
    expect(Array.from(title)).toHaveLength(1024);
    expect(title.endsWith('…')).toBe(true);
    expect(title).not.toContain('\uFFFD');
    expect(truncateRunes('short', 1024)).toBe('short');
  });

  it("keeps the text within Slack's limit by dropping whole alerts, saying how many", () => {
    const payload = notification({ alertCount: 120 });
    payload.alerts.forEach((a) => (a.annotations.description = '磁盘将在 4 小时内写满，'.repeat(5)));
    const { text } = buildSlackMessage(payload, slackConfig(), templates).attachments[0];
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);
    const shown = (text.match(/p99 latency above 2s on api-\d+/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(text.endsWith(`… and ${120 - shown} more firing alerts`)).toBe(true);
  });

  it('lists firing alerts first when it must drop some, saying how many of each status are left out', () => {
    const resolved = notification({ status: 'resolved', alertCount: 200 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `db-${i}` } }));
    const firing = notification({ alertCount: 100 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `web-${i}` } }));
    const { text } = buildSlackMessage(notification({ alerts: [...resolved, ...firing] }), slackConfig(), templates).attachments[0];
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);
    expect(text.startsWith('*:fire: FIRING: HighLatency* (critical)\n>p99 latency above 2s on api-0\n')).toBe(true);
    const shownFiring = (text.match(/instance=web-\d+/g) ?? []).length;
    expect(shownFiring).toBeGreaterThan(0);
    expect(text).not.toContain('RESOLVED');
    expect(text.endsWith(`… and ${100 - shownFiring} more firing, 200 more resolved alerts`)).toBe(true);
  });
});
