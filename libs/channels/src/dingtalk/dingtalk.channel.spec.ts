import { DeliveryFailure } from '@relay/delivery';
import { failureOf, freePort } from '@relay/testing';
import { FakeDingtalk } from '../../../../test/fakes/dingtalk.fake';
import { classifyDingtalkError, DingtalkClient, signedRobotUrl } from './dingtalk.channel';
import type { DingtalkMessage } from './dingtalk.message';

const message: DingtalkMessage = { msgtype: 'text', text: { content: 'disk full on db-1' }, at: { atMobiles: [], atUserIds: [], isAtAll: false } };

describe('signedRobotUrl', () => {
  it('appends timestamp and the URL-encoded HMAC-SHA256 signature DingTalk expects', () => {
    // Vector computed independently: base64(hmac_sha256("SECa1b2c3", "1763625600000\nSECa1b2c3")).
    const url = signedRobotUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SECa1b2c3', 1763625600000);
    expect(url).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1763625600000&sign=E4Xerw77Mk80ny8xdWavRfLZDaHOaA9AFB2fdpN7WAg%3D');
  });

  it('leaves the URL alone without a secret', () => {
    expect(signedRobotUrl('https://x/robot/send?access_token=abc', undefined)).toBe('https://x/robot/send?access_token=abc');
  });
});

describe('DingtalkClient against a DingTalk-like server', () => {
  let fake: FakeDingtalk;
  const client = new DingtalkClient(2_000);
  beforeAll(async () => (fake = await FakeDingtalk.start()));
  afterAll(() => fake.close());


  it('sends the exact JSON body, signed, and resolves on errcode 0', async () => {
    const url = fake.robot('signed', { secret: 'SECsigned' });
    await client.send(message, { url, secret: 'SECsigned', penaltyMs: 1000 });
    expect(fake.messagesTo('signed')).toEqual([message]);
  });

  it('reports a wrong secret as permanent with DingTalk reason', async () => {
    const url = fake.robot('wrongsecret', { secret: 'SECright' });
    const failure = await failureOf(client.send(message, { url, secret: 'SECwrong', penaltyMs: 1000 }));
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_310000' });
    expect(failure.message).toContain('sign not match');
  });

  it('reports a missing keyword as permanent', async () => {
    const url = fake.robot('keyword', { keywords: ['告警'] });
    const failure = await failureOf(client.send(message, { url, penaltyMs: 1000 }));
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_310000' });
    expect(failure.message).toContain('keywords not in content');
  });

  it('reports throttling as rate-limited for the penalty window', async () => {
    const url = fake.robot('throttled');
    fake.failNext(130101, 'send too fast, exceed 20 times per minute');
    const before = Date.now();
    const failure = await failureOf(client.send(message, { url, penaltyMs: 600_000 }));
    expect(failure.kind).toBe('rate_limited');
    expect(failure.retryAt! - before).toBeGreaterThanOrEqual(600_000);
  });

  it('reports system busy as transient and an unknown token as permanent', async () => {
    const url = fake.robot('busy');
    fake.failNext(-1, '系统繁忙');
    expect(await failureOf(client.send(message, { url, penaltyMs: 1000 }))).toMatchObject({ kind: 'transient', reason: 'errcode_-1' });
    const unknown = `${fake.baseUrl}/robot/send?access_token=never-registered`;
    expect(await failureOf(client.send(message, { url: unknown, penaltyMs: 1000 }))).toMatchObject({ kind: 'permanent', reason: 'errcode_400101' });
  });

  it('reports a dead server as a transient network error', async () => {
    const closedPort = await freePort();
    const url = `http://127.0.0.1:${closedPort}/robot/send?access_token=x`;
    const failure = await failureOf(client.send(message, { url, penaltyMs: 1000 }).catch((e) => Promise.reject(DeliveryFailure.from(e))));
    expect(failure.kind).toBe('transient');
    expect(failure.reason).toMatch(/^network_/);
  });
});

describe('classifyDingtalkError', () => {
  const now = 1_000_000;
  it.each([
    [130101, 'send too fast', 'rate_limited'],
    [410100, 'send too fast', 'rate_limited'],
    [-1, '系统繁忙', 'transient'],
    [310000, 'invalid timestamp', 'transient'],
    [310000, 'sign not match', 'permanent'],
    [310000, 'keywords not in content', 'permanent'],
    [310000, 'ip 1.2.3.4 not in whitelist', 'permanent'],
    [400013, 'group dissolved', 'permanent'],
    [400101, 'token不存在', 'permanent'],
    [400102, 'robot disabled', 'permanent'],
    [400105, 'unsupported msgtype', 'permanent'],
    [400106, 'robot not in group', 'permanent'],
    [430101, 'moderation', 'permanent'],
    [430104, 'moderation', 'permanent'],
    [460101, 'message too large', 'permanent'],
    [101002, 'message too large', 'permanent'],
    [999999, 'something new', 'transient'],
  ])('errcode %p (%s) is %s', (errcode, errmsg, kind) => {
    const failure = classifyDingtalkError(errcode, errmsg, 600_000, now);
    expect(failure.kind).toBe(kind);
    expect(failure.reason).toBe(`errcode_${errcode}`);
    expect(failure.message).toContain(errmsg);
    if (kind === 'rate_limited') expect(failure.retryAt).toBe(now + 600_000);
  });
});
