import type { Redis } from 'ioredis';
import { Admission, admissionOf, GateRequest, RATE_GATE_LUA } from './target-rate-limiter';

// What the jobs of one target know of each other, in Redis so every replica sees it:
//   pending  a sorted set of the target's jobs waiting for a send (refused at the rate gate,
//            paused by the platform, or between retries), scored by when ingest accepted them;
//   claims   a hash: job id → "<claimer>|<lease end>", the jobs a sending job has taken from
//            pending for its digest, while its send is in flight;
//   carried  one key per job a digest delivered, naming the job whose message carried it.
// BullMQ lets only a job's own worker complete it, so a folded job completes itself: when its
// turn comes (or sooner: the sender promotes it) it finds its carried record and completes
// without sending. A sender that dies between the platform's answer and the records only makes
// those alerts show again; nothing is completed that was not delivered.

/**
 * A digesting job's turn, in one step: done already (a digest carried it), held by another
 * sender's live claim, refused by the rate gate (it then waits among the pending), or admitted,
 * taking the target's pending jobs for its digest (unless it goes alone). One script, so nothing
 * can carry or claim the job between the checks, and a held job never takes a slot of the window.
 * KEYS: carried(job), claims, alone(job), pending, then the gate's window and penalty.
 * ARGV: job id, lease ms, max folded, received at, then the gate's six arguments.
 */
const TURN = `${RATE_GATE_LUA}
local carried = redis.call('GET', KEYS[1])
if carried then return {'carried', carried} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me = ARGV[1]
local mine = redis.call('HGET', KEYS[2], me)
if mine then
  local sep = string.find(mine, '|', 1, true)
  local by = string.sub(mine, 1, sep - 1)
  local untilMs = tonumber(string.sub(mine, sep + 1))
  if by ~= me and untilMs > now then return {'held', by, tostring(untilMs - now)} end
end
local gate = rateGate({KEYS[5], KEYS[6]}, {ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]})
if gate[1] ~= 0 then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[4], me)
  return {'refused', tostring(gate[1]), tostring(gate[2])}
end
-- The sender is sent now: were it still pending, another sender could carry it too.
redis.call('ZREM', KEYS[4], me)
if redis.call('EXISTS', KEYS[3]) == 1 then return {'admitted'} end
local members = redis.call('ZRANGE', KEYS[4], 0, tonumber(ARGV[3]) - 1)
local claimed = {}
local lease = me .. '|' .. tostring(now + tonumber(ARGV[2]))
-- A sender run again after a crash takes back what it had claimed: its digest goes out again.
local taken = {}
local function take(id)
  if id ~= me and not taken[id] then
    taken[id] = true
    redis.call('HSET', KEYS[2], id, lease)
    table.insert(claimed, id)
  end
end
local held = redis.call('HGETALL', KEYS[2])
for i = 1, #held, 2 do
  if string.sub(held[i + 1], 1, #me + 1) == me .. '|' then take(held[i]) end
end
-- A job back in pending waits again: any older claim on it is stale.
for _, id in ipairs(members) do
  redis.call('ZREM', KEYS[4], id)
  take(id)
end
if #claimed > 0 then redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2) end
return {'admitted', unpack(claimed)}
`;

/**
 * Puts a job among those waiting, unless a digest already carried it or a live claim of another
 * sender holds it: a job that went to the rate gate just as another job took it into its digest
 * must not wait again, or the next digest would show it a second time.
 */
const WAIT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local sep = string.find(held, '|', 1, true)
  if string.sub(held, 1, sep - 1) ~= ARGV[1] and tonumber(string.sub(held, sep + 1)) > now then return 0 end
