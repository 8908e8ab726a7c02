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
    expect(content).toMatch(/… and \d+ more alerts$/);
  });
});
