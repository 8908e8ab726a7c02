import type { WebhookPayload } from '@relay/models';
import { notification } from '@relay/testing';
import { parseConfig, relayTemplates } from '../channels';
import { signedFeishuBody } from './feishu.channel';
import type { FeishuConfig } from './feishu.config';
import { buildFeishuDigest, buildFeishuMessage, FEISHU_MAX_BODY_BYTES, FeishuMessage } from './feishu.message';

const URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/t';
const OU = 'ou_7d8a6e6df7621556ce0d21922b676706';

function target(block = ''): FeishuConfig {
  return parseConfig(`receivers: [{ name: ops, feishu_configs: [{ url: '${URL}', ${block} }] }]`).targetsOf<FeishuConfig>('feishu')[0].config;
}

/** The body as posted, signed: what Feishu's 20 KB counts. */
const signedBytes = (message: FeishuMessage) => Buffer.byteLength(JSON.stringify(signedFeishuBody(message, 'secret', Date.now())), 'utf8');

/** The text a reader sees, whatever the msg_type. */
function textOf(message: FeishuMessage): string {
  if (message.msg_type === 'interactive') return message.card.elements.map((e) => e.content).join('\n');
  if (message.msg_type === 'text') return message.content.text;
  return message.content.post.zh_cn.content.map((p) => p.map((e) => (e.tag === 'text' ? e.text : `@${e.user_id}`)).join('')).join('\n');
}

