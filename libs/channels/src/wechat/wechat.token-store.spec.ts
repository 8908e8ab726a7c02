import { Redis } from 'ioredis';
import { DeliveryFailure } from '@relay/delivery';
import { uniquePrefix } from '@relay/testing';
import { FakeWecom } from '../../../../test/fakes/wecom.fake';
import { WechatClient, WechatCredentials } from './wechat.channel';
import { cacheTtlMs, WechatTokenStore } from './wechat.token-store';

const SECRET = 'app-secret-0123456789abcdefghijklmnopqrstuv';

describe('WechatTokenStore', () => {
  let wecom: FakeWecom;
  let connections: Redis[];
  let credentials: WechatCredentials;
  let fetches: Array<[string, string]>;
  let prefix: string;

  /** A store as one worker process has it: its own Redis connection, its own in-flight map. */
  function replica(): WechatTokenStore {
    const redis = new Redis(process.env.REDIS_URL!);
    connections.push(redis);
    const client = new WechatClient(2_000);
    return new WechatTokenStore(redis, prefix, (c) => client.fetchToken(c), {
      fetchTimeoutMs: 2_000,
      onFetch: (reason, outcome) => fetches.push([reason, outcome]),
    });
  }

  beforeEach(async () => {
    wecom = await FakeWecom.start();
    wecom.app({ corpId: 'ww-corp', secret: SECRET, agentId: 1000002, users: ['alice'] });
    credentials = { apiUrl: wecom.apiUrl, corpId: 'ww-corp', apiSecret: SECRET };
    connections = [];
    fetches = [];
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    connections.forEach((c) => c.disconnect());
    await wecom.close();
  });

  it('fetches once for any number of concurrent callers in two processes and caches the token under a key without the secret', async () => {
    const [a, b] = [replica(), replica()];
    const tokens = await Promise.all([...Array(20)].flatMap(() => [a.token(credentials), b.token(credentials)]));
    expect(new Set(tokens).size).toBe(1);
    expect(wecom.gettokenCalls).toBe(1);
    expect(fetches).toEqual([['missing', 'ok']]);

    const keys = await connections[0].keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(SECRET);
    expect(await connections[0].get(keys[0])).toBe(tokens[0]);
    const ttl = await connections[0].pttl(keys[0]);
    expect(ttl).toBeGreaterThan(6_800_000);
    expect(ttl).toBeLessThanOrEqual(6_900_000); // 5 minutes under WeCom's 7200 s
    expect(await a.token(credentials)).toBe(tokens[0]);
    expect(wecom.gettokenCalls).toBe(1);
  });

  it('replaces a rejected token once however many callers saw it rejected, in either process', async () => {
    const [a, b] = [replica(), replica()];
    const old = await a.token(credentials);
    wecom.expireTokens();
    const fresh = await Promise.all([...Array(10)].flatMap(() => [a.replace(credentials, old, 'expired'), b.replace(credentials, old, 'expired')]));
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(old);
    expect(wecom.gettokenCalls).toBe(2);
    expect(fetches).toEqual([
      ['missing', 'ok'],
      ['expired', 'ok'],
    ]);
    // A late caller with the old token gets the new one without another fetch.
    expect(await b.replace(credentials, old, 'expired')).toBe(fresh[0]);
    expect(wecom.gettokenCalls).toBe(2);
  });

  it('fails permanently with WeCom’s reason for a wrong secret, and the other jobs of that app fail without calling gettoken again', async () => {
    const wrong = { ...credentials, apiSecret: 'not-the-secret' };
    const [a, b] = [replica(), replica()];
    const failure = await a.token(wrong).catch((e) => e);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_40001' });
    expect(failure.message).toMatch(/invalid credential.*api_secret is wrong/);
    expect(failure.message).not.toContain('not-the-secret');

    const others = await Promise.all([...Array(10)].map(() => b.token(wrong).catch((e) => e)));
    expect(others.every((e) => e instanceof DeliveryFailure && e.kind === 'permanent' && e.reason === 'errcode_40001')).toBe(true);
    expect(wecom.gettokenCalls).toBe(1);
    expect(fetches).toEqual([['missing', 'errcode_40001']]);
  });

  it('calls gettoken once for a wrong secret when another replica is refused between our read and our lock', async () => {
    const wrong = { ...credentials, apiSecret: 'not-the-secret' };
    const a = replica();
    // Replica b has read "no token, no refusal" and, before it takes the lock, a is refused and lets the lock go.
    const redis = new Redis(process.env.REDIS_URL!);
    connections.push(redis);
    const takeLock = redis.set.bind(redis) as (...args: unknown[]) => Promise<unknown>;
    let refusedFirst: Promise<unknown> | undefined;
    (redis as unknown as { set: unknown }).set = (...args: unknown[]) => {
      if (args.includes('NX') && !refusedFirst) {
        refusedFirst = a.token(wrong).catch((e) => e);
        return refusedFirst.then(() => takeLock(...args));
      }
      return takeLock(...args);
    };
    const client = new WechatClient(2_000);
    const b = new WechatTokenStore(redis, prefix, (c) => client.fetchToken(c), { fetchTimeoutMs: 2_000 });

    const failure = await b.token(wrong).catch((e) => e);
    expect(await refusedFirst).toMatchObject({ reason: 'errcode_40001' });
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_40001' });
    expect(wecom.gettokenCalls).toBe(1);
  });

  it.each([
    [40013, 'corp_id is not a valid'],
    [60020, 'trusted IP list'],
  ])('treats gettoken errcode %i as a configuration error', async (errcode, why) => {
    wecom.failNext('gettoken', errcode);
    const failure = await replica().token(credentials).catch((e) => e);
    expect(failure).toMatchObject({ kind: 'permanent', reason: `errcode_${errcode}` });
    expect(failure.message).toContain(why);
  });

  it.each([45009, 45033, -1])('treats gettoken errcode %i as transient and fetches again next time', async (errcode) => {
    wecom.failNext('gettoken', errcode);
    const store = replica();
    await expect(store.token(credentials)).rejects.toMatchObject({ kind: 'transient', reason: `errcode_${errcode}` });
    await expect(store.token(credentials)).resolves.toEqual(expect.any(String));
    expect(wecom.gettokenCalls).toBe(2);
  });

  it('keeps tokens a safety margin short of expires_in', () => {
    expect(cacheTtlMs(7200)).toBe(6_900_000);
    expect(cacheTtlMs(60)).toBe(54_000);
  });
});
