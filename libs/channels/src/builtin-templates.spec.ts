import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookPayload } from '@relay/models';
import { renderWithinBytes, templateData, truncateUtf8, utf8ByteLength } from '@relay/templates';
import { relayTemplates } from './channels';

const golden = join(__dirname, '../../templates/test/golden/data');
const five: WebhookPayload = JSON.parse(readFileSync(join(golden, 'five-firing.json'), 'utf8'));
const resolved: WebhookPayload = JSON.parse(readFileSync(join(golden, 'resolved.json'), 'utf8'));
const now = () => new Date('2026-11-20T10:00:00Z');
const set = relayTemplates([], { timezone: 'Asia/Shanghai', now });
/** The default names the README documents, which users redefine. */
const allNames = [
  ...['title', 'text', 'digest.title', 'digest'].map((n) => `dingtalk.default.${n}`),
  ...['message', 'digest'].map((n) => `wechat.default.${n}`),
  ...['message', 'digest'].map((n) => `wecom_robot.default.${n}`),
  ...['title', 'text', 'color', 'username', 'fallback', 'pretext', 'titlelink', 'iconemoji', 'iconurl', 'footer', 'callbackid', 'digest.title', 'digest'].map((n) => `slack.default.${n}`),
  ...['subject', 'html', 'text', 'digest.subject', 'digest.html', 'digest.text'].map((n) => `email.default.${n}`),
  ...['title', 'text', 'plain', 'digest.title', 'digest', 'digest.plain'].map((n) => `feishu.default.${n}`),
];

describe('default templates', () => {
  it('defines every documented name', () => {
    for (const n of allNames) expect(set.has(n)).toBe(true);
  });

  it.each(allNames)('%s renders firing and resolved notifications', (name) => {
    for (const p of [five, resolved]) expect(() => set.render(`{{ template "${name}" . }}`, templateData(p))).not.toThrow();
  });

  it('DingTalk: status, counts, names, severity, summary/description/message, labels, times in the configured zone, links', () => {
    const out = set.render('{{ template "dingtalk.default.text" . }}', templateData(five));
    expect(set.render('{{ template "dingtalk.default.title" . }}', templateData(five))).toBe('[FIRING:5] NodeDown (node critical)');
    expect(out).toContain('5 firing');
    expect(out).toContain('#### 🔥 NodeDown [critical]');
    expect(out).toContain('> **节点 10.0.0.1 宕机**');
    expect(out).toContain('节点 10.0.0.1:9100 已超过 5 分钟无响应。');
    expect(out).toContain('Node exporter on 10.0.0.3 is unreachable'); // message fallback
    expect(out).toContain('- **Labels**: instance=10.0.0.1:9100, job=node, zone=cn-east-1a');
    expect(out).toContain('- **Started**: 2026-11-20 16:00:00 CST (for 2h 0m 0s)');
    expect(out).toContain('[Source](http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1)');
    expect(out).toContain('[Alertmanager](http://alertmanager.example.com:9093/#/alerts?receiver=ops)');
  });

  it('resolved alerts show end time and how long they lasted; UTC by default', () => {
    const utc = relayTemplates([], { now });
    const out = utc.render('{{ template "wechat.default.message" . }}', templateData(resolved));
    expect(out).toContain('[RESOLVED] HighLatency (warning)');
    expect(out).toContain('Started: 2026-01-05 23:10:00 UTC');
    expect(out).toContain('Ended: 2026-01-06 01:25:30 UTC (lasted 2h 15m 30s)');
  });

  it('Slack mrkdwn escapes &, <, > and has colors; email HTML escapes values', () => {
    const d = templateData(five);
    expect(set.render('{{ template "slack.default.text" . }}', d)).toContain('数据库节点宕机 &lt;db-1&gt; &amp; "primary"');
    expect(set.render('{{ template "slack.default.color" . }}', d)).toBe('danger');
    expect(set.render('{{ template "slack.default.color" . }}', templateData(resolved))).toBe('good');
    const html = set.render('{{ template "email.default.html" . }}', d);
    expect(html).toContain('数据库节点宕机 &lt;db-1&gt; &amp; &#34;primary&#34;');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(set.render('{{ template "email.default.subject" . }}', d)).toBe('[FIRING:5] NodeDown (node critical)');
  });
});

describe('size limits', () => {
  const render = (p: WebhookPayload) => set.render('{{ template "dingtalk.default.text" . }}', templateData(p));

  it('keeps everything when it fits', () => {
    const full = render(five);
    expect(renderWithinBytes(five, 20000, render)).toBe(full);
  });

  it('drops whole alerts and says how many', () => {
    const full = render(five);
    const limit = utf8ByteLength(full) - 10;
    const out = renderWithinBytes(five, limit, render);
    expect(utf8ByteLength(out)).toBeLessThanOrEqual(limit);
    expect(out).toMatch(/\n… and 1 more firing alert$/);
    expect(out).toContain('10.0.0.1:9100');
    const tiny = renderWithinBytes(five, 900, render, { moreLine: (n) => `\n(+${n})` });
    expect(utf8ByteLength(tiny)).toBeLessThanOrEqual(900);
    expect(tiny).toMatch(/\n\(\+\d\)$/);
  });

  it('cuts at a character boundary when not even zero alerts fit', () => {
    const out = renderWithinBytes(five, 20, render);
    expect(utf8ByteLength(out)).toBeLessThanOrEqual(20);
    expect(out).not.toContain('\uFFFD');
  });

  it('truncateUtf8 never splits a character', () => {
    expect(truncateUtf8('中文字', 7)).toBe('中文');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('abc', 0)).toBe('');
  });
});
