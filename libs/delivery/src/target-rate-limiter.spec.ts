import { Redis } from 'ioredis';
import { uniquePrefix } from '@relay/testing';
import { digestPacing, secretAddressScope, TargetRateLimiter } from './target-rate-limiter';

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
    const admissions = await Promise.all(Array.from({ length: 12 }, (_, i) => replicas[i % 2].acquire('ops/dingtalk/0', limit, `job-${i}`)));
    const allowed = admissions.filter((x) => x.allowed);
    expect(allowed).toHaveLength(5);
    // The seven refused are given turns: five when the first window's sends leave it, two a window later.
    const waits = admissions.filter((x) => !x.allowed).map((x) => (x as { waitMs: number; reason: string }));
    for (const refused of waits) expect(refused.reason).toBe('window');
    const ms = waits.map((w) => w.waitMs).sort((x, y) => x - y);
    for (const w of ms.slice(0, 5)) {
      expect(w).toBeGreaterThan(900);
      expect(w).toBeLessThanOrEqual(1_100);
    }
    for (const w of ms.slice(5)) {
      expect(w).toBeGreaterThan(1_900);
      expect(w).toBeLessThanOrEqual(2_200);
    }
    // Other targets have windows of their own.
    expect(await replicas[0].acquire('ops/dingtalk/1', limit)).toMatchObject({ allowed: true });
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

  it('drains a backlog in the order it was refused, newcomers behind it, never beyond max per window', async () => {
    const prefix = uniquePrefix();
    const limiter = new TargetRateLimiter(a, prefix);
    const limit = { max: 2, perMs: 400, penaltyMs: 10_000 };
    const sentAt = new Map<string, number>();
    const turns = new Map<string, number>();
    const firstTurns: number[] = [];
    const ask = async (job: string) => {
      const admission = await limiter.acquire('robot', limit, job);
      if (admission.allowed) sentAt.set(job, Date.now());
      else {
        if (!turns.has(job)) firstTurns.push(Date.now() + admission.waitMs);
        turns.set(job, Date.now() + admission.waitMs);
      }
      return admission.allowed;
    };
    for (const job of ['j0', 'j1', 'j2', 'j3', 'j4', 'j5']) await ask(job);
    expect([...sentAt.keys()]).toEqual(['j0', 'j1']);
    // Turns are handed out in the order jobs were refused (to the millisecond the clocks allow).
    for (let i = 1; i < firstTurns.length; i++) expect(firstTurns[i]).toBeGreaterThanOrEqual(firstTurns[i - 1] - 1);
    // Each refused job comes back at its turn, as BullMQ's delayed set brings it back: by time,
    // then in the order it was delayed.
    const late = ['late0', 'late1'];
    const refusalOrder = (job: string) => [...turns.keys()].indexOf(job);
    while (sentAt.size < 8) {
      const due = [...turns].filter(([, at]) => at <= Date.now()).sort((x, y) => x[1] - y[1] || refusalOrder(x[0]) - refusalOrder(y[0]));
      for (const [job] of due) {
        turns.delete(job);
        await ask(job);
      }
      // Two newcomers arrive while the backlog drains, when the window has room again.
      if (sentAt.has('j3') && late.length) await ask(late.shift()!);
      await new Promise((r) => setTimeout(r, 5));
    }
    // In order, turn by turn: jobs refused together (given one turn) may swap within it.
    const order = [...sentAt].sort((x, y) => x[1] - y[1]).map(([job]) => job);
    const turnOf = (job: string) => ({ j0: 0, j1: 0, j2: 1, j3: 1, j4: 2, j5: 2, late0: 3, late1: 3 })[job]!;
    expect(order.map(turnOf)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const times = [...sentAt.values()].sort((x, y) => x - y);
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 2]).toBeGreaterThanOrEqual(limit.perMs);
  });

  it('refuses everything while a target is paused, for every replica', async () => {
    const prefix = uniquePrefix();
    await new TargetRateLimiter(a, prefix).pause('robot', Date.now() + 2_000);
    const refused = await new TargetRateLimiter(b, prefix).acquire('robot', { max: 100, perMs: 1_000, penaltyMs: 1 });
    expect(refused).toMatchObject({ allowed: false, reason: 'penalty' });
    expect((refused as { waitMs: number }).waitMs).toBeGreaterThan(1_500);
  });

  it('admits any number without a limit, yet holds a scope the platform paused', async () => {
    const prefix = uniquePrefix();
    const limiter = new TargetRateLimiter(a, prefix);
    const unlimited = { max: Infinity, perMs: 1_000, penaltyMs: 30_000 };
    const admissions = await Promise.all(Array.from({ length: 500 }, (_, i) => limiter.acquire('hook', unlimited, `job-${i}`)));
    expect(admissions.every((x) => x.allowed)).toBe(true);
    await limiter.pause('hook', Date.now() + 2_000);
    const refused = await new TargetRateLimiter(b, prefix).acquire('hook', unlimited, 'job-x');
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

describe('TargetRateLimiter digest pacing and released slots', () => {
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(() => redis.disconnect());

  it('keeps the last places of a window for digests, sent at least the spacing apart', async () => {
    const limiter = new TargetRateLimiter(redis, uniquePrefix());
    const limit = { max: 8, perMs: 4_000, penaltyMs: 10_000 };
    const pacing = { reserve: 2, spacingMs: 500 };
    expect(digestPacing(limit)).toEqual({ reserve: 4, spacingMs: 500 });
    const first = await Promise.all(Array.from({ length: 6 }, (_, i) => limiter.acquire('robot', limit, `j${i}`, pacing)));
    expect(first.every((a) => a.allowed)).toBe(true);
    const refused = await limiter.acquire('robot', limit, 'j6', pacing);
    expect(refused).toMatchObject({ allowed: false, reason: 'window' });
    expect((refused as { waitMs: number }).waitMs).toBeGreaterThan(400);
    expect((refused as { waitMs: number }).waitMs).toBeLessThanOrEqual(500);
    await new Promise((r) => setTimeout(r, 510));
    expect((await limiter.acquire('robot', limit, 'j6', pacing)).allowed).toBe(true);
    // The next digest waits its spacing again; with no spacing asked (a digest's second message) it may go at once.
    expect((await limiter.acquire('robot', limit, 'j7', pacing)).allowed).toBe(false);
    expect((await limiter.acquire('robot', limit, '', { ...pacing, spacingMs: 0 })).allowed).toBe(true);
    // The window is full now: the next turn is when its oldest send leaves it.
    const full = await limiter.acquire('robot', limit, 'j8', { ...pacing, spacingMs: 0 });
    expect(full).toMatchObject({ allowed: false, reason: 'window' });
    expect((full as { waitMs: number }).waitMs).toBeGreaterThan(3_000);
  });

  it('gives back the place of a send the platform never answered', async () => {
    const limiter = new TargetRateLimiter(redis, uniquePrefix());
    const limit = { max: 1, perMs: 60_000, penaltyMs: 10_000 };
    const admitted = await limiter.acquire('robot', limit);
    expect(admitted.allowed).toBe(true);
    expect((await limiter.acquire('robot', limit)).allowed).toBe(false);
    await limiter.release('robot', (admitted as { slot: string }).slot);
    expect((await limiter.acquire('robot', limit)).allowed).toBe(true);
  });
});
