import { classifyDingtalkError } from './dingtalk.errors';

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
