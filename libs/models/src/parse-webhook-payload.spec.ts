import { notification } from '@relay/testing';
import { MAX_REASONS, parseWebhookPayload } from './parse-webhook-payload';
import { DEFAULT_PAYLOAD_LIMITS } from './payload-limits';

describe('parseWebhookPayload', () => {
  it('accepts an Alertmanager notification and fills the fields Alertmanager may leave out', () => {
    const body: any = notification();
    delete body.truncatedAlerts;
    delete body.alerts[0].generatorURL;
    delete body.alerts[0].endsAt;
    const parsed = parseWebhookPayload(body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.payload.truncatedAlerts).toBe(0);
    expect(parsed.payload.alerts[0]).toMatchObject({ generatorURL: '', endsAt: '0001-01-01T00:00:00Z', fingerprint: '000000abcdef0000' });
  });

  it('reports every problem with its path', () => {
    expect(parseWebhookPayload({ status: 'firing', alerts: [{ status: 'x', labels: [], startsAt: '2026-11-20T08:00:00Z' }, 'oops'] })).toEqual({
      ok: false,
      errors: [
        'groupKey must be a string (Alertmanager always sends one)',
        'alerts[0].status must be "firing" or "resolved"',
        'alerts[0].labels must be an object of string values',
        'alerts[1] must be an object',
      ],
    });
  });

  it('refuses an explicit null for every field, optional ones included, naming the field', () => {
    const body: any = notification();
    for (const key of ['version', 'truncatedAlerts', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL']) body[key] = null;
    for (const key of ['labels', 'annotations', 'endsAt', 'generatorURL', 'fingerprint']) body.alerts[0][key] = null;
    expect(parseWebhookPayload(body)).toEqual({
      ok: false,
      errors: [
        'version must be a string',
        'truncatedAlerts must be a non-negative integer',
        'receiver must be a string',
        'groupLabels must be an object of string values',
        'commonLabels must be an object of string values',
        'commonAnnotations must be an object of string values',
        'externalURL must be a string',
        'alerts[0].labels must be an object of string values',
        'alerts[0].annotations must be an object of string values',
        'alerts[0].endsAt must be an RFC3339 time',
        'alerts[0].generatorURL must be a string',
        'alerts[0].fingerprint must be a string',
      ],
    });
    expect(parseWebhookPayload({ ...notification(), groupKey: null, status: null, alerts: null })).toEqual({
      ok: false,
      errors: ['groupKey must be a string (Alertmanager always sends one)', 'status must be "firing" or "resolved"', 'alerts must be an array'],
    });
  });

  it('still fills every optional field left out, and keeps unknown fields untouched (null included)', () => {
    const body: any = notification();
    for (const key of ['version', 'truncatedAlerts', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL']) delete body[key];
    for (const key of ['annotations', 'endsAt', 'generatorURL', 'fingerprint']) delete body.alerts[0][key];
    body.routeLabels = null;
    body.alerts[0].silencedBy = null;
    const parsed = parseWebhookPayload(body);
    expect(parsed).toMatchObject({
      ok: true,
      payload: {
        version: '4',
        truncatedAlerts: 0,
        receiver: '',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: '',
        routeLabels: null,
        alerts: [{ annotations: {}, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '', silencedBy: null }],
      },
    });
  });

  it('gives one reason per field', () => {
    for (const alerts of ['bad', 7, {}, { status: 'firing' }]) {
      expect(parseWebhookPayload({ ...notification(), alerts })).toEqual({ ok: false, errors: ['alerts must be an array'] });
    }
    for (const truncatedAlerts of ['3', -1, 1.5]) {
      expect(parseWebhookPayload({ ...notification(), truncatedAlerts })).toEqual({ ok: false, errors: ['truncatedAlerts must be a non-negative integer'] });
    }
  });

  it('refuses what is not an object', () => {
    expect(parseWebhookPayload([1, 2])).toEqual({ ok: false, errors: ['body must be a JSON object (an Alertmanager webhook notification)'] });
  });

  it('refuses alerts within alerts instead of validating the inner list as alerts', () => {
    expect(parseWebhookPayload({ ...notification(), alerts: [notification().alerts] })).toEqual({ ok: false, errors: ['alerts[0] must be an object'] });
  });

  it('refuses impossible times, naming the field', () => {
    const body: any = notification();
    body.alerts[0].startsAt = '2024-02-30T10:00:00Z';
    body.alerts[0].endsAt = '2026-01-01T10:00:00+99:99';
    expect(parseWebhookPayload(body)).toEqual({ ok: false, errors: ['alerts[0].startsAt must be an RFC3339 time', 'alerts[0].endsAt must be an RFC3339 time'] });
  });

  it('refuses a body past the shape limits with the one rule it breaks, before judging fields', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(parseWebhookPayload({ ...notification(), status: 'burning', alerts: deep })).toEqual({
      ok: false,
      errors: ['alerts is nested too deep: arrays and objects may nest at most 32 levels (the body being the first)'],
    });
    const many = { ...notification(), alerts: Array.from({ length: 5 }, () => notification().alerts[0]) };
    expect(parseWebhookPayload(many, { ...DEFAULT_PAYLOAD_LIMITS, maxAlerts: 4 })).toEqual({
      ok: false,
      errors: ['alerts must hold at most 4 alerts (ingest.max_alerts); this notification has 5'],
    });
    expect(parseWebhookPayload(many, { ...DEFAULT_PAYLOAD_LIMITS, maxAlerts: 5 }).ok).toBe(true);
  });

  it(`lists at most ${MAX_REASONS} reasons, and says there may be more`, () => {
    const parsed = parseWebhookPayload({ ...notification(), alerts: Array.from({ length: 10_000 }, () => ({})) });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toHaveLength(MAX_REASONS + 1);
    expect(parsed.errors[0]).toBe('alerts[0].status must be "firing" or "resolved"');
    expect(parsed.errors[MAX_REASONS]).toBe(`… and possibly more: only the first ${MAX_REASONS} problems are listed`);
    // Exactly enough problems are listed without the note.
    const few = parseWebhookPayload({ ...notification(), alerts: [{ ...notification().alerts[0], status: 'x' }] });
    expect(few).toEqual({ ok: false, errors: ['alerts[0].status must be "firing" or "resolved"'] });
  });

  it('cannot be talked out of validating by a constructor or __proto__ field, at the top or in an alert', () => {
    for (const key of ['constructor', '__proto__']) {
      const body = JSON.parse(`{"${key}": {}, "status": "burning", "groupKey": "g", "alerts": [{"${key}": {}, "status": "x", "labels": {}, "startsAt": "2026-11-20T08:00:00Z"}]}`);
      expect(parseWebhookPayload(body)).toEqual({ ok: false, errors: ['status must be "firing" or "resolved"', 'alerts[0].status must be "firing" or "resolved"'] });
    }
  });

  it('keeps __proto__, constructor and prototype as ordinary keys: labels, annotations and unknown fields', () => {
    const text = JSON.stringify(notification())
      .replace('"labels":{', '"labels":{"__proto__":"a","constructor":"b","prototype":"c",')
      .replace('"annotations":{', '"annotations":{"__proto__":"d","constructor":"e",')
      .replace('"version":"4"', '"version":"4","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}');
    const parsed = parseWebhookPayload(JSON.parse(text));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { payload } = parsed;
    const alert = payload.alerts[0];
    expect(Object.entries(alert.labels)).toEqual(expect.arrayContaining([['__proto__', 'a'], ['constructor', 'b'], ['prototype', 'c']]));
    expect(Object.entries(alert.annotations)).toEqual(expect.arrayContaining([['__proto__', 'd'], ['constructor', 'e']]));
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(alert.labels)).toBe(Object.prototype);
    expect((payload as any).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(payload)).__proto__).toEqual({ polluted: 'yes' });
    expect(({} as any).polluted).toBeUndefined();
  });
});
