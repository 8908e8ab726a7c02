import { classifySlackApiError, classifySlackHttp } from './slack.errors';

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
