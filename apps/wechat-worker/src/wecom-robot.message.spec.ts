import { parseConfig, WecomRobotConfig } from '@relay/config';
import { notification } from '@relay/testing';
import { TemplateSet } from '@relay/templates';
import { buildWecomRobotMessage } from './wecom-robot.message';

const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k';

function robot(fields = ''): WecomRobotConfig {
  return parseConfig(`receivers: [{ name: ops, wecom_robot_configs: [{ url: '${URL}' ${fields} }] }]`).targetsOf('wecom_robot')[0].config;
}

describe('buildWecomRobotMessage', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = await TemplateSet.load([]);
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
