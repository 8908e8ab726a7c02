import { Redis } from 'ioredis';
import { DeliveryFailure } from '@relay/delivery';
import { failureOf } from '@relay/testing';
import { uniquePrefix } from '../../../../test/support/relay-harness';
import { SlackSendGate } from './slack.send-gate';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


// Two gates on two Redis connections stand for two worker replicas.
describe('SlackSendGate (real Redis)', () => {
  let redisA: Redis;
  let redisB: Redis;
  let replicaA: SlackSendGate;
  let replicaB: SlackSendGate;

  beforeEach(() => {
    const prefix = uniquePrefix();
    redisA = new Redis(process.env.REDIS_URL!);
    redisB = new Redis(process.env.REDIS_URL!);
    replicaA = new SlackSendGate(redisA, prefix, 5);
    replicaB = new SlackSendGate(redisB, prefix, 5);
  });
  afterEach(() => {
    redisA.disconnect();
    redisB.disconnect();
  });

  it('lets one request at a time reach a target, whichever replica sends it', async () => {
    let inFlight = 0;
    let most = 0;
    const send = async () => {
      most = Math.max(most, ++inFlight);
      await sleep(15);
      inFlight--;
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? replicaA : replicaB).exclusive('ops/slack/0', 5_000, send)));
    expect(most).toBe(1);
  });

  it('different targets do not wait for each other', async () => {
    let inFlight = 0;
    let most = 0;
    const send = async () => {
      most = Math.max(most, ++inFlight);
      await sleep(50);
      inFlight--;
    };
    await Promise.all([replicaA.exclusive('a', 5_000, send), replicaB.exclusive('b', 5_000, send)]);
    expect(most).toBe(2);
  });

  it('after a 429 no replica sends to the target until Retry-After has passed', async () => {
    const retryAt = Date.now() + 600;
    const throttled = DeliveryFailure.rateLimited('ratelimited', 'Slack answered 429', retryAt);
    await expect(replicaA.exclusive('t', 5_000, () => Promise.reject(throttled))).rejects.toBe(throttled);

    let sent = 0;
    const failure = await failureOf(replicaB.exclusive('t', 5_000, async () => void sent++));
    expect(failure).toMatchObject({ kind: 'rate_limited', reason: 'retry_after_pending' });
    expect(Math.abs(failure.retryAt! - retryAt)).toBeLessThan(100);
    expect(sent).toBe(0);

    await sleep(retryAt - Date.now() + 20);
    await replicaB.exclusive('t', 5_000, async () => void sent++);
    expect(sent).toBe(1);
  });

  it('a holder that died frees the target once its lease ends', async () => {
    void replicaA.exclusive('t', 150, () => new Promise(() => undefined)); // never answers, never releases
    await sleep(20);
    const started = Date.now();
    await replicaB.exclusive('t', 5_000, async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
