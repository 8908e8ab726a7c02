import { notification } from '@relay/testing';
import type { WebhookPayload } from '@relay/models';
import type { DingtalkConfig } from './dingtalk.config';
import { parseConfig, relayTemplates } from '../channels';
import { buildDingtalkMessage, DINGTALK_MAX_BODY_BYTES } from './dingtalk.message';

const URL = 'https://oapi.dingtalk.com/robot/send?access_token=t';

const bodyBytes = (message: unknown) => Buffer.byteLength(JSON.stringify(message), 'utf8');

/** 200 resolved alerts listed before 100 firing ones, as Alertmanager's label order may put them. */
function resolvedBeforeFiring(): WebhookPayload {
  const resolved = notification({ status: 'resolved', alertCount: 200 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `db-${i}` } }));
  const firing = notification({ alertCount: 100 }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `web-${i}` } }));
  return notification({ alerts: [...resolved, ...firing] });
}

function target(block: string) {
  return parseConfig(`receivers: [{ name: ops, dingtalk_configs: [{ url: '${URL}', ${block} }] }]`).targetsOf<DingtalkConfig>('dingtalk')[0].config;
}

describe('buildDingtalkMessage', () => {
  const templates = relayTemplates([], { timezone: 'Asia/Shanghai' });

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
    expect(message.markdown.text).toContain(`… and ${400 - shown} more firing alerts`);
    expect(message.markdown.text).not.toContain('\uFFFD');
  });

  it('shows firing alerts first when it must drop some, with the counts of every alert', () => {
    const message = buildDingtalkMessage(resolvedBeforeFiring(), target(''), templates) as any;
    const { title, text } = message.markdown;
    expect(bodyBytes(message)).toBeLessThan(DINGTALK_MAX_BODY_BYTES);
    expect(title).toBe('[FIRING:100] HighLatency (api critical)');
    expect(text.startsWith('### 🔥 [FIRING:100] HighLatency (api critical)\n\n100 firing, 200 resolved\n\n#### 🔥 HighLatency [critical]')).toBe(true);
    const shownFiring = (text.match(/instance=web-\d+/g) ?? []).length;
    expect(shownFiring).toBeGreaterThan(30);
    expect(text).not.toContain('#### ✅');
    expect(text.endsWith(`[Alertmanager](http://alertmanager:9093/#/alerts?receiver=ops)\n\n\n… and ${100 - shownFiring} more firing, 200 more resolved alerts`)).toBe(true);
  });

  it('cuts a 10 KB title on a character boundary with an ellipsis, keeping the body under the limit', () => {
    const message = buildDingtalkMessage(notification(), target(`title: '${'告警'.repeat(1700)}', text: body`), templates);
    expect(message).toEqual({ msgtype: 'markdown', markdown: { title: '告警'.repeat(170) + '…', text: 'body' }, at: { atMobiles: [], atUserIds: [], isAtAll: false } });
  });

  it('bounds link and actionCard fields: title and button cut, an overlong URL gives way to Alertmanager, an overlong picture is left out', () => {
    const longUrl = `http://grafana/d/x?q=${'%E5%91%8A'.repeat(3000)}`;
    const link = buildDingtalkMessage(notification(), target(`msgtype: link, title: '${'告警'.repeat(1700)}', text: X, message_url: '${longUrl}', pic_url: '${longUrl}'`), templates);
    expect(link).toEqual({ msgtype: 'link', link: { title: '告警'.repeat(170) + '…', text: 'X', messageUrl: 'http://alertmanager:9093', picUrl: '' } });
    const card = buildDingtalkMessage(notification(), target(`msgtype: actionCard, title: T, text: X, message_url: '${longUrl}', button_title: '${'查看'.repeat(1700)}'`), templates);
    expect(card).toEqual({ msgtype: 'actionCard', actionCard: { title: 'T', text: 'X', singleTitle: '查看'.repeat(170) + '…', singleURL: 'http://alertmanager:9093' } });
  });

  it('mentions only as many owners as fit, highlighting exactly those', () => {
    const payload = notification({ alertCount: 1500 });
    payload.alerts.forEach((a, i) => (a.labels.owner = String(13900000000 + i)));
    const message = buildDingtalkMessage(payload, target(`mentions: { from_label: owner }`), templates) as any;
    expect(bodyBytes(message)).toBeLessThan(DINGTALK_MAX_BODY_BYTES);
    const mobiles: string[] = message.at.atMobiles;
    expect(mobiles).toEqual(Array.from({ length: mobiles.length }, (_, i) => String(13900000000 + i)));
    expect(mobiles.length).toBeGreaterThan(100);
    expect(message.markdown.text.endsWith(`\n\n${mobiles.map((m) => `@${m}`).join(' ')}`)).toBe(true);
  });

  it('cuts an alert-free text too long for the body on a character boundary, filling the body to the limit', () => {
    // JSON escapes a quote as two bytes: each '"告' adds 5, so the text alone would add 25,000
    const text = '"告'.repeat(5000);
    const message = buildDingtalkMessage(notification(), target(`msgtype: text, text: '${text}'`), templates) as any;
    expect(bodyBytes(message)).toBeLessThan(DINGTALK_MAX_BODY_BYTES);
    expect(bodyBytes(message)).toBeGreaterThan(DINGTALK_MAX_BODY_BYTES - 5);
    expect(text.startsWith(message.text.content)).toBe(true);
  });
});
