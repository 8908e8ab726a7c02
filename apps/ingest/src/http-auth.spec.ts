import { challengeFor, isAuthorized } from './http-auth';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('isAuthorized', () => {
  it('is open when nothing is configured', () => {
    expect(isAuthorized(undefined, {})).toBe(true);
  });

  it('checks a bearer token exactly', () => {
    const expected = { bearerToken: 's3cret' };
    expect(isAuthorized('Bearer s3cret', expected)).toBe(true);
    expect(isAuthorized('bearer s3cret', expected)).toBe(true);
    expect(isAuthorized('Bearer s3cre', expected)).toBe(false);
    expect(isAuthorized('Bearer s3cret-and-more', expected)).toBe(false);
    expect(isAuthorized(basic('x', 's3cret'), expected)).toBe(false);
    expect(isAuthorized(undefined, expected)).toBe(false);
  });

  it('checks basic auth user and password, passwords with colons included', () => {
    const expected = { basicAuth: { username: 'am', password: 'pa:ss' } };
    expect(isAuthorized(basic('am', 'pa:ss'), expected)).toBe(true);
    expect(isAuthorized(basic('am', 'pa'), expected)).toBe(false);
    expect(isAuthorized(basic('root', 'pa:ss'), expected)).toBe(false);
    expect(isAuthorized('Basic not-base64-colonless', expected)).toBe(false);
    expect(isAuthorized('Bearer pa:ss', expected)).toBe(false);
  });

  it('names the scheme it wants', () => {
    expect(challengeFor({ bearerToken: 'x' }, 'alert-relay')).toBe('Bearer realm="alert-relay"');
    expect(challengeFor({ basicAuth: { username: 'a', password: 'b' } }, 'alert-relay')).toContain('Basic realm="alert-relay"');
    expect(challengeFor({}, 'alert-relay')).toBeUndefined();
  });
});
