import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { DeliveryFailure } from '@relay/delivery/platform';
import type { AccessToken, TokenFetchReason, WechatCredentials } from './wechat.channel';

// Deletes a key only while it still holds the given value: a replica that saw token A fail must
// not delete token B that another replica has just fetched; a lock is released only by its holder.
const DELETE_IF_EQUAL = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

// The same for a rejected token, noting why it went (in the same step, so no caller can find the
// key empty before the note exists): whoever fetches next may be a job that only found the key
// empty, and the token-fetch metric should say why the token went, not who refreshed it.
const DROP_REJECTED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'PX', 60000)
return 1`;

export interface TokenStoreOptions {
  /** Longest a gettoken call may take; the refresh lock outlives it so a dead holder frees it. */
  fetchTimeoutMs: number;
  /** How long callers wait for another replica's refresh before giving up (transient). */
  waitMs?: number;
  /**
   * How long a gettoken refusal that only a config change can fix (bad secret, untrusted IP) is
   * remembered, so a queue full of jobs for that app fails fast instead of calling gettoken
   * once per job. Short, because 60020 can be fixed in WeCom's console without a restart.
   */
  refusalTtlMs?: number;
  /** Each gettoken call made, with why and how it ended (`ok` or the failure reason). */
  onFetch?: (reason: TokenFetchReason, outcome: string) => void;
}

/**
 * The WeCom access_token of each app, cached in Redis and shared by every replica. WeCom blocks
 * callers that fetch too often, so: one Redis key per (api_url, corp_id, api_secret) holding the
 * token until a safety margin before `expires_in`; one refresh at a time per app across replicas
 * (a Redis lock) and within a process (a shared promise); everyone else waits for the result.
 * Keys hold a hash of the secret, never the secret.
 */
export class WechatTokenStore {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly waitMs: number;
  private readonly refusalTtlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly fetchToken: (credentials: WechatCredentials) => Promise<AccessToken>,
    private readonly options: TokenStoreOptions,
  ) {
    this.waitMs = options.waitMs ?? options.fetchTimeoutMs + 5_000;
    this.refusalTtlMs = options.refusalTtlMs ?? 60_000;
  }

  /** A valid-looking token: the cached one, or a freshly fetched one when none is cached. */
  async token(credentials: WechatCredentials): Promise<string> {
    const key = this.key(credentials);
    const cached = await this.redis.get(key);
    return cached ?? this.refreshOnce(credentials, key, 'missing');
  }

  /**
   * WeCom refused `rejected`: drop it (unless another caller already replaced it) and return
   * a token that is not it, fetching one if nobody else has.
   */
  async replace(credentials: WechatCredentials, rejected: string, reason: TokenFetchReason): Promise<string> {
    const key = this.key(credentials);
    await this.redis.eval(DROP_REJECTED, 2, key, `${key}:dropped`, rejected, reason);
    const cached = await this.redis.get(key);
    if (cached && cached !== rejected) return cached;
    return this.refreshOnce(credentials, key, reason, rejected);
  }

  /** In-process single flight: concurrent jobs of one app share one refresh. */
  private async refreshOnce(credentials: WechatCredentials, key: string, reason: TokenFetchReason, rejected?: string): Promise<string> {
    const running = this.inFlight.get(key);
    if (running) {
      const token = await running;
      // A refresh that began before the rejection may have brought back the rejected token.
      if (token !== rejected) return token;
    }
    const refresh = this.refresh(credentials, key, reason, rejected).finally(() => {
      if (this.inFlight.get(key) === refresh) this.inFlight.delete(key);
    });
    this.inFlight.set(key, refresh);
    return refresh;
  }

  /** Across replicas: whoever holds the lock calls gettoken; the others wait for the key to fill. */
  private async refresh(credentials: WechatCredentials, key: string, reason: TokenFetchReason, rejected?: string): Promise<string> {
    const lockKey = `${key}:lock`;
    const refusalKey = `${key}:refusal`;
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const settled = await this.settledAnswer(key, refusalKey, rejected);
      if (settled) return settled;

      const holder = randomUUID();
      if (await this.redis.set(lockKey, holder, 'PX', this.options.fetchTimeoutMs + 5_000, 'NX')) {
        try {
          // Another replica may have fetched a token, or been refused one, between our read and our lock.
          return (await this.settledAnswer(key, refusalKey, rejected)) ?? (await this.fetchAndStore(credentials, key, refusalKey, reason));
        } finally {
          await this.redis.eval(DELETE_IF_EQUAL, 1, lockKey, holder);
        }
      }
      if (Date.now() > deadline) {
        throw DeliveryFailure.transient('token_wait', 'timed out waiting for another worker to refresh the WeCom access_token');
      }
      await sleep(50);
    }
  }

  /** The token another call already settled on, or its remembered refusal thrown; undefined when neither. */
  private async settledAnswer(key: string, refusalKey: string, rejected?: string): Promise<string | undefined> {
    const [refusal, cached] = await this.redis.mget(refusalKey, key);
    if (refusal) {
      const { reason, message } = JSON.parse(refusal) as { reason: string; message: string };
      throw DeliveryFailure.permanent(reason, message);
    }
    return cached && cached !== rejected ? cached : undefined;
  }

  private async fetchAndStore(credentials: WechatCredentials, key: string, refusalKey: string, reason: TokenFetchReason): Promise<string> {
    const droppedKey = `${key}:dropped`;
    const why = ((await this.redis.get(droppedKey)) as TokenFetchReason | null) ?? reason;
    let fetched: AccessToken;
    try {
      fetched = await this.fetchToken(credentials);
    } catch (error) {
      const failure = DeliveryFailure.from(error);
      this.options.onFetch?.(why, failure.reason);
      if (failure.kind === 'permanent') {
        await this.redis.set(refusalKey, JSON.stringify({ reason: failure.reason, message: failure.message }), 'PX', this.refusalTtlMs);
      }
      throw failure;
    }
    this.options.onFetch?.(why, 'ok');
    await this.redis.multi().set(key, fetched.token, 'PX', cacheTtlMs(fetched.expiresInS)).del(droppedKey).exec();
    return fetched.token;
  }

  /** The key names the app by a hash: the secret itself never reaches Redis. */
  private key(credentials: WechatCredentials): string {
    const id = createHash('sha256').update(`${credentials.apiUrl}\n${credentials.corpId}\n${credentials.apiSecret}`).digest('hex');
    return `${this.prefix}:wecom:token:${id}`;
  }
}

/**
 * Cached until 5 minutes (at most a tenth of its life) before WeCom's `expires_in`, so a token
 * is never used in its last moments, when clock differences and slow requests would let it expire in flight.
 */
export function cacheTtlMs(expiresInS: number): number {
  const lifeMs = expiresInS * 1000;
  return Math.max(1_000, lifeMs - Math.min(300_000, lifeMs / 10));
}
