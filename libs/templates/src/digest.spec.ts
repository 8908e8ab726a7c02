import { notification } from '@relay/testing';
import type { Alert, WebhookPayload } from '@relay/models';
import { digestPayload, packDigest } from './digest';

function single(name: string, status: 'firing' | 'resolved', extra: Record<string, string> = {}): WebhookPayload {
  const n = notification({ groupKey: `g-${name}`, status });
  n.alerts[0].labels = { alertname: name, job: 'api', ...extra };
  return n;
}

const names = (alerts: Alert[]) => alerts.map((a) => a.labels.alertname);

describe('digests', () => {
  it('puts every firing alert before any resolved one, and keeps what all alerts share as common labels', () => {
    const parts = packDigest([single('a', 'resolved'), single('b', 'firing', { zone: 'x' }), single('c', 'firing', { zone: 'y' })], () => true);
    expect(parts).toHaveLength(1);
    const [{ payload, completes }] = parts;
    expect(names(payload.alerts)).toEqual(['b', 'c', 'a']);
    expect(completes.sort()).toEqual([0, 1, 2]);
    expect(payload).toMatchObject({ status: 'firing', groupLabels: {}, commonLabels: { job: 'api' }, receiver: 'ops' });
  });

  it('splits into as few messages as fit, each alert in exactly one, a notification complete at its last alert', () => {
    const notifications = Array.from({ length: 10 }, (_, i) => ({ ...notification({ groupKey: `g${i}`, alertCount: 3 }) }));
    notifications.forEach((n, i) => n.alerts.forEach((a, j) => (a.labels = { alertname: `n${i}a${j}` })));
    const parts = packDigest(notifications, (p) => p.alerts.length <= 4);
    expect(parts.map((p) => p.payload.alerts.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
    expect(parts.flatMap((p) => names(p.payload.alerts))).toEqual(notifications.flatMap((n) => names(n.alerts)));
    // n0's three alerts are in part 0; n1's span parts 0 and 1, so part 1 completes it; n2 ends in part 2 with all of n3.
    expect(parts[0].completes).toEqual([0]);
    expect(parts[1].completes).toEqual([1]);
    expect(parts[2].completes).toEqual([2, 3]);
    expect(parts.flatMap((p) => p.completes).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives an alert too large for any message a message of its own (the builder then shortens it)', () => {
    const big = single('big', 'firing');
    const parts = packDigest([single('a', 'firing'), big, single('b', 'firing')], (p) => !p.alerts.some((a) => a.labels.alertname === 'big'));
    expect(parts.map((p) => names(p.payload.alerts))).toEqual([['a'], ['big'], ['b']]);
  });

  it('builds the payload a digest template sees from the alerts given', () => {
    const alerts = [single('x', 'resolved').alerts[0]];
    expect(digestPayload(alerts, single('x', 'resolved'))).toMatchObject({ status: 'resolved', commonLabels: { alertname: 'x', job: 'api' }, alerts });
  });
});
