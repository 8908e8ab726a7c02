import { parseConfig } from '@relay/config';
import { TemplateSet } from '@relay/templates';
import { notification } from '@relay/testing';
import { buildDingtalkMessage, DINGTALK_MAX_BODY_BYTES } from './dingtalk.message';

const URL = 'https://oapi.dingtalk.com/robot/send?access_token=t';

function target(block: string) {
  return parseConfig(`receivers: [{ name: ops, dingtalk_configs: [{ url: '${URL}', ${block} }] }]`).targetsOf('dingtalk')[0].config;
}

describe('buildDingtalkMessage', () => {
  const templates = TemplateSet.fromSources([], { timezone: 'Asia/Shanghai', withDefaults: true });

  it('builds the exact text body from user templates, with mentions', () => {
    const config = target(`msgtype: text, text: '{{ .Status | toUpper }} {{ .CommonLabels.alertname }} 告警', mentions: { all: true, user_ids: [u1] }`);
    expect(buildDingtalkMessage(notification(), config, templates)).toEqual({
      msgtype: 'text',
      text: { content: 'FIRING HighLatency 告警' },
      at: { atMobiles: [], atUserIds: ['u1'], isAtAll: true },
    });
  });

  it('writes each @mobile into a markdown text so DingTalk highlights it', () => {
    const config = target(`title: 't', text: 'body', mentions: { mobiles: ['13800000000'], from_label: owner }`);
    const payload = notification({ alertCount: 2 });
    payload.alerts[0].labels.owner = '13911112222,13911113333';
    payload.alerts[1].labels.owner = '13911112222';
    expect(buildDingtalkMessage(payload, config, templates)).toEqual({
      msgtype: 'markdown',
      markdown: { title: 't', text: 'body\n\n@13800000000 @13911112222 @13911113333' },
      at: { atMobiles: ['13800000000', '13911112222', '13911113333'], atUserIds: [], isAtAll: false },
    });
  });

  it('builds link and actionCard bodies pointing at Alertmanager by default', () => {
    const link = buildDingtalkMessage(notification(), target(`msgtype: link, title: T, text: X`), templates);
    expect(link).toEqual({ msgtype: 'link', link: { title: 'T', text: 'X', messageUrl: 'http://alertmanager:9093/#/alerts?receiver=ops', picUrl: '' } });
    const card = buildDingtalkMessage(notification(), target(`msgtype: actionCard, title: T, text: X, button_title: Open`), templates);
    expect(card).toEqual({ msgtype: 'actionCard', actionCard: { title: 'T', text: 'X', singleTitle: 'Open', singleURL: 'http://alertmanager:9093/#/alerts?receiver=ops' } });
  });

  it('renders the default title and text: status, count, names, summaries and times in the configured zone', () => {
    const message = buildDingtalkMessage(notification({ alertCount: 2 }), target(''), templates) as any;
    expect(message.markdown.title).toContain('FIRING');
    expect(message.markdown.title).toContain('HighLatency');
    expect(message.markdown.text).toContain('p99 latency above 2s on api-1');
    expect(message.markdown.text).toContain('2026-11-20 16:00:00'); // 08:00 UTC in Asia/Shanghai
  });

  it('drops whole alerts to stay under 20,000 UTF-8 bytes and says how many', () => {
    const payload = notification({ alertCount: 400 });
    payload.alerts.forEach((a) => (a.annotations.description = '磁盘空间不足，'.repeat(30)));
    const message = buildDingtalkMessage(payload, target(''), templates) as any;
    const size = Buffer.byteLength(JSON.stringify(message), 'utf8');
    expect(size).toBeLessThan(DINGTALK_MAX_BODY_BYTES);
    expect(size).toBeGreaterThan(DINGTALK_MAX_BODY_BYTES * 0.8);
    const shown = (message.markdown.text.match(/p99 latency above 2s on api-/g) ?? []).length;
    expect(message.markdown.text).toContain(`… and ${400 - shown} more alerts`);
    expect(message.markdown.text).not.toContain('\uFFFD');
  });
});