end
return redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
`;

/**
 * What a digesting job's turn comes to: delivered already by another job's digest, held by a
 * sender in flight whose message carries it, refused by the rate gate (it waits among the
 * target's pending jobs), or admitted with the gate's slot and the pending jobs it takes along.
 */
export type Turn =
  | { kind: 'carried'; record: CarriedRecord }
  | { kind: 'held'; by: string; waitMs: number }
  | { kind: 'refused'; admission: Extract<Admission, { allowed: false }> }
  | { kind: 'admitted'; slot: string; jobIds: string[] };

export interface CarriedRecord {
  /** The job whose message carried this one. */
  by: string;
  at: number;
  /** True when a newer notification of the same group was shown in its place. */
  superseded?: boolean;
}

/** Long enough for any folded job to reach its turn (turns are within a rate window or a retry interval). */
const CARRIED_TTL_S = 7 * 24 * 3600;

export class DigestStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!(redis as any).relayDigestTurn) redis.defineCommand('relayDigestTurn', { numberOfKeys: 6, lua: TURN });
    if (!(redis as any).relayDigestWait) redis.defineCommand('relayDigestWait', { numberOfKeys: 3, lua: WAIT });
  }

  /**
   * A job's turn at the target (see Turn): `gate` is the rate limiter's request for it; `leaseMs`
   * how long the jobs it takes are held for its send (other workers leave them alone meanwhile);
   * at most `max` are taken. A job that sends alone (goAlone) takes none.
   */
  async takeTurn(target: string, job: { id: string; receivedAt: number }, gate: GateRequest, leaseMs: number, max: number): Promise<Turn> {
    const keys = [this.carriedKey(job.id), this.claimsKey(target), this.aloneKey(job.id), this.pendingKey(target), ...gate.keys];
    const [kind, ...rest] = (await (this.redis as any).relayDigestTurn(...keys, job.id, leaseMs, max, job.receivedAt, ...gate.args)) as string[];
    switch (kind) {
      case 'carried':
        return { kind, record: JSON.parse(rest[0]) as CarriedRecord };
      case 'held':
        return { kind, by: rest[0], waitMs: Number(rest[1]) };
      case 'refused':
        return { kind, admission: admissionOf([Number(rest[0]), Number(rest[1])], gate.slot) as Extract<Admission, { allowed: false }> };
      default:
        return { kind: 'admitted', slot: gate.slot, jobIds: rest };
    }
  }

  /** From now on the job is sent on its own, never folded with others (a digest carrying it was refused for good). */
  async goAlone(jobId: string): Promise<void> {
    // It is tried again at once; an hour outlasts any wait for its turn.
    await this.redis.set(this.aloneKey(jobId), '1', 'EX', 3600);
  }

  /** Puts a job among those waiting for the target's next send (not when a digest carried or holds it). */
  async wait(target: string, jobId: string, receivedAt: number): Promise<void> {
    await (this.redis as any).relayDigestWait(this.pendingKey(target), this.claimsKey(target), this.carriedKey(jobId), jobId, receivedAt);
  }

  /** The job no longer waits (delivered, failed for good or expired). */
  async leave(target: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.pendingKey(target), jobId);
  }

  /** The send failed or did not happen: the jobs wait again, as they did before the claim. */
  async release(target: string, jobs: Array<{ id: string; receivedAt: number }>): Promise<void> {
    if (!jobs.length) return;
    const tx = this.redis.multi();
    tx.hdel(this.claimsKey(target), ...jobs.map((j) => j.id));
    for (const job of jobs) tx.zadd(this.pendingKey(target), 'NX', job.receivedAt, job.id);
    await tx.exec();
  }

  /** The platform accepted the message carrying these jobs: each completes on its own when its turn comes. */
  async carried(target: string, records: Array<{ id: string; record: CarriedRecord }>): Promise<void> {
    if (!records.length) return;
    const tx = this.redis.multi();
    for (const { id, record } of records) tx.set(this.carriedKey(id), JSON.stringify(record), 'EX', CARRIED_TTL_S);
    tx.hdel(this.claimsKey(target), ...records.map((r) => r.id));
    // One that went back to waiting meanwhile (its send failed elsewhere) is delivered all the same.
    tx.zrem(this.pendingKey(target), ...records.map((r) => r.id));
    await tx.exec();
  }

  /** A folded job completed: its record has served, and it waits for nothing. */
  async forget(target: string, jobId: string): Promise<void> {
    await this.redis.multi().del(this.carriedKey(jobId)).zrem(this.pendingKey(target), jobId).exec();
  }

  private pendingKey(target: string): string {
    return `${this.prefix}:digest:pending:${target}`;
  }

  private claimsKey(target: string): string {
    return `${this.prefix}:digest:claims:${target}`;
  }

  private aloneKey(jobId: string): string {
    return `${this.prefix}:digest:alone:${jobId}`;
  }

  private carriedKey(jobId: string): string {
    return `${this.prefix}:digest:carried:${jobId}`;
  }
}
