import { Redis } from 'ioredis';
import type { RateLimit } from '@relay/config';
import { uniquePrefix } from '@relay/testing';
import { DigestStore } from './digest-store';
import { TargetRateLimiter } from './target-rate-limiter';

describe('DigestStore on real Redis', () => {
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(() => redis.disconnect());
  const OPEN: RateLimit = { max: 1_000, perMs: 60_000, penaltyMs: 10_000 };

  /** A target's digest store and rate gate, and one job's turn at them. */
  const store = () => {
    const prefix = uniquePrefix();
    const digests = new DigestStore(redis, prefix);
    const limiter = new TargetRateLimiter(redis, prefix);
    const turn = (id: string, receivedAt: number, { limit = OPEN, leaseMs = 10_000 }: { limit?: RateLimit; leaseMs?: number } = {}) =>
      digests.takeTurn('t', { id, receivedAt }, limiter.request('t', limit, id), leaseMs, 100);
    return { digests, limiter, turn };
  };

  it('hands the waiting jobs to one sender, which another sender cannot take, and puts them back when its send fails', async () => {
    const { digests, turn } = store();
    for (const [id, at] of [['a', 1], ['b', 2], ['c', 3]] as const) await digests.wait('t', id, at);
    expect(await turn('a', 1)).toMatchObject({ kind: 'admitted', jobIds: ['b', 'c'] });
    // A second sender finds nothing waiting; b, held by a's claim, is told to wait for it.
    expect(await turn('x', 4)).toMatchObject({ kind: 'admitted', jobIds: [] });
    expect(await turn('b', 2)).toMatchObject({ kind: 'held', by: 'a' });
    await digests.release('t', [{ id: 'b', receivedAt: 2 }, { id: 'c', receivedAt: 3 }]);
    expect(await turn('y', 5)).toMatchObject({ kind: 'admitted', jobIds: ['b', 'c'] });
  });

  it('lets a job held by a live claim, or already carried, not wait again (the next digest would show it twice)', async () => {
    const { digests, turn } = store();
    await digests.wait('t', 'b', 2);
    await turn('a', 1);
    await digests.wait('t', 'b', 2);
    expect(await turn('x', 3)).toMatchObject({ kind: 'admitted', jobIds: [] });
    await digests.carried('t', [{ id: 'b', record: { by: 'a', at: 5 } }]);
    await digests.wait('t', 'b', 2);
    expect(await turn('y', 4)).toMatchObject({ kind: 'admitted', jobIds: [] });
    expect(await turn('b', 2)).toEqual({ kind: 'carried', record: { by: 'a', at: 5 } });
    await digests.forget('t', 'b');
    expect(await turn('b', 2)).toMatchObject({ kind: 'admitted', jobIds: [] });
  });

  it('gives a sender run again after a crash back what it had claimed, and frees a claim whose lease ran out', async () => {
    const { digests, turn } = store();
    await digests.wait('t', 'b', 2);
    await digests.wait('t', 'c', 3);
    await turn('a', 1, { leaseMs: 200 });
    // a crashed; BullMQ runs it again: its digest carries b and c again (shown twice at worst, never lost).
    expect(await turn('a', 1, { leaseMs: 200 })).toMatchObject({ kind: 'admitted', jobIds: expect.arrayContaining(['b', 'c']) });
    await new Promise((r) => setTimeout(r, 250));
    expect(await turn('b', 2)).toMatchObject({ kind: 'admitted', jobIds: [] });
  });

  it('remembers a job to be sent on its own after a digest carrying it was refused for good', async () => {
    const { digests, turn } = store();
    await digests.wait('t', 'b', 2);
    await digests.goAlone('a');
    // Alone, a takes nothing along: b stays for the next sender.
    expect(await turn('a', 1)).toMatchObject({ kind: 'admitted', jobIds: [] });
    expect(await turn('c', 3)).toMatchObject({ kind: 'admitted', jobIds: ['b'] });
  });

  it('puts a job the rate gate refused among the waiting, and spends no slot on a job a digest in flight holds', async () => {
    const { digests, turn } = store();
    const limit: RateLimit = { max: 2, perMs: 60_000, penaltyMs: 10_000 };
    await digests.wait('t', 'b', 2);
    expect(await turn('a', 1, { limit })).toMatchObject({ kind: 'admitted', jobIds: ['b'] });
    // b is held by a's claim: told to wait for it, without taking the window's second place.
    expect(await turn('b', 2, { limit })).toMatchObject({ kind: 'held', by: 'a' });
    expect(await turn('c', 3, { limit })).toMatchObject({ kind: 'admitted', jobIds: [] });
    const refused = await turn('d', 4, { limit });
    expect(refused).toMatchObject({ kind: 'refused', admission: { allowed: false, reason: 'window' } });
    // d now waits among the pending: the next sender's digest carries it.
    expect(await turn('e', 5, { limit: OPEN })).toMatchObject({ kind: 'admitted', jobIds: ['d'] });
  });

  it('is refused for the penalty the platform asked for, whatever the window', async () => {
    const { limiter, turn } = store();
    await limiter.pause('t', Date.now() + 5_000);
    const refused = await turn('a', 1, { limit: { max: Infinity, perMs: 60_000, penaltyMs: 10_000 } });
    expect(refused).toMatchObject({ kind: 'refused', admission: { reason: 'penalty' } });
    expect((refused as { admission: { waitMs: number } }).admission.waitMs).toBeGreaterThan(4_000);
  });
});
