import { Redis } from 'ioredis';
import { uniquePrefix } from '@relay/testing';
import { secretAddressScope, TargetRateLimiter } from './target-rate-limiter';

describe('TargetRateLimiter on real Redis', () => {
  const a = new Redis(process.env.REDIS_URL!);
  const b = new Redis(process.env.REDIS_URL!);
  afterAll(() => {
    a.disconnect();
    b.disconnect();
  });

  it('admits at most max per window across replicas, and says how long to wait', async () => {
    const prefix = uniquePrefix();
    const replicas = [new TargetRateLimiter(a, prefix), new TargetRateLimiter(b, prefix)];
    const limit = { max: 5, perMs: 1_000, penaltyMs: 10_000 };
    const admissions = await Promise.all(Array.from({ length: 12 }, (_, i) => replicas[i % 2].acquire('ops/dingtalk/0', limit)));
    const allowed = admissions.filter((x) => x.allowed);
    expect(allowed).toHaveLength(5);
    for (const refused of admissions.filter((x) => !x.allowed)) {
      expect(refused).toMatchObject({ allowed: false, reason: 'window' });
      expect((refused as { waitMs: number }).waitMs).toBeGreaterThan(900);
      expect((refused as { waitMs: number }).waitMs).toBeLessThanOrEqual(1_100);
    }
    // Other targets have windows of their own.
    expect(await replicas[0].acquire('ops/dingtalk/1', limit)).toEqual({ allowed: true });
  });

  it('admits again once the window has rolled on', async () => {
    const limiter = new TargetRateLimiter(a, uniquePrefix());
    const limit = { max: 2, perMs: 300, penaltyMs: 10_000 };
    expect((await limiter.acquire('t', limit)).allowed).toBe(true);
    expect((await limiter.acquire('t', limit)).allowed).toBe(true);
    const refused = await limiter.acquire('t', limit);
    expect(refused.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, (refused as { waitMs: number }).waitMs));
    expect((await limiter.acquire('t', limit)).allowed).toBe(true);
  });

  it('refuses everything while a target is paused, for every replica', async () => {
    const prefix = uniquePrefix();
    await new TargetRateLimiter(a, prefix).pause('robot', Date.now() + 2_000);
    const refused = await new TargetRateLimiter(b, prefix).acquire('robot', { max: 100, perMs: 1_000, penaltyMs: 1 });
    expect(refused).toMatchObject({ allowed: false, reason: 'penalty' });
    expect((refused as { waitMs: number }).waitMs).toBeGreaterThan(1_500);
  });

  it('keys a robot by a digest of its address: one scope per robot, and no token in any key', async () => {
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=robot-token-0123456789';
    const scope = secretAddressScope('dingtalk-robot', url);
    expect(scope).toBe(secretAddressScope('dingtalk-robot', url));
    expect(scope).not.toBe(secretAddressScope('dingtalk-robot', `${url}0`));
    const prefix = uniquePrefix();
    await new TargetRateLimiter(a, prefix).acquire(scope, { max: 1, perMs: 1_000, penaltyMs: 1 });
    await new TargetRateLimiter(a, prefix).pause(scope, Date.now() + 1_000);
    const keys = await a.keys(`${prefix}*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).not.toContain('robot-token');
  });
});
