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

  it('refuses what is not an object', () => {
    expect(parseWebhookPayload([1, 2])).toEqual({ ok: false, errors: ['body must be a JSON object (an Alertmanager webhook notification)'] });
  });
});
