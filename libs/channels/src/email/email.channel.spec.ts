import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResolvedTarget } from '@relay/config';
import { failureOf } from '@relay/testing';
import type { EmailConfig } from './email.config';
import { parseConfig } from '../channels';
import { FakeSmtp, testCertificate } from '../../../../test/fakes/smtp.fake';
import { classifySmtpError, redact, SmtpClient } from './email.channel';
import type { EmailMessage } from './email.message';
import { resolveSmtpSettings, SmtpSettings } from './email.settings';

// These run nodemailer against a real SMTP server (smtp-server) on loopback; the received mail is
// parsed with postal-mime (mailparser could not be installed here) to check what a reader sees.

const PASSWORD = 'pa55-w0rd-never-logged';
const dir = mkdtempSync(join(tmpdir(), 'email-client-'));

/** Settings exactly as the worker resolves them from a pasted `email_configs` entry and `global:`. */
function settingsOf(block: string, global = ''): SmtpSettings {
  const config = parseConfig(`
global: { ${global} }
receivers:
  - name: ops
    email_configs:
      - ${block}
`);
  const target = config.target('ops/email/0') as ResolvedTarget<EmailConfig>;
  return resolveSmtpSettings(target.config, config.global, dir);
}

function message(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    envelope: { from: 'alerts@example.com', to: ['oncall@example.com'] },
    from: 'Alert Relay <alerts@example.com>',
    to: 'oncall@example.com',
    subject: '[FIRING:2] 数据库 主从延迟 HighLatency',
    headers: { 'X-Alert-Group': 'db' },
    text: '两个告警正在触发\nHighLatency on db-0',
    html: '<h1>两个告警正在触发</h1><p>HighLatency on <b>db-0</b></p>',
    messageId: '<stable-id-1@example.com>',
    date: new Date('2026-11-20T08:00:00Z'),
    ...overrides,
  };
}


