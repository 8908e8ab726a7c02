import type { WebhookPayload } from '@relay/models';
import { notification } from '@relay/testing';
import { TemplateSet } from '@relay/templates';
import { parseConfig, relayTemplates } from '../channels';
import { WechatConfig } from './wechat.config';
import { buildWechatDigest, buildWechatMessage, WECHAT_MAX_CONTENT_BYTES } from './wechat.message';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function target(block: string): WechatConfig {
  return parseConfig(`
global: { wechat_api_corp_id: ww, wechat_api_secret: s }
receivers: [{ name: ops, wechat_configs: [${block}] }]`).targetsOf<WechatConfig>('wechat')[0].config;
}

/** 200 resolved alerts listed before 100 firing ones, as Alertmanager's label order may put them. */
function resolvedBeforeFiring(): WebhookPayload {
  const resolved = notification({ status: 'resolved', alertCount: 200 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `db-${i}` } }));
  const firing = notification({ alertCount: 100 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `web-${i}` } }));
  return notification({ alerts: [...resolved, ...firing] });
}

describe('buildWechatMessage', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = relayTemplates();
  });

  it('sends text to @all with the default template when no recipient is configured', () => {
    const message = buildWechatMessage(notification(), target('{ agent_id: 1000002 }'), templates);
    expect(message).toEqual({ touser: '@all', toparty: undefined, totag: undefined, msgtype: 'text', agentid: 1000002, text: { content: expect.stringContaining('HighLatency') }, safe: 0 });
    expect(message.text!.content).toContain('p99 latency above 2s on api-0');
  });

  it('does not broadcast to @all when only a party or tag is configured', () => {
    const message = buildWechatMessage(notification(), target(`{ agent_id: '1000002', to_party: '2|3', to_tag: '7' }`), templates);
    expect(message).toMatchObject({ toparty: '2|3', totag: '7' });
    expect(message.touser).toBeUndefined();
  });

  it('renders recipients, agent_id and message as templates, and markdown as markdown', () => {
    const message = buildWechatMessage(
      notification({ commonLabels: { alertname: 'HighLatency', team: 'db' } }),
      target(`{ agent_id: '{{ if eq .CommonLabels.team "db" }}1000003{{ end }}', to_user: 'oncall-{{ .CommonLabels.team }}', message: '**{{ .Status }}** {{ len .Alerts }}', message_type: markdown }`),
      templates,
    );
    expect(message).toMatchObject({ touser: 'oncall-db', agentid: 1000003, msgtype: 'markdown', markdown: { content: '**firing** 1' } });
    expect(message.text).toBeUndefined();
  });

  it('keeps a 20 KB notification within 2048 bytes by dropping whole alerts, never cutting a character', () => {
    const payload = notification({ alertCount: 12 });
    payload.alerts.forEach((a) => (a.annotations.description = '磁盘空间不足🔥'.repeat(60)));
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(20_000);
    const content = buildWechatMessage(payload, target('{ agent_id: 1 }'), templates).text!.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECHAT_MAX_CONTENT_BYTES);
    expect(content).not.toMatch(LONE_SURROGATE);
    const kept = payload.alerts.filter((a) => content.includes(a.labels.instance)).length;
    expect(kept).toBeGreaterThan(0);
    expect(content).toContain(`… and ${12 - kept} more firing alerts`);
  });

  it('cuts on a character boundary when even the alert-free part is too long', () => {
    const content = buildWechatMessage(notification(), target(`{ agent_id: 1, message: '${'告警🔥'.repeat(400)}' }`), templates).text!.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECHAT_MAX_CONTENT_BYTES);
    expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(WECHAT_MAX_CONTENT_BYTES - 4);
    expect(content).not.toMatch(LONE_SURROGATE);
    expect(content).not.toContain('\uFFFD');
  });

  it('shows firing alerts first when it must drop some, with the counts of every alert', () => {
    const content = buildWechatMessage(resolvedBeforeFiring(), target('{ agent_id: 1 }'), templates).text!.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECHAT_MAX_CONTENT_BYTES);
    expect(content.startsWith('[FIRING:100] HighLatency (api critical)\n100 firing, 200 resolved\n\n[FIRING] HighLatency (critical)\n')).toBe(true);
    const shownFiring = (content.match(/instance=web-\d+/g) ?? []).length;
    expect(shownFiring).toBeGreaterThan(0);
    expect(content).not.toContain('[RESOLVED]');
    expect(content.endsWith(`\n… and ${100 - shownFiring} more firing, 200 more resolved alerts`)).toBe(true);
  });
});

