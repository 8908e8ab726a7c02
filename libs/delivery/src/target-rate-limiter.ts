import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimit } from '@relay/config';

// A rolling window per scope, decided inside Redis with Redis's own clock, so any number of
// replicas share it and their clocks do not matter. A penalty key, when present, wins: the
// platform said "too fast" and the scope is left alone until it expires.
//
// One sorted set holds both the sends of the last window ("s:<uuid>", scored by when they were
// admitted) and the jobs waiting their turn ("w:<job>", scored by when that turn comes). Only
// sends count against the limit, so admission is exact whatever the waiters do. Waiters make the
// wait fair: a refused job is given the slot after everyone already waiting (as if each waiter
// were a send at its turn), so a backlog drains in the order it arrived, one job per freed slot,
// instead of every delayed job waking at the same instant to race for one slot. A newcomer
// queues behind the waiters rather than taking a slot one of them is about to use.
//
// It is a Lua function (KEYS and ARGV are its parameters) so that the digest store's turn script
// can run the gate inside its own step; ACQUIRE calls it alone.
export const RATE_GATE_LUA = `
local function rateGate(KEYS, ARGV)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local penalty = redis.call('PTTL', KEYS[2])
if penalty > 0 then return {1, penalty} end
local max = tonumber(ARGV[1])
-- No limit on sends (a plain webhook's default): only a pause the platform asked for holds it back.
if max <= 0 then return {0, 0} end
local window = tonumber(ARGV[2])
local waiter = 'w:' .. ARGV[3]
-- A waiter whose turn passed a whole window ago is gone (its job was removed): drop it with the old sends.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)

-- Below max, the count of every member bounds the sends closely enough: only a full window is walked.
local function sendsInWindow()
  local all = redis.call('ZCOUNT', KEYS[1], '-inf', now)
  if all < max then return all end
  local n = 0
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
    if string.sub(member, 1, 2) == 's:' then n = n + 1 end
  end
  return n
end
local function keepFor()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.max(window, tonumber(last[2]) - now + window))
end
local function admit()
  redis.call('ZREM', KEYS[1], waiter)
  redis.call('ZADD', KEYS[1], now, 's:' .. ARGV[4])
  keepFor()
  return {0, 0}
end
local function wait(at)
  -- A caller without a name cannot come back as itself, so it holds no place in line.
  if ARGV[3] ~= '' then
    redis.call('ZADD', KEYS[1], at, waiter)
    keepFor()
  end
  return {2, at - now}
end

-- Digest pacing (ARGV[5] > 0): the last ARGV[5] places of a window are kept for digests, sent
-- at least ARGV[6] ms apart, so a backlog gathers into a few messages instead of spending the
-- window on single ones and then waiting a whole window. Waiters take no place in line here:
-- the next send to the target carries every notification waiting for it.
local reserve = tonumber(ARGV[5])
if reserve > 0 then
  redis.call('ZREM', KEYS[1], waiter)
  -- Fewer members of any kind than the open places: the sends among them are fewer still, so the
  -- window need not be walked (at thousands of sends a second, that walk was most of Redis's work).
  if redis.call('ZCOUNT', KEYS[1], '-inf', now) < max - reserve then
    redis.call('ZADD', KEYS[1], now, 's:' .. ARGV[4])
    keepFor()
    return {0, 0}
  end
  local oldest, newest, s = nil, nil, 0
  local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
  for i = 1, #members, 2 do
    if string.sub(members[i], 1, 2) == 's:' then
      local at = tonumber(members[i + 1])
      s = s + 1
      if not oldest then oldest = at end
      newest = at
    end
  end
  if s >= max then return {2, math.max(1, oldest + window - now)} end
  local spacing = tonumber(ARGV[6])
  if s >= max - reserve and newest + spacing > now then return {2, newest + spacing - now} end
  redis.call('ZADD', KEYS[1], now, 's:' .. ARGV[4])
  keepFor()
  return {0, 0}
end

local turn = redis.call('ZSCORE', KEYS[1], waiter)
if turn then
  turn = tonumber(turn)
  if turn > now then return {2, turn - now} end
  if sendsInWindow() < max then return admit() end
  -- Its turn came but the window is still full (a send ran late): it keeps its place near the
  -- front, due again when the oldest send leaves the window.
  local past = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
  for i = 1, #past, 2 do
    if string.sub(past[i], 1, 2) == 's:' then return wait(tonumber(past[i + 1]) + window) end
  end
  return wait(now + 1)
end

-- A newcomer's slot: max places per window, counting every waiter as a send at its turn.
local n = redis.call('ZCARD', KEYS[1])
if n < max then return admit() end
local mark = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
return wait(math.max(now + 1, tonumber(mark[2]) + window))
end
`;

