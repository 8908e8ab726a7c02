import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerModules } from '@relay/runtime';
import { stringify } from 'yaml';
import { InProcessRelay, startRelay } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';

// deploy/monitoring: the alerting rules and the Grafana dashboard, checked with Debian's promtool
// (package `prometheus`) and against the metrics a running relay really exports.
const dir = join(__dirname, '..', '..', 'deploy', 'monitoring');
const RULES = join(dir, 'alert-relay.rules.yml');
const dashboard = JSON.parse(readFileSync(join(dir, 'alert-relay.dashboard.json'), 'utf8')) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};
const dashboardExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is needed (apt-get install prometheus): ${run.error.message}`);
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

/** The alert_relay_* names a query reads. */
const metricsOf = (expr: string) => [...expr.matchAll(/\b(alert_relay_[a-z_]+)\b/g)].map((m) => m[1]);

describe('deploy/monitoring', () => {
  let relay: InProcessRelay;
  /** Every series name the relay's /metrics can show: histograms as their _bucket, _sum and _count. */
  let exported: Set<string>;

  beforeAll(async () => {
    relay = await startRelay({
      yaml: 'receivers:\n  - name: ops\n    dingtalk_configs:\n      - url: http://127.0.0.1:9/robot/send?access_token=m\n',
      features: [IngestModule, ...workerModules()],
    });
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    exported = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])),
    );
  });
  afterAll(() => relay?.close());

  it('passes promtool check rules', () => {
    const { code, out } = promtool('check', 'rules', RULES);
    expect(out).toContain('SUCCESS: 7 rules found');
    expect(code).toBe(0);
  });

  it("fires each alert on the series that mean trouble and not on a healthy relay's (promtool test rules)", () => {
    const { code, out } = promtool('test', 'rules', 'rules.test.yml');
    expect(out).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('alerts only on metrics the relay exports (and Prometheus’s own up)', () => {
    const rules = readFileSync(RULES, 'utf8');
    const named = metricsOf(rules);
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  });

  it('charts what the issue asks for, from metrics the relay exports only', () => {
    const named = new Set(dashboardExprs.flatMap((q) => metricsOf(q.expr)));
    for (const wanted of [
      'alert_relay_deliveries_total',
      'alert_relay_delivery_latency_seconds_bucket',
      'alert_relay_queue_jobs',
      'alert_relay_rate_limit_deferrals_total',
      'alert_relay_digest_notifications_total',
      'alert_relay_digest_messages_total',
      'alert_relay_wecom_token_fetches_total',
    ]) {
      expect(named.has(wanted)).toBe(true);
    }
    for (const name of named) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  });

  it("has dashboard queries that are valid PromQL (promtool parses each, Grafana's variables filled in)", () => {
    const filled = (expr: string) => expr.replace(/\$__rate_interval/g, '5m').replace(/\$__range/g, '1h').replace(/\$(job|channel)/g, '.*');
    const rules = { groups: [{ name: 'dashboard', rules: dashboardExprs.map((q, i) => ({ record: `dashboard:query_${i}`, expr: filled(q.expr) })) }] };
    const file = join(mkdtempSync(join(tmpdir(), 'relay-dashboard-')), 'queries.yml');
    writeFileSync(file, stringify(rules));
    const { code, out } = promtool('check', 'rules', file);
    expect(out).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
    expect(code).toBe(0);
  });
});
