import { classifySmtpError, redact } from './email.errors';

// The shapes below are what nodemailer produced against smtp-server (see email.client.spec.ts for
// the same cases end to end); here each class is pinned down on its own.
const HOST = 'smtp.example.com:587';

describe('classifySmtpError', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 try later', command: 'RCPT TO' }, 'transient', 'smtp_451'],
    [{ code: 'EENVELOPE', responseCode: 452, response: '452 4.5.3 too many recipients', command: 'RCPT TO' }, 'transient', 'smtp_452'],
    [{ code: 'ECONNECTION', responseCode: 421, response: '421 4.4.2 closing', command: 'CONN' }, 'transient', 'smtp_421'],
    [{ code: 'EAUTH', responseCode: 454, response: '454 4.7.0 temporary auth failure', command: 'AUTH PLAIN' }, 'transient', 'smtp_454'],
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user', command: 'RCPT TO' }, 'permanent', 'smtp_550'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad credentials', command: 'AUTH LOGIN' }, 'permanent', 'smtp_535'],
    [{ code: 'EMESSAGE', responseCode: 552, response: '552 5.3.4 too big', command: 'DATA' }, 'permanent', 'smtp_552'],
    [{ code: 'ETLS', responseCode: 502, response: '502 5.5.1 command not implemented', command: 'STARTTLS' }, 'permanent', 'tls_unavailable'],
    [{ code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate', command: 'CONN' }, 'permanent', 'tls_certificate'],
    [{ code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number', command: 'CONN' }, 'permanent', 'tls_failed'],
    [{ code: 'EAUTH', message: 'Missing credentials for "PLAIN"', command: 'API' }, 'permanent', 'auth_config'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED', command: 'CONN' }, 'transient', 'network_econnrefused'],
    [{ code: 'EDNS', originalCode: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND', command: 'CONN' }, 'transient', 'network_enotfound'],
    [{ code: 'ETIMEDOUT', message: 'Connection timeout', command: 'CONN' }, 'transient', 'timeout'],
    [{ code: 'EABORT', name: 'AbortError', message: 'This operation was aborted' }, 'transient', 'timeout'],
  ])('%o is %s (%s)', (error, kind, reason) => {
    const failure = classifySmtpError(error, HOST, []);
    expect(failure.kind).toBe(kind);
    expect(failure.reason).toBe(reason);
  });

  it('puts the server reply and the recipients in the reason', () => {
    const failure = classifySmtpError(
      { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <gone@example.com>: Recipient address rejected', command: 'RCPT TO', rejected: ['gone@example.com'] },
      HOST,
      [],
    );
    expect(failure.message).toBe(`${HOST} answered RCPT TO for gone@example.com: 550 5.1.1 <gone@example.com>: Recipient address rejected`);
  });

  it('scrubs the password however a server echoes it', () => {
    const token = Buffer.from('\u0000alerts\u0000hunter22').toString('base64');
    const failure = classifySmtpError(
      { code: 'EAUTH', responseCode: 535, response: `535 5.7.8 rejected AUTH PLAIN ${token} (hunter22)`, command: 'AUTH PLAIN' },
      HOST,
      ['hunter22', token],
    );
    expect(failure.message).toBe(`${HOST} answered AUTH PLAIN: 535 5.7.8 rejected AUTH PLAIN *** (***)`);
  });
});

describe('redact', () => {
  it('replaces the longest secrets first, so an encoding containing a shorter secret goes whole', () => {
    expect(redact('a abcdef b abc', ['abc', 'abcdef'])).toBe('a *** b ***');
  });
});