describe('buildFeishuMessage', () => {
  const templates = relayTemplates([], { timezone: 'Asia/Shanghai' });

  it('builds a card: the title in a header red while firing, the default markdown, mentions from config and labels', () => {
    const payload = notification({ alertCount: 2 });
    payload.alerts[0].labels.owner = `${OU}, ou_second`;
    payload.alerts[1].labels.owner = 'ou_"><at id=all'; // data that could close the tag is not mentioned
    const message = buildFeishuMessage(payload, target(`mentions: { all: true, user_ids: [ou_first], from_label: owner }`), templates) as any;
    expect(message.msg_type).toBe('interactive');
    expect(message.card.header).toEqual({ template: 'red', title: { tag: 'plain_text', content: '[FIRING:2] HighLatency (api critical)' } });
    const [element] = message.card.elements;
    expect(element.tag).toBe('markdown');
    expect(element.content.startsWith('2 firing\n\n**🔥 HighLatency** [critical]\n**p99 latency above 2s on api-0**\n延迟过高，请检查 upstream\n')).toBe(true);
    expect(element.content).toContain('Started: 2026-11-20 16:00:00 CST'); // 08:00 UTC in Asia/Shanghai
    expect(element.content).toContain('[Source](http://prometheus:9090/graph?g0.expr=latency_1)');
    expect(element.content).toContain('[Alertmanager](http://alertmanager:9093/#/alerts?receiver=ops)');
    expect(element.content.endsWith(`\n\n<at id=all></at> <at id=ou_first></at> <at id=${OU}></at> <at id=ou_second></at>`)).toBe(true);
  });

  it('colours a resolved card green', () => {
    const message = buildFeishuMessage(notification({ status: 'resolved' }), target(), templates) as any;
    expect(message.card.header.template).toBe('green');
    expect(message.card.header.title.content).toBe('[RESOLVED] HighLatency (api critical)');
    expect(message.card.elements[0].content).toContain('Ended: 2026-11-20 16:30:00 CST');
  });

  it('builds the exact post body from user templates: one paragraph per line, mentions as at elements', () => {
    const config = target(`msg_type: post, title: '{{ .Status | toUpper }} 告警', text: "{{ range .Alerts }}{{ .Labels.instance }}\\n\\n{{ end }}", mentions: { all: true, user_ids: ['${OU}'] }`);
    expect(buildFeishuMessage(notification({ alertCount: 2 }), config, templates)).toEqual({
      msg_type: 'post',
      content: {
        post: {
          zh_cn: {
            title: 'FIRING 告警',
            content: [[{ tag: 'text', text: 'api-0:9090' }], [{ tag: 'text', text: 'api-1:9090' }], [{ tag: 'at', user_id: 'all' }, { tag: 'at', user_id: OU }]],
          },
        },
      },
    });
  });

  it('builds the exact text body, mentions written in as <at> tags', () => {
    const config = target(`msg_type: text, text: '{{ .CommonLabels.alertname }} 告警', mentions: { all: true, user_ids: ['${OU}'] }`);
    expect(buildFeishuMessage(notification(), config, templates)).toEqual({
      msg_type: 'text',
      content: { text: `HighLatency 告警\n\n<at user_id="all">所有人</at> <at user_id="${OU}"></at>` },
    });
  });

  it.each(['post', 'text'] as const)('gives %s the plain default, without markdown marks', (msgType) => {
    const message = buildFeishuMessage(notification(), target(`msg_type: ${msgType}`), templates);
    const text = textOf(message);
    expect(text).toContain('[FIRING] HighLatency (critical)');
    expect(text).toContain('Summary: p99 latency above 2s on api-0');
    expect(text).toContain('Alertmanager: http://alertmanager:9093/#/alerts?receiver=ops');
    expect(text).not.toContain('**');
  });

  it.each(['interactive', 'post', 'text'] as const)('%s: drops whole alerts of a huge Chinese notification to stay within 20,000 bytes signed, and says how many', (msgType) => {
    const payload = notification({ alertCount: 400 });
    payload.alerts.forEach((a) => (a.annotations.description = '磁盘空间不足，数据库连接池耗尽，'.repeat(20)));
    const message = buildFeishuMessage(payload, target(`msg_type: ${msgType}, mentions: { user_ids: ['${OU}'] }`), templates);
    expect(signedBytes(message)).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    expect(signedBytes(message)).toBeGreaterThan(FEISHU_MAX_BODY_BYTES * 0.9);
    const text = textOf(message);
    const shown = (text.match(/p99 latency above 2s on api-/g) ?? []).length;
    expect(shown).toBeGreaterThan(5);
    expect(text).toContain(`… and ${400 - shown} more firing alerts`);
    expect(text).toContain('400 firing'); // the counts stay those of the whole notification
    expect(text).not.toContain('\uFFFD');
    expect(text).toContain(msgType === 'post' ? `@${OU}` : OU); // the mentions survive the cut
  });

  it('drops a single Chinese alert too large alone, keeping its count and the header', () => {
    const payload = notification();
    payload.alerts[0].annotations.description = '数据库连接池耗尽，'.repeat(3000);
    const message = buildFeishuMessage(payload, target(), templates) as any;
    expect(signedBytes(message)).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    expect(message.card.header.title.content).toBe('[FIRING:1] HighLatency (api critical)');
    const { content } = message.card.elements[0];
    expect(content).toMatch(/\[Alertmanager\]\(http:\/\/alertmanager:9093\/#\/alerts\?receiver=ops\)\n+… and 1 more firing alert$/);
    expect(content).not.toContain('数据库');
  });

  it.each(['interactive', 'post', 'text'] as const)('%s: cuts an alert-free text too long for the body on a character boundary, filling it to the limit', (msgType) => {
    const text = '"告警'.repeat(8000); // a quote escapes to two bytes in JSON
    const message = buildFeishuMessage(notification(), target(`msg_type: ${msgType}, text: '${text}'`), templates);
    expect(signedBytes(message)).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    expect(signedBytes(message)).toBeGreaterThan(FEISHU_MAX_BODY_BYTES - 5);
    expect(text.startsWith(textOf(message))).toBe(true);
  });

  it('cuts a 10 KB title to 1,024 bytes with an ellipsis', () => {
    const message = buildFeishuMessage(notification(), target(`title: '${'告警'.repeat(1700)}', text: body`), templates) as any;
    expect(message.card.header.title.content).toBe('告警'.repeat(170) + '…');
    expect(message.card.elements).toEqual([{ tag: 'markdown', content: 'body' }]);
  });

  it('heads the text with the note of a template fallback', () => {
    const message = buildFeishuMessage(notification(), target(`text: body`), templates, '⚠ fallback');
    expect(textOf(message)).toBe('⚠ fallback\n\nbody');
  });
});

/** A throttled bot's backlog: single-alert notifications of their own groups, every third resolved, named `[storm-<i>]`. */
function backlog(count: number): WebhookPayload[] {
  return Array.from({ length: count }, (_, i) => {
    const status = i % 3 === 2 ? 'resolved' : 'firing';
    const [alert] = notification({ status }).alerts;
    return notification({
      groupKey: `{}:{instance="storm-${i}"}`,
      status,
      alerts: [{ ...alert, labels: { ...alert.labels, instance: `storm-${i}`, owner: `ou_owner${i}` }, annotations: { summary: `[storm-${i}] 磁盘快满了 ${'详'.repeat(40)}` } }],
    });
  });
}

describe('buildFeishuDigest', () => {
  const templates = relayTemplates([], { timezone: 'Asia/Shanghai' });

  it.each(['interactive', 'post', 'text'] as const)('%s: splits a backlog of 300 into messages within 20,000 bytes signed, each alert shown once, firing first', (msgType) => {
    const notifications = backlog(300);
    const messages = buildFeishuDigest(notifications, target(`msg_type: ${msgType}, mentions: { from_label: owner }`), templates);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThan(8);
    const shown: number[] = [];
    const statuses: string[] = [];
    for (const { message, completes } of messages) {
      expect(message.msg_type).toBe(msgType);
      expect(signedBytes(message)).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
      const text = textOf(message);
      expect(text).toContain('Sent together while the target was throttled');
      const here = [...text.matchAll(/(🔥|✅|\[FIRING\]|\[RESOLVED\])[^\n]*\[storm-(\d+)\]/g)].map((m) => ({ status: /🔥|FIRING/.test(m[1]) ? 'firing' : 'resolved', index: Number(m[2]) }));
      expect([...completes].sort((a, b) => a - b)).toEqual(here.map((h) => h.index).sort((a, b) => a - b));
      // Whoever owns an alert a message shows is mentioned in that message.
      for (const { index } of here) expect(text).toContain(`ou_owner${index}`);
      shown.push(...here.map((h) => h.index));
      statuses.push(...here.map((h) => h.status));
    }
    expect([...shown].sort((a, b) => a - b)).toEqual(notifications.map((_, i) => i));
    expect(statuses.indexOf('resolved')).toBe(200);
    if (msgType === 'interactive') {
      const first = messages[0].message as any;
      expect(first.card.header).toEqual({ template: 'red', title: { tag: 'plain_text', content: expect.stringMatching(/^\[DIGEST\] \d+ firing · HighLatency$/) } });
      expect(first.card.elements[0].content).toMatch(/\n🔥 \*\*HighLatency\*\* \[critical\] \[storm-0\] 磁盘快满了 详+ · instance=storm-0, job=api, owner=ou_owner0 · since 2026-11-20 16:00:00 CST\n/);
    }
  });
});
