import { isExpired, nextRetryDelay, relayBackoffStrategy, RetryLater } from './retry-policy';

describe('the retry policy: by age, with capped exponential backoff', () => {
  const target = { maxRetryIntervalMs: 300_000, maxDeliveryAgeMs: 6 * 3600_000 };

  it('doubles from 5 s with up to half taken off at random, and never waits longer than the cap', () => {
    expect(nextRetryDelay(1, target, 0, () => 1)).toBe(5_000);
    expect(nextRetryDelay(1, target, 0, () => 0)).toBe(2_500);
    expect(nextRetryDelay(4, target, 0, () => 1)).toBe(40_000);
    for (const attempt of [7, 8, 20, 500]) {
      expect(nextRetryDelay(attempt, target, 0, () => 1)).toBe(300_000);
      expect(nextRetryDelay(attempt, target, 0, () => 0)).toBe(150_000);
    }
    expect(nextRetryDelay(10, { ...target, maxRetryIntervalMs: 2_000 }, 0, () => 1)).toBe(2_000);
  });

  it('puts the last try on the deadline, and is expired from there on', () => {
    const age = target.maxDeliveryAgeMs - 10_000;
    expect(nextRetryDelay(30, target, age, () => 1)).toBe(10_000);
    expect(isExpired(target, age)).toBe(false);
    expect(isExpired(target, target.maxDeliveryAgeMs)).toBe(true);
  });

  it('hands BullMQ the delay the processor chose', () => {
    expect(relayBackoffStrategy(3, 'relay', new RetryLater('http_502', 1_234))).toBe(1_234);
    // Anything else (never thrown by the processor) still backs off.
    expect(relayBackoffStrategy(2, 'relay', new Error('x'))).toBe(10_000);
  });
});
