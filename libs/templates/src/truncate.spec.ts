import type { WebhookPayload } from '@relay/models';
import { notification } from '@relay/testing';
import { renderWithinBytes, TemplateSet, templateData, utf8ByteLength } from '@relay/templates';

/** 3 resolved alerts (db-*) listed before 2 firing ones (web-*), as Alertmanager's label order may put them. */
function resolvedBeforeFiring(): WebhookPayload {
  const named = (status: 'firing' | 'resolved', prefix: string, count: number) =>
    notification({ status, alertCount: count }).alerts.map((a, i) => ({ ...a, labels: { ...a.labels, instance: `${prefix}-${i}` } }));
  return notification({ commonLabels: { alertname: 'HighLatency' }, alerts: [...named('resolved', 'db', 3), ...named('firing', 'web', 2)] });
}

describe('renderWithinBytes', () => {
  const templates = TemplateSet.fromSources([]);
  const listing = '{{ template "__relay.title" . }}\n{{ template "__relay.counts" . }}{{ range .Alerts }}\n- {{ .Status }} {{ .Labels.instance }}: p99 latency above 2s{{ end }}';
  const render = (p: WebhookPayload) => templates.render(listing, templateData(p));
  const notShown = (_dropped: number, omitted: { firing: number; resolved: number }) => `\n… ${omitted.firing} firing and ${omitted.resolved} resolved not shown`;
  const fits = (text: string) => utf8ByteLength(text);

  it('keeps firing alerts before resolved ones, and counts every alert of the notification', () => {
    const payload = resolvedBeforeFiring();
    expect(render(payload)).toBe(
      '[FIRING:2] HighLatency\n2 firing, 3 resolved\n' +
        '- resolved db-0: p99 latency above 2s\n- resolved db-1: p99 latency above 2s\n- resolved db-2: p99 latency above 2s\n' +
        '- firing web-0: p99 latency above 2s\n- firing web-1: p99 latency above 2s',
    );
    const threeAlerts =
      '[FIRING:2] HighLatency\n2 firing, 3 resolved\n' +
      '- firing web-0: p99 latency above 2s\n- firing web-1: p99 latency above 2s\n- resolved db-0: p99 latency above 2s\n' +
      '… 0 firing and 2 resolved not shown';
    expect(renderWithinBytes(payload, fits(threeAlerts), render, { moreLine: notShown, countTemplates: templates })).toBe(threeAlerts);
  });

  it('says how many firing alerts were left out when not even all firing ones fit', () => {
    const oneAlert = '[FIRING:2] HighLatency\n2 firing, 3 resolved\n- firing web-0: p99 latency above 2s\n… 1 firing and 3 resolved not shown';
    expect(renderWithinBytes(resolvedBeforeFiring(), fits(oneAlert), render, { moreLine: notShown, countTemplates: templates })).toBe(oneAlert);
  });

  it('names both statuses in the default line when both were left out', () => {
    const oneAlert = '[FIRING:2] HighLatency\n2 firing, 3 resolved\n- firing web-0: p99 latency above 2s\n… and 1 more firing, 3 more resolved alerts';
    expect(renderWithinBytes(resolvedBeforeFiring(), fits(oneAlert), render, { countTemplates: templates })).toBe(oneAlert);
  });

  it('leaves counts a template computes by itself as they are: they count what it shows', () => {
    const own = (p: WebhookPayload) => templates.render('{{ len .Alerts.Firing }} of {{ len .Alerts }}{{ range .Alerts }}\n{{ .Labels.instance }}: p99 latency above 2s{{ end }}', templateData(p));
    const oneAlert = '1 of 1\nweb-0: p99 latency above 2s\n… 1 firing and 3 resolved not shown';
    expect(renderWithinBytes(resolvedBeforeFiring(), fits(oneAlert), own, { moreLine: notShown, countTemplates: templates })).toBe(oneAlert);
  });

  it('measures with the given measure, cutting on a character boundary when no alert fits', () => {
    // JSON escapes a quote as two bytes and an emoji is four: each '"🔥' measures 6
    const quoted = (p: WebhookPayload) => '"🔥'.repeat(500) + p.alerts.length;
    const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8') - 2;
    const out = renderWithinBytes(resolvedBeforeFiring(), 301, quoted, { measure: jsonBytes });
    expect(out).toBe('"🔥'.repeat(50));
  });
});
