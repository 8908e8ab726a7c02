import { notification } from '@relay/testing';
import { DEFAULT_PAYLOAD_LIMITS, payloadLimitViolation } from './payload-limits';

/** `value` wrapped in `depth` arrays. */
const nestedArrays = (depth: number, value: unknown = 1): unknown => {
  let v = value;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('payloadLimitViolation', () => {
  it('passes a notification as Alertmanager sends it, with unknown fields', () => {
    const body: any = notification({ alertCount: 20 });
    body.routeLabels = { team: 'ops' };
    body.alerts[0].values = { A: { B: [1, 2, { C: null }] } };
    expect(payloadLimitViolation(body)).toBeUndefined();
  });

  it('counts the body as level 1: 32 levels pass, 33 are refused, naming the field', () => {
    // body (1) → field (2) → … : 31 arrays under the field reach level 32.
    expect(payloadLimitViolation({ ...notification(), extra: nestedArrays(31) })).toBeUndefined();
    expect(payloadLimitViolation({ ...notification(), extra: nestedArrays(32) })).toBe(
      'extra is nested too deep: arrays and objects may nest at most 32 levels (the body being the first)',
    );
  });

  it('refuses a million levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    expect(payloadLimitViolation({ ...notification(), alerts: deep })).toMatch(/^alerts is nested too deep/);
    let objects: unknown = {};
    for (let i = 0; i < 100_000; i++) objects = { a: objects };
    expect(payloadLimitViolation({ ...notification(), alerts: [{ labels: {}, extra: objects }] })).toMatch(/^alerts is nested too deep/);
  });

  it('refuses more alerts than maxAlerts, naming the setting', () => {
    const alerts = Array.from({ length: 4 }, () => ({}));
    expect(payloadLimitViolation({ alerts }, { ...DEFAULT_PAYLOAD_LIMITS, maxAlerts: 4 })).toBeUndefined();
    expect(payloadLimitViolation({ alerts }, { ...DEFAULT_PAYLOAD_LIMITS, maxAlerts: 3 })).toBe(
      'alerts must hold at most 3 alerts (ingest.max_alerts); this notification has 4',
    );
    expect(payloadLimitViolation({ alerts: Array.from({ length: 10_001 }, () => ({})) })).toMatch(/at most 10000 alerts/);
  });

  it('bounds the entries, name lengths and value lengths of every label and annotation set', () => {
    const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
    const withAlert = (alert: object) => ({ ...notification(), alerts: [notification().alerts[0], { ...notification().alerts[0], ...alert }] });
    expect(payloadLimitViolation(withAlert({ labels: entries(256) }))).toBeUndefined();
    expect(payloadLimitViolation(withAlert({ labels: entries(257) }))).toBe('alerts[1].labels must have at most 256 entries');
    expect(payloadLimitViolation({ ...notification(), commonAnnotations: entries(257) })).toBe('commonAnnotations must have at most 256 entries');
    expect(payloadLimitViolation(withAlert({ annotations: { ['n'.repeat(1024)]: 'v' } }))).toBeUndefined();
    expect(payloadLimitViolation(withAlert({ annotations: { ['n'.repeat(1025)]: 'v' } }))).toBe('alerts[1].annotations names must be at most 1024 characters long');
    expect(payloadLimitViolation(withAlert({ annotations: { description: 'v'.repeat(16 * 1024) } }))).toBeUndefined();
    expect(payloadLimitViolation(withAlert({ annotations: { description: 'v'.repeat(16 * 1024 + 1) } }))).toBe(
      'alerts[1].annotations.description must be at most 16384 characters long',
    );
    expect(payloadLimitViolation({ ...notification(), groupLabels: { alertname: 'x'.repeat(20_000) } })).toBe('groupLabels.alertname must be at most 16384 characters long');
  });

  it('leaves wrong types to the schema', () => {
    expect(payloadLimitViolation({ ...notification(), commonLabels: 'x', alerts: ['oops', { labels: [1, 2], annotations: { a: 3 } }] })).toBeUndefined();
  });
});
