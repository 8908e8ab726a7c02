import { timingSafeEqual, createHash } from 'node:crypto';

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface Credentials {
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

/** Checks an Authorization header against what the config demands; no demand means open. */
export function isAuthorized(header: string | undefined, expected: Credentials): boolean {
  if (expected.bearerToken) {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    return !!m && sameSecret(m[1].trim(), expected.bearerToken);
  }
  if (expected.basicAuth) {
    const m = /^Basic\s+(.+)$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1].trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Evaluate both so timing does not reveal which one was wrong.
    const userOk = sameSecret(decoded.slice(0, colon), expected.basicAuth.username);
    const passOk = sameSecret(decoded.slice(colon + 1), expected.basicAuth.password);
    return userOk && passOk;
  }
  return true;
}

export function challengeFor(expected: Credentials, realm: string): string | undefined {
  if (expected.bearerToken) return `Bearer realm="${realm}"`;
  if (expected.basicAuth) return `Basic realm="${realm}", charset="UTF-8"`;
  return undefined;
}
