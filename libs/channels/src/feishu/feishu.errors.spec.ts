import { classifyFeishuError } from './feishu.errors';

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
