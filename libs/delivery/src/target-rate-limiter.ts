import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimit } from '@relay/config';

// A rolling window per target, decided inside Redis with Redis's own clock, so any number of
// replicas share it and their clocks do not matter. A penalty key, when present, wins: the
// platform said "too fast" and the target is left alone until it expires.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local penalty = redis.call('PTTL', KEYS[2])
if penalty > 0 then return {1, penalty} end
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {2, math.max(1, tonumber(oldest[2]) + window - now + 1)}
`;

/**
 * A rate scope for something whose address is a secret (a robot URL carrying its access token):
 * scopes become Redis key names, which must never hold a secret, so only a digest of it is kept.
 */
export function secretAddressScope(kind: string, address: string): string {
  return `${kind}:${createHash('sha256').update(address).digest('hex').slice(0, 32)}`;
}

export type Admission =
  | { allowed: true }
  | { allowed: false; waitMs: number; reason: 'window' | 'penalty' };

/**
 * BullMQ's limiter is per queue; platforms limit per robot/webhook, so the relay keeps its own.
 * The window is stretched by a small margin because the platform counts arrivals, which trail
 * our admissions by a variable network delay.
 */
export class TargetRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!(redis as any).relayAcquire) redis.defineCommand('relayAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  }

  /** `scope` is what the platform limits: a target's name, or a robot's `secretAddressScope`. */
  async acquire(scope: string, limit: RateLimit): Promise<Admission> {
    const margin = Math.min(1000, Math.ceil(limit.perMs * 0.02));
    const [code, wait] = (await (this.redis as any).relayAcquire(
      this.key('window', scope),
      this.key('penalty', scope),
      limit.max,
      limit.perMs + margin,
      randomUUID(),
    )) as [number, number];
    if (code === 0) return { allowed: true };
    return { allowed: false, waitMs: wait, reason: code === 1 ? 'penalty' : 'window' };
  }

  /** Leaves the scope alone until `untilMs` (epoch ms), for every replica. */
  async pause(scope: string, untilMs: number): Promise<void> {
    const ms = Math.ceil(untilMs - Date.now());
    if (ms > 0) await this.redis.set(this.key('penalty', scope), '1', 'PX', ms);
  }

  private key(kind: 'window' | 'penalty', scope: string): string {
    return `${this.prefix}:ratelimit:${kind}:${scope}`;
  }
}