/**
 * A backlog as a throttled target collects it: one single-alert notification per group, every
 * third one resolved, each alert named by its own summary (`summary-<i>`) and instance.
 */
function backlog(count: number): WebhookPayload[] {
  return Array.from({ length: count }, (_, i) => {
    const status = i % 3 === 2 ? 'resolved' : 'firing';
    const [alert] = notification({ status }).alerts;
    return notification({
      groupKey: `{}:{instance="api-${i}"}`,
      status,
      alerts: [{ ...alert, labels: { ...alert.labels, instance: `api-${i}:9090` }, annotations: { summary: `summary-${i}` } }],
    });
  });
}

/** The alerts a digest content lists, in order, as `[FIRING] summary-3` lines. */
const listed = (content: string) => [...content.matchAll(/^\[(FIRING|RESOLVED)\] HighLatency \(critical\): summary-(\d+)$/gm)].map((m) => ({ status: m[1], index: Number(m[2]) }));

describe('buildWechatDigest', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = relayTemplates();
  });

  it('splits a backlog into contents within 2048 bytes, showing every alert once, firing ones first, to the configured recipients', () => {
    const notifications = backlog(60);
    const messages = buildWechatDigest(notifications, target(`{ agent_id: 1000002, to_user: 'alice|bob' }`), templates);

    expect(messages.length).toBeGreaterThan(2);
    const contents = messages.map((m) => m.message.text!.content);
    for (const message of messages) expect(message.message).toMatchObject({ touser: 'alice|bob', agentid: 1000002, msgtype: 'text', safe: 0 });
    for (const content of contents) {
      expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECHAT_MAX_CONTENT_BYTES);
      expect(content).toMatch(/^\[DIGEST\] /);
    }
    // As few messages as the limit needs: each but the last is too full to have taken one more alert.
    for (const content of contents.slice(0, -1)) expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(WECHAT_MAX_CONTENT_BYTES - 250);

    const shown = contents.flatMap(listed);
    expect(shown.map((a) => a.index).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    for (const { status, index } of shown) expect(status.toLowerCase()).toBe(notifications[index].status);
    const firstResolved = shown.findIndex((a) => a.status === 'RESOLVED');
    expect(firstResolved).toBe(40);
    expect(shown.slice(firstResolved).every((a) => a.status === 'RESOLVED')).toBe(true);

    // Each notification is completed by the one message that shows its alert.
    expect(messages.flatMap((m) => m.completes).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    messages.forEach((message, part) => expect([...message.completes].sort((a, b) => a - b)).toEqual(listed(contents[part]).map((a) => a.index).sort((a, b) => a - b)));
  });

  it('completes a notification whose alerts span two messages only with the second', () => {
    const big = notification({ groupKey: 'big', alertCount: 30 });
    big.alerts.forEach((a, i) => (a.annotations = { summary: `summary-${100 + i}` }));
    const notifications = [...backlog(10), big];
    const messages = buildWechatDigest(notifications, target('{ agent_id: 1 }'), templates);
    const parts = messages.map((m) => listed(m.message.text!.content).map((a) => a.index));
    const partsOfBig = parts.map((indexes, part) => (indexes.some((i) => i >= 100) ? part : -1)).filter((part) => part >= 0);
    expect(partsOfBig.length).toBeGreaterThan(1);
    expect(messages.map((m, part) => (m.completes.includes(10) ? part : -1)).filter((part) => part >= 0)).toEqual([partsOfBig.at(-1)]);
    expect(parts.flat().filter((i) => i >= 100)).toHaveLength(30);
  });

  it('sends each notification only to the recipients its own message would have, never folding one team into another', () => {
    const notifications = backlog(30).map((n, i) => ({ ...n, commonLabels: { ...n.commonLabels, team: i % 2 ? 'db' : 'web' } }));
    const messages = buildWechatDigest(notifications, target(`{ agent_id: 1, to_user: 'oncall-{{ .CommonLabels.team }}', message_type: markdown }`), templates);
    expect(new Set(messages.map((m) => m.message.touser))).toEqual(new Set(['oncall-web', 'oncall-db']));
    for (const message of messages) {
      const team = message.message.touser === 'oncall-db' ? 1 : 0;
      const shown = listed(message.message.markdown!.content);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.every((a) => a.index % 2 === team)).toBe(true);
      expect(message.completes.every((i) => i % 2 === team)).toBe(true);
      expect(message.message.text).toBeUndefined();
    }
    expect(messages.flatMap((m) => listed(m.message.markdown!.content)).map((a) => a.index).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
  });

  it('leaves out a notification whose recipients fail to render, so it goes on waiting to fail alone, and sends the others', () => {
    const notifications = backlog(6).map((n, i) => ({ ...n, commonLabels: { ...n.commonLabels, team: i === 3 ? 'broken' : 'web' } }));
    const config = target(`{ agent_id: 1, to_user: '{{ if eq .CommonLabels.team "broken" }}{{ index .Alerts 5 }}{{ end }}oncall-{{ .CommonLabels.team }}' }`);
    expect(() => buildWechatMessage(notifications[3], config, templates)).toThrow(/index out of range/);
    const messages = buildWechatDigest(notifications, config, templates);
    expect(messages.map((m) => m.message.touser)).toEqual(['oncall-web']);
    expect(messages[0].completes.sort()).toEqual([0, 1, 2, 4, 5]);
    expect(listed(messages[0].message.text!.content).map((a) => a.index).sort()).toEqual([0, 1, 2, 4, 5]);
  });

  it('heads every content with the note of a template fallback, still within 2048 bytes', () => {
    const note = '⚠ The template of ops/wechat/0 failed on this notification, so alert-relay\'s default template was used. boom';
    const messages = buildWechatDigest(backlog(40), target('{ agent_id: 1 }'), templates, note);
    expect(messages.length).toBeGreaterThan(1);
    for (const { message } of messages) {
      expect(message.text!.content.startsWith(`${note}\n\n[DIGEST] `)).toBe(true);
      expect(Buffer.byteLength(message.text!.content, 'utf8')).toBeLessThanOrEqual(WECHAT_MAX_CONTENT_BYTES);
    }
    expect(messages.flatMap((m) => listed(m.message.text!.content))).toHaveLength(40);
  });

  it('gives an alert too long for any message one of its own, shortened with a counted line, and shows its neighbours whole', () => {
    const notifications = backlog(5);
    notifications[2] = { ...notifications[2], status: 'firing', alerts: [{ ...notifications[2].alerts[0], status: 'firing', annotations: { summary: `summary-2 ${'磁盘🔥'.repeat(400)}` } }] };
    const messages = buildWechatDigest(notifications, target('{ agent_id: 1 }'), templates);
    const contents = messages.map((m) => m.message.text!.content);
    for (const content of contents) expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECHAT_MAX_CONTENT_BYTES);
    const alone = messages.findIndex((m) => m.completes.includes(2));
    expect(messages[alone].completes).toEqual([2]);
    expect(contents[alone]).toMatch(/… and 1 more firing alert$/);
    expect(contents.flatMap(listed).map((a) => a.index).sort((a, b) => a - b)).toEqual([0, 1, 3, 4]);
  });
});
