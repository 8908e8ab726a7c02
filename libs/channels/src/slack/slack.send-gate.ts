import { randomUUID } from 'node:crypto';
import { DeliveryFailure } from '@relay/delivery/platform';
import type { Redis } from 'ioredis';

// Take the target's send slot unless a Retry-After is pending or another replica holds the slot.
// Returns {0} taken, {1, ms} Retry-After pending for ms, {2, ms} slot held for up to ms.
const TAKE = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {1, blocked} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, 0} end
return {2, math.max(1, redis.call('PTTL', KEYS[1]))}
`;

// Give the slot back; after a 429 first record how long Slack asked us to wait (never shortening
// a longer wait already recorded), so the next holder of the slot sees it.
const RELEASE = `
local wait = tonumber(ARGV[2])
if wait > 0 and redis.call('PTTL', KEYS[2]) < wait then redis.call('SET', KEYS[2], '1', 'PX', wait) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;


/**
 * One request at a time per Slack target, across every replica, and none while a Retry-After
 * is pending. The per-target rate window alone cannot promise that: requests it admits together
 * are in flight together, so one answered 429 leaves the others arriving inside the window Slack
 * just announced, and Slack disables webhooks that keep doing that. Sends are milliseconds long
 * and the rate is about one per second, so taking turns costs nothing.
 */
export class SlackSendGate {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How often a waiting sender looks at the slot again. */
    private readonly pollMs = 20,
  ) {
    if (!(redis as any).slackGateTake) {
      redis.defineCommand('slackGateTake', { numberOfKeys: 2, lua: TAKE });
      redis.defineCommand('slackGateRelease', { numberOfKeys: 2, lua: RELEASE });
    }
  }

  /**
   * Runs `send` holding the target's slot. A DeliveryFailure.rateLimited from it blocks the target
   * until its retryAt. `leaseMs` must outlast the request: it is how long a crashed holder blocks others.
   */
  async exclusive<T>(target: string, leaseMs: number, send: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    await this.take(target, token, leaseMs);
    let waitMs = 0;
    try {
      return await send();
    } catch (error) {
      if (error instanceof DeliveryFailure && error.kind === 'rate_limited' && error.retryAt) waitMs = Math.ceil(error.retryAt - Date.now());
      throw error;
    } finally {
      await (this.redis as any).slackGateRelease(this.key('slot', target), this.key('retry-after', target), token, Math.max(0, waitMs));
    }
  }

  private async take(target: string, token: string, leaseMs: number): Promise<void> {
    const deadline = Date.now() + leaseMs;
    for (;;) {
      const [code, ms] = (await (this.redis as any).slackGateTake(
        this.key('slot', target),
        this.key('retry-after', target),
        token,
        leaseMs,
      )) as [number, number];
      if (code === 0) return;
      if (code === 1) {
        throw DeliveryFailure.rateLimited('retry_after_pending', `Slack's Retry-After for this target has not passed (${ms} ms left)`, Date.now() + ms);
      }
      if (Date.now() >= deadline) {
        // Someone has held the slot for a whole lease: let the job wait in the queue rather than here.
        throw DeliveryFailure.rateLimited('target_busy', 'another request to this target is still in flight', Date.now() + Math.min(ms, 1_000));
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private key(kind: 'slot' | 'retry-after', target: string): string {
    return `${this.prefix}:slack:${kind}:${target}`;
  }
}
