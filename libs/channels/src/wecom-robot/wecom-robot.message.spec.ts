import type { WebhookPayload } from '@relay/models';
import { notification } from '@relay/testing';
import { TemplateSet } from '@relay/templates';
import { parseConfig, relayTemplates } from '../channels';
import { WecomRobotConfig } from './wecom-robot.config';
import { buildWecomRobotDigest, buildWecomRobotMessage, WECOM_ROBOT_MAX_CONTENT_BYTES, WecomRobotMessage } from './wecom-robot.message';

const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k';

function robot(fields = ''): WecomRobotConfig {
  return parseConfig(`receivers: [{ name: ops, wecom_robot_configs: [{ url: '${URL}' ${fields} }] }]`).targetsOf<WecomRobotConfig>('wecom_robot')[0].config;
}

describe('buildWecomRobotMessage', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = relayTemplates();
  });

  it('sends markdown with the default robot template', () => {
    const message = buildWecomRobotMessage(notification(), robot(), templates);
    expect(message).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('**HighLatency**') } });
  });

  it('sends text with its mentions', () => {
    const message = buildWecomRobotMessage(notification(), robot(`, msgtype: text, mentioned_list: ['@all'], mentioned_mobile_list: ['13800001111']`), templates);
    expect(message).toEqual({
      msgtype: 'text',
      text: { content: expect.stringContaining('HighLatency'), mentioned_list: ['@all'], mentioned_mobile_list: ['13800001111'] },
    });
  });

  it.each([
    ['markdown', 4096],
    ['markdown_v2', 4096],
    ['text', 2048],
  ] as const)('keeps %s content within %i bytes', (msgtype, limit) => {
    const payload = notification({ alertCount: 40 });
    const message: any = buildWecomRobotMessage(payload, robot(`, msgtype: ${msgtype}`), templates);
    const content: string = message[msgtype].content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(limit);
    expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(limit / 2);
    expect(content).toMatch(/… and \d+ more firing alerts$/);
  });

  it('shows firing alerts first when it must drop some, with the counts of every alert', () => {
    const resolved = notification({ status: 'resolved', alertCount: 20 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `db-${i}` } }));
    const firing = notification({ alertCount: 20 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `web-${i}` } }));
    const message: any = buildWecomRobotMessage(notification({ alerts: [...resolved, ...firing] }), robot(), templates);
    const content: string = message.markdown.content;
    expect(content.startsWith('### [FIRING:20] HighLatency (api critical)\n20 firing, 20 resolved\n\n> **HighLatency** <font color="comment">critical</font> <font color="warning">FIRING</font>\n')).toBe(true);
    const shownFiring = (content.match(/instance=web-\d+/g) ?? []).length;
    expect(shownFiring).toBeGreaterThan(0);
    expect(content).not.toContain('RESOLVED');
    expect(content.endsWith(`\n… and ${20 - shownFiring} more firing, 20 more resolved alerts`)).toBe(true);
  });
});

/** A throttled robot's backlog: single-alert notifications of their own groups, every third resolved, named `summary-<i>`. */
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

const contentOf = (message: WecomRobotMessage): string => (message.msgtype === 'text' ? message.text.content : message.msgtype === 'markdown' ? message.markdown.content : message.markdown_v2.content);

/** The alerts a digest content lists, in order, from its `> FIRING **HighLatency** … summary-3` lines. */
const listed = (content: string) =>
  [...content.matchAll(/^> <font color="(?:warning|info)">(FIRING|RESOLVED)<\/font> \*\*HighLatency\*\* <font color="comment">critical<\/font> summary-(\d+)$/gm)].map((m) => ({
    status: m[1],
    index: Number(m[2]),
  }));

describe('buildWecomRobotDigest', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = relayTemplates();
  });

  it.each(['markdown', 'markdown_v2', 'text'] as const)('splits a backlog into %s contents within their limit, showing every alert once, firing ones first', (msgtype) => {
    const limit = WECOM_ROBOT_MAX_CONTENT_BYTES[msgtype];
    const notifications = backlog(90);
    const messages = buildWecomRobotDigest(notifications, robot(`, msgtype: ${msgtype}`), templates);

    expect(messages.length).toBeGreaterThan(2);
    const contents = messages.map((m) => contentOf(m.message));
    for (const { message } of messages) expect(message.msgtype).toBe(msgtype);
    for (const content of contents) {
      expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(limit);
      expect(content).toMatch(/^### \[DIGEST\] /);
    }
    // As few messages as the limit needs: each but the last is too full to have taken one more alert.
    for (const content of contents.slice(0, -1)) expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(limit - 350);

    const shown = contents.flatMap(listed);
    expect(shown.map((a) => a.index).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    for (const { status, index } of shown) expect(status.toLowerCase()).toBe(notifications[index].status);
    const firstResolved = shown.findIndex((a) => a.status === 'RESOLVED');
    expect(firstResolved).toBe(60);
    expect(shown.slice(firstResolved).every((a) => a.status === 'RESOLVED')).toBe(true);

    expect(messages.flatMap((m) => m.completes).sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    messages.forEach((message, part) => expect([...message.completes].sort((a, b) => a - b)).toEqual(listed(contents[part]).map((a) => a.index).sort((a, b) => a - b)));
  });

  it("mentions the target's people in every part of a text digest", () => {
    const messages = buildWecomRobotDigest(backlog(60), robot(`, msgtype: text, mentioned_list: ['wangqing', '@all'], mentioned_mobile_list: ['13800001111']`), templates);
    expect(messages.length).toBeGreaterThan(1);
    for (const { message } of messages) {
      expect(message).toEqual({ msgtype: 'text', text: { content: expect.any(String), mentioned_list: ['wangqing', '@all'], mentioned_mobile_list: ['13800001111'] } });
    }
  });

  it('heads every content with the note of a template fallback, still within the limit', () => {
    const note = "⚠ The template of ops/wecom_robot/0 failed on this notification, so alert-relay's default template was used. boom";
    const messages = buildWecomRobotDigest(backlog(60), robot(), templates, note);
    expect(messages.length).toBeGreaterThan(1);
    for (const { message } of messages) {
      expect(contentOf(message).startsWith(`${note}\n\n### [DIGEST] `)).toBe(true);
      expect(Buffer.byteLength(contentOf(message), 'utf8')).toBeLessThanOrEqual(WECOM_ROBOT_MAX_CONTENT_BYTES.markdown);
    }
    expect(messages.flatMap((m) => listed(contentOf(m.message)))).toHaveLength(60);
  });
});
