import { parseConfig, WechatConfig } from '@relay/config';
import type { WebhookPayload } from '@relay/models';
import { notification } from '@relay/testing';
import { TemplateSet } from '@relay/templates';
import { buildWechatMessage, WECHAT_MAX_CONTENT_BYTES } from './wechat.message';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function target(block: string): WechatConfig {
  return parseConfig(`
global: { wechat_api_corp_id: ww, wechat_api_secret: s }
receivers: [{ name: ops, wechat_configs: [${block}] }]`).targetsOf('wechat')[0].config;
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
    templates = await TemplateSet.load([]);
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