const ACQUIRE = `${RATE_GATE_LUA}
return rateGate(KEYS, ARGV)
`;

/**
 * A rate scope for something whose address is a secret (a robot URL carrying its access token):
 * scopes become Redis key names, which must never hold a secret, so only a digest of it is kept.
 */
export function secretAddressScope(kind: string, address: string): string {
  return `${kind}:${createHash('sha256').update(address).digest('hex').slice(0, 32)}`;
}

export type Admission =
  | { allowed: true; slot: string }
  | { allowed: false; waitMs: number; reason: 'window' | 'penalty' };

/** One ask of the gate, as RATE_GATE_LUA takes it: its two keys and six arguments, and the slot it would take. */
export interface GateRequest {
  keys: [window: string, penalty: string];
  args: Array<string | number>;
  slot: string;
}

/** The gate's answer `[code, waitMs]` (RATE_GATE_LUA) for the request that took `slot`. */
export function admissionOf([code, wait]: [number, number], slot: string): Admission {
  if (code === 0) return { allowed: true, slot };
  return { allowed: false, waitMs: wait, reason: code === 1 ? 'penalty' : 'window' };
}

/**
 * How a target's backlog gathers into digests: the last `reserve` places of each window are sent
 * at least `spacingMs` apart. Absent, every place is open to single messages.
 */
export interface DigestPacing {
  reserve: number;
  spacingMs: number;
}

/**
 * The pacing a target gets when it digests: half of its window kept in reserve, spent at the
 * platform's average rate. A robot of 20 a minute sends its first 10 at once, then one digest
 * every 3 s; each carries everything that waited. Half, not less, because a digest of a large
 * backlog takes several places (a WeCom app message holds about 15 alerts): with a quarter in
 * reserve, a burst of 50 to a 15-a-minute app ran out of places mid-burst and its last alerts
 * waited for the next window.
 */
export function digestPacing(limit: RateLimit): DigestPacing {
  return { reserve: Math.max(1, Math.floor(limit.max / 2)), spacingMs: Math.ceil(limit.perMs / limit.max) };
}

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

  /**
   * `scope` is what the platform limits: a target's name, or a robot's `secretAddressScope`.
   * `waiter` names the job asking (its id), so a refused job keeps its place in line when it
   * comes back at the time it was given; without one the caller takes no place in line.
   */
  async acquire(scope: string, limit: RateLimit, waiter = '', pacing?: DigestPacing): Promise<Admission> {
    const { keys, args, slot } = this.request(scope, limit, waiter, pacing);
    return admissionOf(await (this.redis as any).relayAcquire(...keys, ...args), slot);
  }

  /** What `acquire` would ask the gate, for a script that runs the gate in a step of its own (DigestStore.takeTurn). */
  request(scope: string, limit: RateLimit, waiter = '', pacing?: DigestPacing): GateRequest {
    const slot = randomUUID();
    const unlimited = !Number.isFinite(limit.max);
    const margin = unlimited ? 0 : Math.min(1000, Math.ceil(limit.perMs * 0.02));
    return {
      keys: [this.key('window', scope), this.key('penalty', scope)],
      args: [unlimited ? 0 : limit.max, limit.perMs + margin, waiter, slot, pacing?.reserve ?? 0, pacing?.spacingMs ?? 0],
      slot,
    };
  }

  /**
   * Gives back an admitted slot whose request never reached the platform (connection refused, DNS,
   * timeout): the platform counts only what it answered, so after an outage the retries need not
   * wait for sends that never happened.
   */
  async release(scope: string, slot: string): Promise<void> {
    await this.redis.zrem(this.key('window', scope), `s:${slot}`);
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