describe('SmtpClient against a real SMTP server', () => {
  const servers: FakeSmtp[] = [];
  let client: SmtpClient;
  const start = async (...args: Parameters<typeof FakeSmtp.start>) => {
    const server = await FakeSmtp.start(...args);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'ca.pem'), (await testCertificate()).cert);
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
  });
  beforeEach(() => {
    client = new SmtpClient({ timeoutMs: 5_000 });
  });
  afterEach(async () => {
    client.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('sends one multipart/alternative UTF-8 mail with a text and an HTML part, Message-Id and Date', async () => {
    const smtp = await start();
    const settings = settingsOf(`{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}', require_tls: false, hello: relay.example.com }`);
    const result = await client.send(message(), settings);

    expect(result.accepted).toEqual(['oncall@example.com']);
    expect(result.rejected).toEqual([]);
    const [mail] = await smtp.waitForMails(1);
    expect(mail.secure).toBe(false);
    expect(mail.hello).toBe('relay.example.com');
    expect(mail.envelope).toEqual({ from: 'alerts@example.com', to: ['oncall@example.com'] });
    expect(mail.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(mail.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(mail.raw).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
    // The Chinese subject travels as RFC 2047 encoded words and decodes back intact.
    expect(mail.raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(mail.parsed.subject).toBe('[FIRING:2] 数据库 主从延迟 HighLatency');
    expect(mail.parsed.from).toMatchObject({ name: 'Alert Relay', address: 'alerts@example.com' });
    expect(mail.parsed.to).toEqual([expect.objectContaining({ address: 'oncall@example.com' })]);
    expect(mail.parsed.messageId).toBe('<stable-id-1@example.com>');
    expect(new Date(mail.parsed.date!).toISOString()).toBe('2026-11-20T08:00:00.000Z');
    expect(mail.parsed.text?.trim()).toBe('两个告警正在触发\nHighLatency on db-0');
    expect(mail.parsed.html?.trim()).toBe('<h1>两个告警正在触发</h1><p>HighLatency on <b>db-0</b></p>');
    expect(mail.parsed.headers.find((h) => h.key === 'x-alert-group')?.value).toBe('db');
    // Plain-text clients and pagers read the first alternative.
    expect(mail.raw.indexOf('text/plain')).toBeLessThan(mail.raw.indexOf('text/html'));
  });

  it('delivers to every address of a comma-separated `to`', async () => {
    const smtp = await start();
    const settings = settingsOf(`{ to: 'a@example.com, B <b@example.com>', from: alerts@example.com, smarthost: '${smtp.smarthost}', require_tls: false }`);
    const result = await client.send(message({ envelope: { from: 'alerts@example.com', to: ['a@example.com', 'b@example.com'] } }), settings);
    expect(result.accepted.sort()).toEqual(['a@example.com', 'b@example.com']);
    expect((await smtp.waitForMails(1))[0].envelope.to).toEqual(['a@example.com', 'b@example.com']);
  });

  it('upgrades with STARTTLS (require_tls, the default) and verifies the relay against tls_config.ca_file', async () => {
    const smtp = await start({ tls: 'starttls' });
    const settings = settingsOf(`{ to: oncall@example.com, smarthost: '${smtp.smarthost}', tls_config: { ca_file: ca.pem } }`, 'smtp_from: alerts@example.com');
    expect(settings.requireTls).toBe(true);
    await client.send(message(), settings);
    const [mail] = await smtp.waitForMails(1);
    expect(mail.secure).toBe(true);
    expect(mail.parsed.subject).toContain('数据库');
  });

  it('speaks TLS from the first byte with force_implicit_tls (port 465 does it by default)', async () => {
    const smtp = await start({ tls: 'implicit' });
    expect(settingsOf(`{ to: x@example.com, from: a@example.com, smarthost: 'smtp.example.com:465' }`).implicitTls).toBe(true);
    const settings = settingsOf(`{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}', force_implicit_tls: true, tls_config: { ca_file: ca.pem } }`);
    await client.send(message(), settings);
    expect((await smtp.waitForMails(1))[0].secure).toBe(true);
  });

  it('fails permanently when the relay certificate does not verify, and sends with insecure_skip_verify', async () => {
    const smtp = await start({ tls: 'starttls' });
    const strict = settingsOf(`{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}' }`);
    const failure = await failureOf(client.send(message(), strict));
    expect(failure.kind).toBe('permanent');
    expect(failure.reason).toBe('tls_certificate');
    expect(failure.message).toContain(smtp.smarthost);

    const lax = settingsOf(`{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}', tls_config: { insecure_skip_verify: true } }`);
    await client.send(message(), lax);
    expect((await smtp.waitForMails(1))[0].secure).toBe(true);
  });

  it('fails permanently with a clear reason when require_tls meets a relay without STARTTLS', async () => {
    const smtp = await start({ tls: 'none' });
    const settings = settingsOf(`{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}' }`);
    const failure = await failureOf(client.send(message(), settings));
    expect(failure.kind).toBe('permanent');
    expect(failure.reason).toBe('tls_unavailable');
    expect(failure.message).toMatch(new RegExp(`^TLS is required \\(require_tls\\) but ${smtp.smarthost} refused STARTTLS: 5\\d\\d `));
    expect(smtp.mails).toHaveLength(0);
  });

  it('talks plain to a relay offering STARTTLS when require_tls is false, as Alertmanager does', async () => {
    const smtp = await start({ tls: 'starttls' });
    await client.send(message(), settingsOf(`{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}', require_tls: false }`));
    expect((await smtp.waitForMails(1))[0].secure).toBe(false);
  });

  it.each(['PLAIN', 'LOGIN'] as const)('authenticates with AUTH %s over STARTTLS', async (method) => {
    const smtp = await start({ tls: 'starttls', authMethods: [method], users: { alerts: PASSWORD } });
    const settings = settingsOf(
      `{ to: oncall@example.com, from: alerts@example.com, smarthost: '${smtp.smarthost}', auth_username: alerts, auth_password_file: password, tls_config: { ca_file: ca.pem } }`,
    );
    await client.send(message(), settings);
    const [mail] = await smtp.waitForMails(1);
    expect(mail.user).toBe('alerts');
    expect(smtp.authAttempts).toEqual([{ method, username: 'alerts', ok: true }]);
  });

  it('authenticates with CRAM-MD5 from auth_secret, and PLAIN carrying auth_identity', async () => {
    const cram = await start({ authMethods: ['CRAM-MD5'], users: { alerts: 'cram-shared-secret' } });
    await client.send(message(), settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${cram.smarthost}', require_tls: false, auth_username: alerts, auth_secret: cram-shared-secret }`));
    expect(cram.authAttempts).toEqual([{ method: 'CRAM-MD5', username: 'alerts', ok: true }]);

    const plain = await start({ authMethods: ['PLAIN'], users: { alerts: PASSWORD } });
    await client.send(
      message(),
      settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${plain.smarthost}', require_tls: false, auth_identity: ops-team, auth_username: alerts, auth_password: '${PASSWORD}' }`),
    );
    expect(plain.authAttempts).toEqual([{ method: 'PLAIN', username: 'alerts', identity: 'ops-team', ok: true }]);
  });

  it('takes the login from global.smtp_auth_* when the target sets none', async () => {
    const smtp = await start({ authMethods: ['PLAIN', 'LOGIN'], users: { globaluser: PASSWORD } });
    const settings = settingsOf(
      `{ to: o@example.com }`,
      `smtp_smarthost: '${smtp.smarthost}', smtp_from: a@example.com, smtp_require_tls: false, smtp_auth_username: globaluser, smtp_auth_password: '${PASSWORD}'`,
    );
    await client.send(message(), settings);
    expect((await smtp.waitForMails(1))[0].user).toBe('globaluser');
  });

  it('fails a rejected login (535) permanently with the server reply and no trace of the password', async () => {
    const smtp = await start({ authMethods: ['PLAIN'], users: { alerts: 'the-real-one' } });
    const settings = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false, auth_username: alerts, auth_password: '${PASSWORD}' }`);
    const failure = await failureOf(client.send(message(), settings));
    expect(failure.kind).toBe('permanent');
    expect(failure.reason).toBe('smtp_535');
    expect(failure.message).toBe(`${smtp.smarthost} answered AUTH PLAIN: 535 5.7.8 Authentication credentials invalid`);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const secret of [PASSWORD, b64(PASSWORD), b64(`\u0000alerts\u0000${PASSWORD}`)]) expect(failure.message).not.toContain(secret);
  });

  it('fails a refused mailbox (550) permanently, and a deferred one (451) transiently then sends on the next try', async () => {
    const smtp = await start();
    const settings = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false }`);
    smtp.answerRecipient('gone@example.com', 550);
    const refused = await failureOf(client.send(message({ envelope: { from: 'a@example.com', to: ['gone@example.com'] } }), settings));
    expect(refused.kind).toBe('permanent');
    expect(refused.reason).toBe('smtp_550');
    expect(refused.message).toBe(`${smtp.smarthost} answered RCPT TO for gone@example.com: 550 5.1.1 Requested action not taken: mailbox unavailable`);

    smtp.answerRecipient('busy@example.com', 451);
    const deferred = await failureOf(client.send(message({ envelope: { from: 'a@example.com', to: ['busy@example.com'] } }), settings));
    expect(deferred.kind).toBe('transient');
    expect(deferred.reason).toBe('smtp_451');
    await client.send(message({ envelope: { from: 'a@example.com', to: ['busy@example.com'] } }), settings);
    expect(smtp.mailsTo('busy@example.com')).toHaveLength(1);
  });

  it('delivers to the accepted recipients when only some are refused, and reports the refused ones', async () => {
    const smtp = await start();
    smtp.answerRecipient('gone@example.com', 550);
    const settings = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false }`);
    const result = await client.send(message({ envelope: { from: 'a@example.com', to: ['ok@example.com', 'gone@example.com'] } }), settings);
    expect(result.accepted).toEqual(['ok@example.com']);
    expect(result.rejected).toEqual([{ recipient: 'gone@example.com', reply: '550 5.1.1 Requested action not taken: mailbox unavailable' }]);
    expect((await smtp.waitForMails(1))[0].envelope.to).toEqual(['ok@example.com']);
  });

  it('treats a 421 (the relay closing on us) and an unreachable relay as transient', async () => {
    const smtp = await start();
    smtp.answerRecipient('o@example.com', 421);
    const settings = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false }`);
    const closed = await failureOf(client.send(message({ envelope: { from: 'a@example.com', to: ['o@example.com'] } }), settings));
    expect(closed.kind).toBe('transient');
    expect(closed.reason).toBe('smtp_421');

    const down = await failureOf(client.send(message(), settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '127.0.0.1:1', require_tls: false }`)));
    expect(down.kind).toBe('transient');
    expect(down.reason).toBe('network_econnrefused');
  });

  it('gives up on a relay that never answers after the timeout, as a transient failure', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const quick = new SmtpClient({ timeoutMs: 500 });
    try {
      const started = Date.now();
      const failure = await failureOf(quick.send(message(), settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '127.0.0.1:${port}', require_tls: false }`)));
      expect(failure.kind).toBe('transient');
      expect(failure.reason).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      quick.close();
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reuses one pooled connection per relay and login, and replaces the pool when its password rotates', async () => {
    const smtp = await start({ authMethods: ['PLAIN'], users: { alerts: PASSWORD, other: PASSWORD } });
    const settings = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false, auth_username: alerts, auth_password: '${PASSWORD}' }`);
    for (let i = 0; i < 5; i++) await client.send(message({ messageId: `<m${i}@example.com>` }), settings);
    await smtp.waitForMails(5);
    expect(smtp.connections).toBe(1);
    expect(smtp.authAttempts).toHaveLength(1);

    // A rotated password file replaces the login's pool instead of adding one.
    writeFileSync(join(dir, 'rotating'), 'second-password');
    smtp.setPassword('alerts', 'second-password');
    const rotated = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false, auth_username: alerts, auth_password_file: rotating }`);
    await client.send(message(), rotated);
    expect(client.poolCount).toBe(1);
    expect(smtp.authAttempts.at(-1)).toEqual({ method: 'PLAIN', username: 'alerts', ok: true });

    const otherLogin = settingsOf(`{ to: o@example.com, from: a@example.com, smarthost: '${smtp.smarthost}', require_tls: false, auth_username: other, auth_password: '${PASSWORD}' }`);
    await client.send(message(), otherLogin);
    expect(client.poolCount).toBe(2);
    expect(smtp.connections).toBe(3);
  });
});

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
