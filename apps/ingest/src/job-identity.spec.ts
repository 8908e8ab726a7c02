import { notification } from '@relay/testing';
import { deliveryIdentity } from './job-identity';
import { unquoteMeta } from './receiver-name';

describe('deliveryIdentity', () => {
  const base = notification({ alertCount: 3 });
  const id = (p = base, target = 'ops/dingtalk/0') => deliveryIdentity('ops', target, p);

  it('is the same for the same notification, whatever the alert order (HA peers)', () => {
    expect(id({ ...base, alerts: [...base.alerts].reverse() })).toBe(id());
  });

  it('differs per target, group, status and alert state', () => {
    expect(id(base, 'ops/dingtalk/1')).not.toBe(id());
    expect(id({ ...base, groupKey: 'other' })).not.toBe(id());
    expect(id({ ...base, status: 'resolved' })).not.toBe(id());
    const resolvedOne = { ...base, alerts: base.alerts.map((a, i) => (i === 0 ? { ...a, status: 'resolved' as const, endsAt: '2026-11-20T09:00:00Z' } : a)) };
    expect(id(resolvedOne)).not.toBe(id());
    expect(id({ ...base, alerts: base.alerts.slice(0, 2) })).not.toBe(id());
  });

  it('tells alerts apart by labels when a sender leaves fingerprint out', () => {
    const a = { ...base, alerts: base.alerts.map((x) => ({ ...x, fingerprint: '' })) };
    const b = { ...a, alerts: a.alerts.map((x, i) => (i === 0 ? { ...x, labels: { ...x.labels, instance: 'other' } } : x)) };
    expect(id(b)).not.toBe(id(a));
  });
});

describe('unquoteMeta', () => {
  it("undoes Go's regexp.QuoteMeta", () => {
    expect(unquoteMeta('ops\\.team')).toBe('ops.team');
    expect(unquoteMeta('a\\+b\\*c\\?\\(d\\)\\[e\\]\\{f\\}\\^g\\$h\\|i\\\\j')).toBe('a+b*c?(d)[e]{f}^g$h|i\\j');
    expect(unquoteMeta('plain-name_1')).toBe('plain-name_1');
  });
});
