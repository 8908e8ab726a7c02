import { createHmac } from 'node:crypto';
import { FakeFeishu } from './feishu.fake';

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

const text = (t: string) => ({ msg_type: 'text', content: { text: t } });

describe('FakeFeishu', () => {
  let fake: FakeFeishu;

  beforeEach(async () => {
    fake = await FakeFeishu.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  describe('signature', () => {
    const secret = 'bot-secret';
    let url: string;

    beforeEach(() => {
      url = fake.bot({ token: 'signed', secret });
    });

    it('delivers a correctly signed message and answers as Feishu does', async () => {
      const answer = await post(url, FakeFeishu.signed(text('disk full on db-1'), secret));
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' });
      expect(fake.messagesTo('signed').map((m) => m.text)).toEqual(['disk full on db-1']);
    });

    it('computes sign as base64(HMAC-SHA256(key = timestamp\\nsecret, message = ""))', () => {
      const expected = createHmac('sha256', `1599360473\n${secret}`).update(Buffer.alloc(0)).digest('base64');
      expect(FakeFeishu.sign('1599360473', secret)).toBe(expected);
    });

    it('accepts the timestamp as a number as well as a string', async () => {
      const ts = Math.floor(Date.now() / 1000);
      const answer = await post(url, { ...text('x'), timestamp: ts, sign: FakeFeishu.sign(ts, secret) });
      expect(answer.json.code).toBe(0);
    });

    it.each([
      ['a wrong sign', (ts: string) => ({ timestamp: ts, sign: FakeFeishu.sign(ts, 'other-secret') })],
      ['no sign', (ts: string) => ({ timestamp: ts })],
      ['no timestamp', (ts: string) => ({ sign: FakeFeishu.sign(ts, secret) })],
      ['a timestamp in milliseconds', () => {
        const ms = String(Date.now());
        return { timestamp: ms, sign: FakeFeishu.sign(ms, secret) };
      }],
      ["DingTalk's scheme (key = secret, message = timestamp\\nsecret)", (ts: string) => ({
        timestamp: ts,
        sign: createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'),
      })],
    ])('answers 19021 at HTTP 200 for %s', async (_, signing) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const answer = await post(url, { ...text('x'), ...signing(ts) });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ code: 19021, data: {}, msg: 'sign match fail or timestamp is not within one hour from current time' });
      expect(fake.delivered).toHaveLength(0);
    });

    it('accepts a timestamp up to an hour off Feishu time and refuses one beyond, either way', async () => {
      fake.skewClock(59 * 60_000);
      expect((await post(url, FakeFeishu.signed(text('59 min behind'), secret))).json.code).toBe(0);
      fake.skewClock(61 * 60_000);
      expect((await post(url, FakeFeishu.signed(text('61 min behind'), secret))).json.code).toBe(19021);
      fake.skewClock(-61 * 60_000);
      expect((await post(url, FakeFeishu.signed(text('61 min ahead'), secret))).json.code).toBe(19021);
    });
  });

  describe('requests it refuses', () => {
    it('answers 19001 at HTTP 200 for an unknown token, and for a bot removed from its group', async () => {
      const unknown = await post(fake.hookUrl('nope'), text('x'));
      expect(unknown.status).toBe(200);
      expect(unknown.json).toEqual({ code: 19001, data: {}, msg: 'param invalid: incoming webhook access token invalid' });

      const url = fake.bot({ token: 'gone' });
      expect((await post(url, text('x'))).json.code).toBe(0);
      fake.removeBot('gone');
      expect((await post(url, text('x'))).json.code).toBe(19001);
    });

    it('answers 19002 for a body without msg_type, or with an unknown one', async () => {
      const url = fake.bot({ token: 't' });
      expect((await post(url, { text: 'flat, DingTalk-shaped' })).json).toEqual({ code: 19002, data: {}, msg: 'params error, msg_type need' });
      expect((await post(url, { msg_type: 'markdown', content: { text: 'x' } })).json.code).toBe(19002);
    });

    it('answers 9499 at HTTP 400 for a body that is not JSON, and 9499 for malformed content', async () => {
      const url = fake.bot({ token: 't' });
      const notJson = await post(url, '{"msg_type":');
      expect(notJson.status).toBe(400);
      expect(notJson.json.code).toBe(9499);
      expect((await post(url, { msg_type: 'text', content: { body: 'x' } })).json.code).toBe(9499);
      expect((await post(url, { msg_type: 'interactive' })).json.code).toBe(9499);
    });

    it('refuses a 21 KB body and accepts a 19 KB one', async () => {
      const url = fake.bot({ token: 't' });
      const big = await post(url, text('x'.repeat(21 * 1024)));
      expect(big.status).toBe(200);
      expect(big.json.code).toBe(19036);
      expect((await post(url, text('x'.repeat(19 * 1024)))).json.code).toBe(0);
      expect(fake.delivered).toHaveLength(1);
    });

    it('answers 19022 when the caller is outside the IP whitelist', async () => {
      expect((await post(fake.bot({ token: 'ip', ipWhitelist: ['10.0.0.1'] }), text('x'))).json).toEqual({ code: 19022, data: {}, msg: 'Ip Not Allowed' });
      expect((await post(fake.bot({ token: 'ip-ok', ipWhitelist: ['127.0.0.1'] }), text('x'))).json.code).toBe(0);
    });

    it('answers 404 outside the hook path', async () => {
      const response = await fetch(`${fake.baseUrl}/open-apis/bot/hook/old-v1`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
    });
  });

  describe('keywords', () => {
    let url: string;

    beforeEach(() => {
      url = fake.bot({ token: 'kw', keywords: ['告警', 'alert'] });
    });

    it('answers 19024 to a message without any keyword', async () => {
      expect((await post(url, text('nothing to see'))).json).toEqual({ code: 19024, data: {}, msg: 'Key Words Not Found' });
    });

    it('accepts a text message with a keyword', async () => {
      expect((await post(url, text('[告警] disk full'))).json.code).toBe(0);
    });

    it('finds keywords in any post locale and in the title', async () => {
      const inEnglish = { msg_type: 'post', content: { post: { zh_cn: { title: '磁盘', content: [[{ tag: 'text', text: '满了' }]] }, en_us: { title: 'alert', content: [] } } } };
      expect((await post(url, inEnglish)).json.code).toBe(0);
    });

    it('finds keywords in a card header, but not in a link target', async () => {
      const header = { msg_type: 'interactive', card: { header: { title: { tag: 'plain_text', content: '告警: disk' } }, elements: [] } };
      expect((await post(url, header)).json.code).toBe(0);
      const href = { msg_type: 'post', content: { post: { zh_cn: { content: [[{ tag: 'a', text: 'runbook', href: 'https://x/alert' }]] } } } };
      expect((await post(url, href)).json.code).toBe(19024);
    });
  });

  describe('rate limits', () => {
    it('throttles the 6th message within a second with 11232 at HTTP 200', async () => {
      const url = fake.bot({ token: 'burst' });
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => post(url, text(`m${i}`))));
      const codes = answers.map((a) => a.json.code).sort();
      expect(codes).toEqual([0, 0, 0, 0, 0, 11232]);
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(fake.throttled).toBe(1);
      expect(fake.messagesTo('burst')).toHaveLength(5);

      fake.advanceClock(1_000);
      expect((await post(url, text('next second'))).json.code).toBe(0);
    });

    it('throttles the 101st message within a minute even at 5 a second', async () => {
      const url = fake.bot({ token: 'steady' });
      for (let second = 0; second < 20; second++) {
        for (let i = 0; i < 5; i++) expect((await post(url, text(`s${second}-${i}`))).json.code).toBe(0);
        fake.advanceClock(1_000);
      }
      expect((await post(url, text('101st'))).json.code).toBe(11232);
      fake.advanceClock(41_000);
      expect((await post(url, text('a minute after the first'))).json.code).toBe(0);
    });

    it('does not count throttled requests towards the windows', async () => {
      const url = fake.bot({ token: 'retry', perSecond: 1 });
      expect((await post(url, text('a'))).json.code).toBe(0);
      for (let i = 0; i < 3; i++) expect((await post(url, text('too soon'))).json.code).toBe(11232);
      fake.advanceClock(1_000);
      expect((await post(url, text('b'))).json.code).toBe(0);
    });

    it('keeps each bot in its own windows', async () => {
      const a = fake.bot({ token: 'a', perSecond: 1 });
      const b = fake.bot({ token: 'b', perSecond: 1 });
      expect((await post(a, text('x'))).json.code).toBe(0);
      expect((await post(b, text('x'))).json.code).toBe(0);
      expect((await post(a, text('x'))).json.code).toBe(11232);
    });
  });

  describe('what a reader sees', () => {
    let url: string;

    beforeEach(() => {
      url = fake.bot({ token: 'view' });
    });

    it('flattens text mentions', async () => {
      await post(url, text('<at user_id="all">所有人</at> disk full, <at user_id="ou_123">Li Lei</at> please look'));
      expect(fake.delivered[0]).toMatchObject({ msgType: 'text', text: '@所有人 disk full, @Li Lei please look', mentions: ['all', 'ou_123'] });
    });

    it('flattens a post: title, paragraphs, link text, at tags', async () => {
      const message = {
        msg_type: 'post',
        content: {
          post: {
            en_us: { title: 'in English', content: [[{ tag: 'text', text: 'ignored locale' }]] },
            zh_cn: {
              title: '[FIRING:1] HighLatency',
              content: [
                [{ tag: 'text', text: 'instance a: ' }, { tag: 'a', text: 'runbook', href: 'https://runbooks/x' }],
                [{ tag: 'at', user_id: 'all', user_name: '所有人' }, { tag: 'img', image_key: 'img_v2_x' }],
              ],
            },
          },
        },
      };
      await post(url, message);
      expect(fake.delivered[0]).toMatchObject({ msgType: 'post', title: '[FIRING:1] HighLatency', text: '[FIRING:1] HighLatency\ninstance a: runbook\n@所有人', mentions: ['all'] });
      expect(fake.delivered[0].body).toEqual(message);
    });

    it('flattens an interactive card: header, lark_md divs, markdown, notes, buttons', async () => {
      const card = {
        header: { title: { tag: 'plain_text', content: '[FIRING] HighLatency' }, template: 'red' },
        elements: [
          { tag: 'div', text: { tag: 'lark_md', content: '**instance** a is [slow](https://grafana/x)' } },
          { tag: 'markdown', content: '<at id=all></at> please check' },
          { tag: 'hr' },
          { tag: 'note', elements: [{ tag: 'plain_text', content: 'sent by alert-relay' }] },
          { tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Silence' }, url: 'https://am/silence' }] },
        ],
      };
      await post(url, { msg_type: 'interactive', card });
      expect(fake.delivered[0]).toMatchObject({
        msgType: 'interactive',
        title: '[FIRING] HighLatency',
        template: 'red',
        text: '[FIRING] HighLatency\ninstance a is slow\n@所有人 please check\nsent by alert-relay\nSilence',
        mentions: ['all'],
      });
    });
  });

  describe('scripted failures and outages', () => {
    it('answers failNext codes in order, then delivers again', async () => {
      const url = fake.bot({ token: 't' });
      fake.failNext(11232);
      fake.failNext(9499, { msg: 'too many request' });
      const first = await post(url, text('a'));
      const second = await post(url, text('b'));
      expect([first.status, first.json.code]).toEqual([200, 11232]);
      expect([second.status, second.json]).toEqual([400, { code: 9499, data: {}, msg: 'too many request' }]);
      expect((await post(url, text('c'))).json.code).toBe(0);
      expect(fake.throttled).toBe(1);
      expect(fake.answersTo('t').map((a) => a.code)).toEqual([11232, 9499, 0]);
    });

    it('can script an HTTP 429, scoped to one bot', async () => {
      const a = fake.bot({ token: 'a' });
      const b = fake.bot({ token: 'b' });
      fake.failNext(11232, { status: 429, token: 'b' });
      expect((await post(a, text('x'))).json.code).toBe(0);
      expect((await post(b, text('x'))).status).toBe(429);
    });

    it('gives scripted answers only to requests that pass the signature check', async () => {
      const url = fake.bot({ token: 's', secret: 'k' });
      fake.failNext(11232);
      expect((await post(url, text('unsigned'))).json.code).toBe(19021);
      expect((await post(url, FakeFeishu.signed(text('signed'), 'k'))).json.code).toBe(11232);
    });

    it('answers every request with the outage status until it ends', async () => {
      const url = fake.bot({ token: 't' });
      fake.outage(502);
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(text('x')) });
      expect(response.status).toBe(502);
      fake.outage(undefined);
      expect((await post(url, text('x'))).json.code).toBe(0);
    });

    it('can answer in the legacy StatusCode/StatusMessage shape', async () => {
      const url = fake.bot({ token: 't' });
      fake.answerStyle = 'legacy';
      expect((await post(url, text('x'))).json).toEqual({ Extra: null, StatusCode: 0, StatusMessage: 'success' });
      expect((await post(url, { text: 'x' })).json).toEqual({ Extra: null, StatusCode: 19002, StatusMessage: 'params error, msg_type need' });
    });

    it('keeps its URLs across close and listen', async () => {
      const url = fake.bot({ token: 't' });
      await fake.close();
      await expect(post(url, text('x'))).rejects.toThrow();
      await fake.listen();
      expect((await post(url, text('x'))).json.code).toBe(0);
    });
  });
});
