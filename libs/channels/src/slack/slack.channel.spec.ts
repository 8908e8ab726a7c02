import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureOf } from '@relay/testing';
import { parseConfig } from '../channels';
import { SlackConfig } from './slack.config';
import { FakeSlack } from '../../../../test/fakes/slack.fake';
import { classifySlackApiError, classifySlackHttp, resolveSlackDestination, SlackClient } from './slack.channel';
import type { SlackMessage } from './slack.message';

const MESSAGE: SlackMessage = { channel: '#ops', attachments: [{ text: 'disk full', fallback: 'disk full', callback_id: '', footer: '', mrkdwn_in: ['text'] }] };
const OPTIONS = { penaltyMs: 30_000 };

function slackBlock(yaml: string, global = ''): { config: SlackConfig; global: any } {
  const relay = parseConfig(`${global}\nreceivers:\n  - name: ops\n    slack_configs:\n      - ${yaml.trim().split('\n').join('\n        ')}\n`, { env: {} });
  return { config: relay.targetsOf<SlackConfig>('slack')[0].config, global: relay.global };
}


describe('SlackClient against a fake Slack', () => {
  let slack: FakeSlack;
  const client = new SlackClient(5_000);

  beforeEach(async () => {
    slack = await FakeSlack.start();
  });
  afterEach(() => slack.close());

  describe('incoming webhook', () => {
    it('posts the message as JSON and takes the plain-text "ok" as success', async () => {
      const url = slack.webhook('hook1');
      await expect(client.send(MESSAGE, { url }, OPTIONS)).resolves.toEqual({});
      expect(slack.messagesTo('webhook:hook1')).toEqual([MESSAGE]);
      const [request] = slack.requests;
      expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(request.headers.authorization).toBeUndefined();
    });

    it('an archived channel fails permanently with its error as the reason', async () => {
      const url = slack.webhook('archived', { error: 'channel_is_archived' });
      expect(await failureOf(client.send(MESSAGE, { url }, OPTIONS))).toMatchObject({ kind: 'permanent', reason: 'channel_is_archived' });
    });

    it('a removed webhook is no_service, permanent', async () => {
      slack.webhook('known');
      const url = `${slack.baseUrl}/services/T000/B000/gone`;
      expect(await failureOf(client.send(MESSAGE, { url }, OPTIONS))).toMatchObject({ kind: 'permanent', reason: 'no_service' });
    });

    it('a message without text or attachments is no_text', async () => {
      const url = slack.webhook('hook1');
      expect(await failureOf(client.send({ attachments: [] }, { url }, OPTIONS))).toMatchObject({ kind: 'permanent', reason: 'no_text' });
    });

    it('500 rollup_error is transient', async () => {
      const url = slack.webhook('hook1');
      slack.failNext(500, 'rollup_error');
      expect(await failureOf(client.send(MESSAGE, { url }, OPTIONS))).toMatchObject({ kind: 'transient', reason: 'rollup_error' });
    });

    it('429 beyond the rate carries Retry-After as the time to come back', async () => {
      const url = slack.webhook('hook1', { max: 1, windowMs: 60_000, retryAfterSeconds: 4 });
      await client.send(MESSAGE, { url }, OPTIONS);
      const before = Date.now();
      const failure = await failureOf(client.send(MESSAGE, { url }, OPTIONS));
      expect(failure).toMatchObject({ kind: 'rate_limited', reason: 'ratelimited' });
      expect(failure.retryAt! - before).toBeGreaterThanOrEqual(4_000);
      expect(failure.retryAt! - Date.now()).toBeLessThanOrEqual(4_000);
    });

    it('a 2xx that is not "ok" is not taken as delivered', async () => {
      const url = slack.webhook('hook1');
      slack.failNext(200, 'maybe later');
      expect(await failureOf(client.send(MESSAGE, { url }, OPTIONS))).toMatchObject({ kind: 'permanent', reason: 'unexpected_response' });
    });
  });

  describe('chat.postMessage with an app token', () => {
    it('sends the token as Authorization: Bearer and takes ok:true as success', async () => {
      const url = slack.app('xoxb-good', { channels: { '#ops': 'ok' } });
      const receipt = await client.send(MESSAGE, { url, authorization: 'Bearer xoxb-good' }, OPTIONS);
      expect(receipt).toEqual({ channel: 'COPS', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
      expect(slack.requests[0].headers.authorization).toBe('Bearer xoxb-good');
      expect(slack.messagesTo('app:xoxb-good:#ops')).toHaveLength(1);
    });

    it.each([
      ['not_authed', undefined, '#ops'],
      ['invalid_auth', 'Bearer xoxb-wrong', '#ops'],
      ['channel_not_found', 'Bearer xoxb-good', '#nowhere'],
      ['not_in_channel', 'Bearer xoxb-good', '#private'],
      ['is_archived', 'Bearer xoxb-good', '#old'],
    ])('ok:false %s is permanent', async (error, authorization, channel) => {
      const url = slack.app('xoxb-good', { channels: { '#ops': 'ok', '#private': 'not_in_channel', '#old': 'is_archived' } });
      const failure = await failureOf(client.send({ ...MESSAGE, channel }, { url, authorization }, OPTIONS));
      expect(failure).toMatchObject({ kind: 'permanent', reason: error });
    });

    it('429 ratelimited carries its Retry-After', async () => {
      const url = slack.app('xoxb-good', { channels: { '#ops': 'ok' }, max: 1, windowMs: 60_000, retryAfterSeconds: 2 });
      await client.send(MESSAGE, { url, authorization: 'Bearer xoxb-good' }, OPTIONS);
      const failure = await failureOf(client.send(MESSAGE, { url, authorization: 'Bearer xoxb-good' }, OPTIONS));
      expect(failure).toMatchObject({ kind: 'rate_limited', reason: 'ratelimited' });
      expect(failure.retryAt! - Date.now()).toBeGreaterThan(1_000);
    });
  });
});

describe('resolveSlackDestination', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slack-secrets-'));
  const hookFile = join(dir, 'hook');
  const tokenFile = join(dir, 'token');
  writeFileSync(hookFile, 'https://hooks.slack.com/services/T/B/FROMFILE\n');
  writeFileSync(tokenFile, 'xoxb-fromfile\n');

  it('uses the target api_url, else global.slack_api_url', async () => {
    const own = slackBlock('api_url: https://hooks.slack.com/services/T/B/OWN', 'global: { slack_api_url: "https://hooks.slack.com/services/T/B/GLOBAL" }');
    expect(await resolveSlackDestination(own.config, own.global, dir)).toEqual({ url: 'https://hooks.slack.com/services/T/B/OWN' });
    const inherited = slackBlock("channel: '#x'", 'global: { slack_api_url: "https://hooks.slack.com/services/T/B/GLOBAL" }');
    expect(await resolveSlackDestination(inherited.config, inherited.global, dir)).toEqual({ url: 'https://hooks.slack.com/services/T/B/GLOBAL' });
  });

  it('reads api_url_file and app_token_file at send time', async () => {
    const hook = slackBlock(`api_url_file: ${hookFile}`);
    expect(await resolveSlackDestination(hook.config, hook.global, dir)).toEqual({ url: 'https://hooks.slack.com/services/T/B/FROMFILE' });
    const app = slackBlock(`app_token_file: ${tokenFile}\nchannel: '#ops'`);
    expect(await resolveSlackDestination(app.config, app.global, dir)).toEqual({ url: 'https://slack.com/api/chat.postMessage', authorization: 'Bearer xoxb-fromfile' });
  });

  it("keeps Alertmanager's older way: api_url at chat.postMessage with http_config.authorization", async () => {
    const old = slackBlock('api_url: https://slack.com/api/chat.postMessage\nchannel: "#ops"\nhttp_config: { authorization: { credentials: xoxb-old } }');
    expect(await resolveSlackDestination(old.config, old.global, dir)).toEqual({ url: 'https://slack.com/api/chat.postMessage', authorization: 'Bearer xoxb-old' });
  });

  it('reads a relative path from the config file\'s directory', async () => {
    const relative = slackBlock('api_url_file: hook');
    expect(await resolveSlackDestination(relative.config, relative.global, dir)).toEqual({ url: 'https://hooks.slack.com/services/T/B/FROMFILE' });
  });

  it('an unreadable secret file is retried, naming the file but no content', async () => {
    const missing = slackBlock(`api_url_file: ${join(dir, 'absent')}`);
    expect(await failureOf(resolveSlackDestination(missing.config, missing.global, dir))).toMatchObject({
      kind: 'transient',
      reason: 'secret_file_unreadable',
      message: `cannot read api_url_file ${join(dir, 'absent')}: ENOENT`,
    });
  });

});

const NOW = 1_700_000_000_000;
const PENALTY = 30_000;

describe('classifySlackHttp (incoming webhook answers)', () => {
  it.each([
    [400, 'invalid_payload'],
    [400, 'no_text'],
    [403, 'action_prohibited'],
    [403, 'invalid_token'],
    [404, 'channel_not_found'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
  ])('%i %s is permanent, with the error as the reason', (status, body) => {
    const failure = classifySlackHttp(status, body, null, PENALTY, NOW);
    expect(failure).toMatchObject({ kind: 'permanent', reason: body, message: `Slack answered HTTP ${status}: ${body}` });
  });

  it.each([
    [500, 'rollup_error'],
    [502, '<html>Bad Gateway</html>'],
    [503, ''],
    [408, ''],
  ])('%i is transient', (status, body) => {
    expect(classifySlackHttp(status, body, null, PENALTY, NOW).kind).toBe('transient');
  });

  it('429 waits exactly the Retry-After, or the penalty when Slack names none', () => {
    expect(classifySlackHttp(429, 'too_many_requests', '7', PENALTY, NOW)).toMatchObject({ kind: 'rate_limited', reason: 'ratelimited', retryAt: NOW + 7_000 });
    expect(classifySlackHttp(429, '{"ok":false,"error":"ratelimited"}', null, PENALTY, NOW)).toMatchObject({ kind: 'rate_limited', retryAt: NOW + PENALTY });
  });

  it('does not echo an unknown or HTML body into the reason', () => {
    expect(classifySlackHttp(418, '<html>teapot https://hooks.slack.com/services/SECRET</html>', null, PENALTY, NOW)).toMatchObject({
      kind: 'permanent',
      reason: 'http_418',
      message: 'Slack answered HTTP 418',
    });
  });
});

describe('classifySlackApiError (chat.postMessage ok:false)', () => {
  it.each(['not_authed', 'invalid_auth', 'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_blocks', 'missing_scope'])(
    '%s is permanent',
    (error) => {
      expect(classifySlackApiError(error, null, PENALTY, NOW)).toMatchObject({ kind: 'permanent', reason: error, message: `Slack API error: ${error}` });
    },
  );

  it('ratelimited is a pause, not an attempt', () => {
    expect(classifySlackApiError('ratelimited', '3', PENALTY, NOW)).toMatchObject({ kind: 'rate_limited', retryAt: NOW + 3_000 });
  });

  it("Slack's own trouble and errors it may add later are retried", () => {
    expect(classifySlackApiError('internal_error', null, PENALTY, NOW).kind).toBe('transient');
    expect(classifySlackApiError('something_new', null, PENALTY, NOW)).toMatchObject({ kind: 'transient', reason: 'something_new' });
    expect(classifySlackApiError('Not A Label!', null, PENALTY, NOW).reason).toBe('api_error');
  });
});
