import { Redis } from 'ioredis';
import { uniquePrefix } from '@relay/testing';
import { DigestStore } from './digest-store';

describe('DigestStore on real Redis', () => {
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(() => redis.disconnect());
  const store = () => new DigestStore(redis, uniquePrefix());

  it('hands the waiting jobs to one sender, which another sender cannot take, and puts them back when its send fails', async () => {
    const digests = store();
    for (const [id, at] of [['a', 1], ['b', 2], ['c', 3]] as const) await digests.wait('t', id, at);
    expect(await digests.claim('t', 'a', 10_000, 100)).toEqual({ kind: 'claimed', jobIds: ['b', 'c'] });
    // A second sender finds nothing waiting; b, held by a's claim, is told to wait for it.
    expect(await digests.claim('t', 'x', 10_000, 100)).toEqual({ kind: 'claimed', jobIds: [] });
    expect(await digests.claim('t', 'b', 10_000, 100)).toMatchObject({ kind: 'held', by: 'a' });
    expect(await digests.standing('t', 'c')).toMatchObject({ kind: 'held', by: 'a' });
    await digests.release('t', [{ id: 'b', receivedAt: 2 }, { id: 'c', receivedAt: 3 }]);
    expect(await digests.standing('t', 'c')).toEqual({ kind: 'free', alone: false });
    expect(await digests.claim('t', 'x', 10_000, 100)).toEqual({ kind: 'claimed', jobIds: ['b', 'c'] });
  });

  it('lets a job held by a live claim, or already carried, not wait again (the next digest would show it twice)', async () => {
    const digests = store();
    await digests.wait('t', 'b', 2);
    await digests.claim('t', 'a', 10_000, 100);
    await digests.wait('t', 'b', 2);
    expect(await digests.claim('t', 'x', 10_000, 100)).toEqual({ kind: 'claimed', jobIds: [] });
    await digests.carried('t', [{ id: 'b', record: { by: 'a', at: 5 } }]);
    await digests.wait('t', 'b', 2);
    expect(await digests.claim('t', 'x', 10_000, 100)).toEqual({ kind: 'claimed', jobIds: [] });
    expect(await digests.standing('t', 'b')).toEqual({ kind: 'carried', record: { by: 'a', at: 5 } });
    await digests.forget('t', 'b');
    expect(await digests.standing('t', 'b')).toEqual({ kind: 'free', alone: false });
  });

  it('gives a sender run again after a crash back what it had claimed, and frees a claim whose lease ran out', async () => {
    const digests = store();
    await digests.wait('t', 'b', 2);
    await digests.wait('t', 'c', 3);
    await digests.claim('t', 'a', 200, 100);
    // a crashed; BullMQ runs it again: its digest carries b and c again (shown twice at worst, never lost).
    expect(await digests.claim('t', 'a', 200, 100)).toEqual({ kind: 'claimed', jobIds: expect.arrayContaining(['b', 'c']) });
    await new Promise((r) => setTimeout(r, 250));
    expect(await digests.standing('t', 'b')).toEqual({ kind: 'free', alone: false });
  });

  it('remembers a job to be sent on its own after a digest carrying it was refused for good', async () => {
    const digests = store();
    expect(await digests.standing('t', 'a')).toEqual({ kind: 'free', alone: false });
    await digests.goAlone('a');
    expect(await digests.standing('t', 'a')).toEqual({ kind: 'free', alone: true });
  });
});
