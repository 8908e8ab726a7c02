import { createHmac } from 'node:crypto';
import { DeliveryFailure } from '@relay/delivery';
import { failureOf, freePort } from '@relay/testing';
import { FakeFeishu, FakeFeishuBotOptions } from '../../../../test/fakes/feishu.fake';
import { classifyFeishuError, FeishuClient, signedFeishuBody } from './feishu.channel';
import type { FeishuMessage } from './feishu.message';

const message: FeishuMessage = { msg_type: 'text', content: { text: 'disk full on db-1 告警' } };
const HOUR = 3_600_000;

describe('signedFeishuBody', () => {
  it('adds the timestamp in seconds and base64(HMAC-SHA256(key = timestamp\\nsecret, message = ""))', () => {
    const expected = createHmac('sha256', '1763625600\nbot-secret').update(Buffer.alloc(0)).digest('base64');
    expect(signedFeishuBody(message, 'bot-secret', 1763625600_999)).toEqual({ ...message, timestamp: '1763625600', sign: expected });
    expect(expected).toBe(FakeFeishu.sign('1763625600', 'bot-secret'));
  });
});

describe('FeishuClient against a Feishu-like server', () => {
  let fake: FakeFeishu;
  let client: FeishuClient;
  const send = (token: string, options: { secret?: string; penaltyMs?: number } = {}) => client.send(message, { url: fake.hookUrl(token), penaltyMs: 10_000, ...options });

  beforeEach(async () => {
    fake = await FakeFeishu.start();
    client = new FeishuClient(2_000);
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  it('posts the exact body, signed afresh on each attempt, and resolves on code 0', async () => {
    fake.bot({ token: 'signed', secret: 'bot-secret' });
    await send('signed', { secret: 'bot-secret' });
    fake.failNext(11232);
    await expect(send('signed', { secret: 'bot-secret' })).rejects.toMatchObject({ kind: 'rate_limited' });
    await send('signed', { secret: 'bot-secret' });
    const bodies = fake.requestsTo('signed').map((r) => JSON.parse(r.body));
    expect(bodies).toHaveLength(3);
    for (const body of bodies) {
      expect(body).toEqual({ ...message, timestamp: expect.stringMatching(/^\d{10}$/), sign: FakeFeishu.sign(body.timestamp, 'bot-secret') });
      expect(Math.abs(Number(body.timestamp) * 1000 - Date.now())).toBeLessThan(5_000);
    }
    expect(fake.messagesTo('signed').map((m) => m.text)).toEqual(['disk full on db-1 告警', 'disk full on db-1 告警']);
  });

  it('sends no timestamp or sign without a secret, and takes the legacy StatusCode answer', async () => {
    fake.bot({ token: 'plain' });
    fake.answerStyle = 'legacy';
    await send('plain');
    expect(JSON.parse(fake.requestsTo('plain')[0].body)).toEqual(message);
  });

  it('fails a wrong secret for good after one request', async () => {
    fake.bot({ token: 'wrong', secret: 'the-bots-secret' });
    const failure = await failureOf(send('wrong', { secret: 'not-the-bots-secret' }));
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_19021' });
    expect(failure.message).toBe("Feishu errcode 19021: sign match fail or timestamp is not within one hour from current time (the signature does not match the bot's secret)");
    expect(fake.requestsTo('wrong')).toHaveLength(1);
  });

  it("re-signs once at Feishu's time when its answer shows our clock an hour off, and signs at it from then on", async () => {
    fake.bot({ token: 'skewed', secret: 'bot-secret' });
    fake.skewClock(2 * HOUR);
    await send('skewed', { secret: 'bot-secret' });
    expect(fake.answersTo('skewed').map((a) => a.code)).toEqual([19021, 0]);
    await send('skewed', { secret: 'bot-secret' });
    expect(fake.answersTo('skewed').map((a) => a.code)).toEqual([19021, 0, 0]);
    // The clock is put right: one refusal, and the next try signs at our own time again.
    fake.skewClock(0);
    await send('skewed', { secret: 'bot-secret' });
    expect(fake.answersTo('skewed').map((a) => a.code)).toEqual([19021, 0, 0, 19021, 0]);
    expect(fake.messagesTo('skewed')).toHaveLength(3);
  });

  it('a wrong secret on a host whose clock is off costs one extra request, once', async () => {
    fake.bot({ token: 'both', secret: 'the-bots-secret' });
    fake.skewClock(-2 * HOUR);
    await expect(send('both', { secret: 'another' })).rejects.toMatchObject({ kind: 'permanent', reason: 'errcode_19021' });
    await expect(send('both', { secret: 'another' })).rejects.toMatchObject({ kind: 'permanent', reason: 'errcode_19021' });
    expect(fake.requestsTo('both')).toHaveLength(3);
  });

  it.each<[string, Omit<FakeFeishuBotOptions, 'token'>, [number, { status?: number; msg?: string }] | undefined, string, RegExp]>([
    ['a missing keyword', { keywords: ['告警规则'] }, undefined, 'errcode_19024', /Key Words Not Found \(the message contains none of the bot's keywords\)/],
    ['an IP not allowed', { ipWhitelist: ['10.0.0.1'] }, undefined, 'errcode_19022', /Ip Not Allowed/],
    ['a bad request (9499 at HTTP 400)', {}, [9499, {}], 'errcode_9499', /Bad Request \(Feishu could not read the request\)/],
    ['a missing parameter', {}, [19002, {}], 'errcode_19002', /msg_type need/],
  ])('fails %s for good', async (_what, bot, script, reason, text) => {
    fake.bot({ token: 'refusing', ...bot });
    if (script) fake.failNext(script[0], script[1]);
    const failure = await failureOf(send('refusing'));
    expect(failure).toMatchObject({ kind: 'permanent', reason });
    expect(failure.message).toMatch(text);
  });

  it('fails an unknown or deleted bot for good without naming its token', async () => {
    const failure = await failureOf(send('secret-token-never-registered'));
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_19001' });
    expect(failure.message).not.toContain('secret-token-never-registered');
  });

  it.each([
    ['11232 at HTTP 200', 11232, {}, 'errcode_11232'],
    ['9499 "too many request" at HTTP 400', 9499, { status: 400, msg: 'too many request' }, 'errcode_9499'],
    ['HTTP 429', 11232, { status: 429 }, 'http_429'],
  ] as const)('takes %s as throttling: the bot is paused for the penalty', async (_what, code, options, reason) => {
    fake.bot({ token: 'busy' });
    fake.failNext(code, options);
    const before = Date.now();
    const failure = await failureOf(send('busy', { penaltyMs: 10_000 }));
    expect(failure).toMatchObject({ kind: 'rate_limited', reason });
    expect(failure.retryAt! - before).toBeGreaterThanOrEqual(10_000);
  });

  it('goes over the bot\'s own limits only to be throttled (the fake holds Feishu\'s 5 a second)', async () => {
    fake.bot({ token: 'fast' });
    const results = await Promise.all(Array.from({ length: 7 }, () => send('fast').then(() => 'ok', (e: DeliveryFailure) => e.kind)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'rate_limited')).toHaveLength(2);
  });

  it('retries an unknown code, a front-end 5xx and a body without a code; fails an HTTP 400 page for good', async () => {
    fake.bot({ token: 'flaky' });
    fake.failNext(99991663, { msg: 'something new' });
    expect(await failureOf(send('flaky'))).toMatchObject({ kind: 'transient', reason: 'errcode_99991663' });
    fake.outage(502);
    expect(await failureOf(send('flaky'))).toMatchObject({ kind: 'transient', reason: 'http_502', answered: false });
    fake.outage(400);
    expect(await failureOf(send('flaky'))).toMatchObject({ kind: 'permanent', reason: 'http_400' });
    fake.outage(200);
    expect(await failureOf(send('flaky'))).toMatchObject({ kind: 'transient', reason: 'unreadable_answer' });
  });

  it('reports a dead server as a transient network error', async () => {
    const url = `http://127.0.0.1:${await freePort()}/open-apis/bot/v2/hook/x`;
    const failure = await failureOf(client.send(message, { url, penaltyMs: 1000 }));
    expect(failure.kind).toBe('transient');
    expect(failure.reason).toMatch(/^network_/);
  });
});

describe('classifyFeishuError', () => {
  const now = 1_000_000;
  it.each([
    [11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]', 'rate_limited'],
    [9499, 'too many request', 'rate_limited'],
    [9499, 'Bad Request', 'permanent'],
    [9499, 'Bad Request: fail to parse content', 'permanent'],
    [19001, 'param invalid: incoming webhook access token invalid', 'permanent'],
    [19002, 'params error, msg_type need', 'permanent'],
    [19021, 'sign match fail or timestamp is not within one hour from current time', 'permanent'],
    [19022, 'Ip Not Allowed', 'permanent'],
    [19024, 'Key Words Not Found', 'permanent'],
    [19036, 'The message exceeds the size limit of 30KB', 'permanent'],
    [99991400, 'something new', 'transient'],
  ])('code %p (%s) is %s', (code, msg, kind) => {
    const failure = classifyFeishuError(code, msg, 10_000, now);
    expect(failure.kind).toBe(kind);
    expect(failure.reason).toBe(`errcode_${code}`);
    expect(failure.message).toContain(msg);
    if (kind === 'rate_limited') expect(failure.retryAt).toBe(now + 10_000);
  });
});
