import { notification } from '@relay/testing';
import { parseWebhookPayload } from './parse-webhook-payload';

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
        'alerts[1] must be an object (or a list of objects)',
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
});
