import type { WebhookPayload } from '@relay/models';
import { parseConfig, relayTemplates } from '../channels';
import { SlackConfig } from './slack.config';
import { notification } from '../../../../test/support/payloads';
import { buildSlackDigest, buildSlackMessage, SLACK_MAX_TEXT_BYTES, truncateRunes } from './slack.message';

const templates = relayTemplates([], { timezone: 'UTC' });

function slackConfig(block = "channel: '#alerts'"): SlackConfig {
  const yaml = `global: { slack_api_url: 'https://hooks.slack.com/services/T/B/X' }\nreceivers:\n  - name: ops\n    slack_configs:\n      - ${block.trim().split('\n').join('\n        ')}\n`;
  return parseConfig(yaml, { env: {} }).targetsOf<SlackConfig>('slack')[0].config;
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

/** Single-alert notifications, each of its own group, told apart by alertname and summary. */
function backlog(count: number, status: 'firing' | 'resolved' = 'firing', from = 0): WebhookPayload[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const n = notification({ groupKey: `g-${i}`, status, groupLabels: { alertname: `Alert${i}` }, commonLabels: { alertname: `Alert${i}`, team: `team-${i % 2}` } });
    n.alerts[0].labels = { ...n.alerts[0].labels, alertname: `Alert${i}`, team: `team-${i % 2}` };
    n.alerts[0].annotations.summary = `summary of alert ${i}`;
    return n;
  });
}

/** How many of the messages' texts show notification i (its alert's name, exactly). */
const showings = (texts: string[], i: number) => texts.filter((t) => t.includes(`*Alert${i}*`)).length;

