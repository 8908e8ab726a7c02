import type { WebhookPayload } from '@relay/models';

/** Alertmanager's zero time: what `endsAt` holds while an alert fires. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

type Alert = WebhookPayload['alerts'][number];

function alert(i: number, status: 'firing' | 'resolved', labels: Record<string, string>, annotations: Record<string, string>): Alert {
  const startsAt = new Date(Date.UTC(2026, 10, 20, 8, 0, i)).toISOString();
  return {
    status,
    labels,
    annotations,
    startsAt,
    endsAt: status === 'firing' ? ZERO_TIME : new Date(Date.UTC(2026, 10, 20, 8, 30, i)).toISOString(),
    generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(`up{instance="db-${i}:9100"} == 0`)}`,
    fingerprint: (0x5eed000000 + i).toString(16).padStart(16, '0'),
  };
}

function notification(receiver: string, alerts: Alert[], groupLabels: Record<string, string>): WebhookPayload {
  const firing = alerts.some((a) => a.status === 'firing');
  const common = (key: 'labels' | 'annotations') =>
    Object.fromEntries(Object.entries(alerts[0]?.[key] ?? {}).filter(([k, v]) => alerts.every((a) => a[key][k] === v)));
  return {
    version: '4',
    groupKey: `{}:{${Object.entries(groupLabels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
    truncatedAlerts: 0,
    status: firing ? 'firing' : 'resolved',
    receiver,
    groupLabels,
    commonLabels: common('labels'),
    commonAnnotations: common('annotations'),
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

const disk = (i: number, status: 'firing' | 'resolved') =>
  alert(i, status, { alertname: 'DiskFull', severity: i % 3 ? 'warning' : 'critical', instance: `db-${i}:9100`, job: 'node' }, { summary: `/var ${90 + (i % 10)}% full on db-${i}`, description: 'Free space is below 10%; clean up old backups or grow the volume.' });

export interface Example {
  id: string;
  label: string;
  notification: (receiver: string) => WebhookPayload;
}

/** The notifications a person picks from to see a template at work; each for the receiver being viewed. */
export const EXAMPLES: Example[] = [
  { id: 'firing', label: 'Firing, one alert', notification: (r) => notification(r, [disk(0, 'firing')], { alertname: 'DiskFull' }) },
  { id: 'resolved', label: 'Resolved', notification: (r) => notification(r, [disk(0, 'resolved'), disk(1, 'resolved')], { alertname: 'DiskFull' }) },
  { id: 'mixed', label: 'Mixed: firing and resolved', notification: (r) => notification(r, [disk(0, 'firing'), disk(1, 'resolved'), disk(2, 'firing')], { alertname: 'DiskFull' }) },
  { id: 'many', label: 'Many alerts (300)', notification: (r) => notification(r, Array.from({ length: 300 }, (_, i) => disk(i, i % 5 ? 'firing' : 'resolved')), { alertname: 'DiskFull' }) },
  {
    id: 'chinese',
    label: 'Chinese text (中文, 40 alerts)',
    notification: (r) =>
      notification(
        r,
        Array.from({ length: 40 }, (_, i) =>
          alert(i, 'firing', { alertname: '数据库连接池耗尽', severity: '严重', instance: `数据库-${i}:5432`, job: 'postgres' }, { summary: `数据库-${i} 连接池已满`, description: '数据库连接池耗尽，请检查慢查询与连接泄漏。'.repeat(6) }),
        ),
        { alertname: '数据库连接池耗尽' },
      ),
  },
];
