import { TemplateSet } from '@relay/templates';
import { DeliveryFailure, retryAfterToTime } from './delivery-failure';

describe('DeliveryFailure.from', () => {
  it('fails a template error permanently: it fails the same on every retry', () => {
    const set = TemplateSet.fromSources([], { builtins: [] });
    let error: unknown;
    try {
      set.render('{{ index .Alerts 5 }}', { Alerts: [] });
    } catch (e) {
      error = e;
    }
    expect(DeliveryFailure.from(error)).toMatchObject({ kind: 'permanent', reason: 'template' });
  });

  it('retries timeouts and network errors', async () => {
    const timeout = await fetch('http://127.0.0.1:9', { signal: AbortSignal.timeout(1) }).catch((e) => e);
    expect(DeliveryFailure.from(timeout).kind).toBe('transient');
    expect(DeliveryFailure.from(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({ kind: 'transient', reason: 'network_econnreset' });
  });
});

describe('retryAfterToTime', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterToTime('30', 1_000)).toBe(31_000);
    expect(retryAfterToTime('Wed, 21 Oct 2037 07:28:00 GMT', 0)).toBe(Date.parse('Wed, 21 Oct 2037 07:28:00 GMT'));
    expect(retryAfterToTime(null)).toBeUndefined();
    expect(retryAfterToTime('soon')).toBeUndefined();
  });
});
