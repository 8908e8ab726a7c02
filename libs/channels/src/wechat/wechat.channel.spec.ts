import { Redis } from 'ioredis';
import { uniquePrefix } from '@relay/testing';
import { FakeWecom } from '../../../../test/fakes/wecom.fake';
import { WechatClient, WechatCredentials, WechatSender } from './wechat.channel';
import type { WechatMessage } from './wechat.message';
import { WechatTokenStore } from './wechat.token-store';

const SECRET = 'app-secret-0123456789abcdefghijklmnopqrstuv';
const message = (over: Partial<WechatMessage> = {}): WechatMessage => ({
  touser: 'alice|bob',
  msgtype: 'text',
  agentid: 1000002,
  text: { content: '[FIRING:1] HighLatency' },
  safe: 0,
  ...over,
});

describe('WechatSender', () => {
  let wecom: FakeWecom;
  let redis: Redis;
  let sender: WechatSender;
  let credentials: WechatCredentials;

  beforeEach(async () => {
    wecom = await FakeWecom.start();
    wecom.app({ corpId: 'ww-corp', secret: SECRET, agentId: 1000002, users: ['alice', 'bob'], parties: ['2'], tags: ['7'] });
    credentials = { apiUrl: wecom.apiUrl, corpId: 'ww-corp', apiSecret: SECRET };
    redis = new Redis(process.env.REDIS_URL!);
    const client = new WechatClient(2_000);
    sender = new WechatSender(client, new WechatTokenStore(redis, uniquePrefix(), (c) => client.fetchToken(c), { fetchTimeoutMs: 2_000 }));
  });
  afterEach(async () => {
    redis.disconnect();
    await wecom.close();
  });

  it('sends the message with the cached token', async () => {
    await sender.send(message(), credentials);
    await sender.send(message(), credentials);
    expect(wecom.delivered.map((d) => d.reached)).toEqual([
      ['alice', 'bob'],
      ['alice', 'bob'],
    ]);
    expect(wecom.delivered[0].body).toEqual(message());
    expect(wecom.gettokenCalls).toBe(1);
  });

  it.each([42001, 40014] as const)('on %i fetches one new token and resends once', async (errcode) => {
    await sender.send(message(), credentials);
    wecom.expireTokens(errcode);
    await sender.send(message(), credentials);
    expect(wecom.delivered).toHaveLength(2);
    expect(wecom.gettokenCalls).toBe(2);
    expect(wecom.sendCalls).toBe(3);
  });

  it('does not loop when WeCom refuses the new token as well: the job retries later', async () => {
    wecom.tokenLifetimeMs = 0; // every token WeCom issues is already expired
    await expect(sender.send(message(), credentials)).rejects.toMatchObject({ kind: 'transient', reason: 'errcode_42001' });
    expect(wecom.gettokenCalls).toBe(2);
    expect(wecom.sendCalls).toBe(2);
  });

  it('reports recipients WeCom refused while delivering to the rest', async () => {
    const delivery = await sender.send(message({ touser: 'alice|carol|dave', toparty: '2|9', totag: '8' }), credentials);
    expect(delivery.invalid).toEqual({ users: ['carol', 'dave'], parties: ['9'], tags: ['8'] });
    expect(wecom.delivered[0].reached).toEqual(['alice']);
  });

  it('fails permanently when every recipient is invalid (81013)', async () => {
    await expect(sender.send(message({ touser: 'carol' }), credentials)).rejects.toMatchObject({ kind: 'permanent', reason: 'errcode_81013' });
  });

  it('fails permanently for an agent_id that is not the app (40056)', async () => {
    await expect(sender.send(message({ agentid: 1000009 }), credentials)).rejects.toMatchObject({ kind: 'permanent', reason: 'errcode_40056' });
  });

  it.each([45009, 45033, -1])('retries later on %i', async (errcode) => {
    wecom.failNext('send', errcode);
    await expect(sender.send(message(), credentials)).rejects.toMatchObject({ kind: 'transient', reason: `errcode_${errcode}` });
    await sender.send(message(), credentials);
    expect(wecom.delivered).toHaveLength(1);
  });

  it('classifies a network failure as transient without naming the URL that holds the token', async () => {
    const failure = await sender.send(message(), { ...credentials, apiUrl: 'http://127.0.0.1:9/cgi-bin/' }).catch((e) => e);
    expect(failure).toMatchObject({ kind: 'transient' });
    expect(failure.message).not.toContain(SECRET);
  });
});