describe('buildSlackDigest', () => {
  it('is one attachment for a small backlog: the digest title and text over every alert, the target\'s channel, username and icon', () => {
    const config = slackConfig(`
channel: '#alerts'
username: pager
icon_emoji: ':bell:'
pretext: 'for {{ .Receiver }}'
message_text: '<!here>'
fields:
  - { title: Severity, value: '{{ .CommonLabels.severity }}' }
actions:
  - { type: button, text: Silence, url: 'https://am/silence?{{ .GroupLabels.alertname }}' }
`);
    const digest = buildSlackDigest([...backlog(3), ...backlog(1, 'resolved', 3)], config, templates);
    expect(digest).toHaveLength(1);
    expect(digest[0].completes.sort()).toEqual([0, 1, 2, 3]);
    const { message } = digest[0];
    expect(message).toMatchObject({ channel: '#alerts', username: 'pager', icon_emoji: ':bell:', text: '<!here>' });
    const [attachment] = message.attachments;
    expect(attachment.title).toBe('[DIGEST] 3 firing, 1 resolved');
    expect(attachment.fallback).toBe('[DIGEST] 3 firing, 1 resolved');
    expect(attachment.color).toBe('danger');
    expect(attachment.pretext).toBe('for ops');
    expect(attachment.title_link).toBe('http://alertmanager:9093/#/alerts?receiver=ops');
    expect(attachment.mrkdwn_in).toEqual(['fallback', 'pretext', 'text']);
    // One group's fields and buttons would misdescribe the rest of the digest.
    expect(attachment.fields).toBeUndefined();
    expect(attachment.actions).toBeUndefined();
    expect(attachment.text).toContain('Sent together while the target was throttled');
    for (let i = 0; i < 4; i++) expect(attachment.text).toContain(`*Alert${i}* (critical) summary of alert ${i}`);
    // Firing alerts first, the resolved one after them.
    expect(attachment.text.indexOf(':white_check_mark: *Alert3*')).toBeGreaterThan(attachment.text.indexOf(':fire: *Alert2*'));
  });

  it('is green when everything it carries has resolved, whatever colour template the target has', () => {
    const [{ message }] = buildSlackDigest(backlog(2, 'resolved'), slackConfig(`color: '{{ if eq .CommonLabels.severity "critical" }}#ff0000{{ end }}'`), templates);
    expect(message.attachments[0].color).toBe('good');
    expect(message.attachments[0].title).toBe('[DIGEST] 2 resolved');
  });

  it("splits a long backlog into messages within Slack's text limit, each alert in exactly one, each notification completed once", () => {
    const notifications = [...backlog(150), ...backlog(50, 'resolved', 150)];
    const digest = buildSlackDigest(notifications, slackConfig(), templates);
    expect(digest.length).toBeGreaterThan(1);
    const texts = digest.map((d) => d.message.attachments[0].text);
    for (const text of texts) expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);
    for (const text of texts) expect(text).not.toContain('more firing');
    for (let i = 0; i < 200; i++) expect(showings(texts, i)).toBe(1);
    expect(digest.flatMap((d) => d.completes).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    // Each message completes exactly the notifications it shows.
    digest.forEach(({ completes }, m) => expect(completes.every((i) => showings([texts[m]], i) === 1)).toBe(true));
    // Every firing alert goes out before any resolved one.
    const firstResolved = texts.findIndex((t) => t.includes(':white_check_mark:'));
    expect(texts.slice(firstResolved + 1).some((t) => t.includes(':fire:'))).toBe(false);
    expect(digest.map((d) => d.message.attachments[0].title)).toEqual(digest.map(() => expect.stringMatching(/^\[DIGEST\] /)));
  });

  it('gives an alert too long for any message one of its own, shortened as a single notification is (counted on the more line)', () => {
    const notifications = backlog(3);
    notifications[1].alerts[0].annotations.summary = '磁盘将在 4 小时内写满，'.repeat(400);
    const digest = buildSlackDigest(notifications, slackConfig(), templates);
    expect(digest.map((d) => d.completes)).toEqual([[0], [1], [2]]);
    for (const { message } of digest) expect(Buffer.byteLength(message.attachments[0].text, 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);
    expect(digest[1].message.attachments[0].title).toBe('[DIGEST] 1 firing · Alert1');
    expect(digest[1].message.attachments[0].text.endsWith('… and 1 more firing alert')).toBe(true);
    // The alerts on either side are not pulled into the oversized one's message, nor shortened.
    expect(digest[0].message.attachments[0].text).toContain('*Alert0* (critical) summary of alert 0');
    expect(digest[2].message.attachments[0].text).toContain('*Alert2* (critical) summary of alert 2');
  });

  it('heads every message with the template fallback note, still within the limit', () => {
    const note = '⚠ The template of ops/slack/0 failed on this notification';
    const digest = buildSlackDigest(backlog(200), slackConfig(), templates, note);
    expect(digest.length).toBeGreaterThan(1);
    for (const { message } of digest) {
      expect(message.attachments[0].text.startsWith(`${note}\n\n_Sent together`)).toBe(true);
      expect(Buffer.byteLength(message.attachments[0].text, 'utf8')).toBeLessThanOrEqual(SLACK_MAX_TEXT_BYTES);
    }
    expect(digest.flatMap((d) => d.completes)).toHaveLength(200);
  });

  it('renders a templated channel per notification and sends each channel its own digest', () => {
    const digest = buildSlackDigest(backlog(6), slackConfig(`channel: '#{{ .CommonLabels.team }}'`), templates);
    expect(digest.map((d) => [d.message.channel, d.completes])).toEqual([
      ['#team-0', [0, 2, 4]],
      ['#team-1', [1, 3, 5]],
    ]);
    expect(digest[0].message.attachments[0].text).toContain('*Alert4*');
    expect(digest[0].message.attachments[0].text).not.toContain('*Alert1*');
  });

  it('leaves out a notification whose channel does not render, so it fails on its own rather than failing the others', () => {
    const notifications = backlog(3);
    const config = slackConfig(`channel: '#{{ index .Alerts 0 | len }}'`); // index of a non-slice: fails at render
    expect(() => buildSlackDigest(notifications, config, templates)).toThrow();
    const perAlert = slackConfig(`channel: '{{ if eq .CommonLabels.alertname "Alert1" }}{{ index .Alerts 5 }}{{ end }}#ok'`);
    const digest = buildSlackDigest(notifications, perAlert, templates);
    expect(digest.map((d) => [d.message.channel, d.completes])).toEqual([['#ok', [0, 2]]]);
    expect(digest[0].message.attachments[0].text).not.toContain('*Alert1*');
  });
});
