import type { AddressInfo } from 'node:net';
// mailparser could not be installed in this environment; postal-mime parses the same MIME.
import PostalMime from 'postal-mime';
import { generate } from 'selfsigned';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';

export type FakeSmtpTls = 'none' | 'starttls' | 'implicit';
export type FakeSmtpAuthMethod = 'PLAIN' | 'LOGIN' | 'CRAM-MD5';

export interface TestCertificate {
  key: string;
  cert: string;
}

let certificate: Promise<TestCertificate> | undefined;

/** A self-signed certificate for localhost / 127.0.0.1, made once per test file (RSA generation is slow). */
export function testCertificate(): Promise<TestCertificate> {
  certificate ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

export interface FakeSmtpOptions {
  /** none: no STARTTLS offered; starttls: offered on a plain connection; implicit: TLS from the first byte (port 465 style). */
  tls?: FakeSmtpTls;
  /** Mechanisms offered; absent = the server offers no AUTH and takes mail from anyone. */
  authMethods?: FakeSmtpAuthMethod[];
  /** username → password (or the CRAM-MD5 shared secret). */
  users?: Record<string, string>;
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: PostalMime.Email;
  /** The authenticated user, if any. */
  user?: string;
  /** The session was encrypted (implicit TLS or after STARTTLS). */
  secure: boolean;
  /** The greeting name the client gave (EHLO/HELO). */
  hello: string;
  at: number;
}

export interface AuthAttempt {
  method: string;
  username: string;
  /** PLAIN's authorization identity, when the client sent one. */
  identity?: string;
  ok: boolean;
}

interface Reply {
  code: number;
  text: string;
}

// smtp-server adds the enhanced status code (5.1.1 …) itself.
const DEFAULT_TEXT: Record<number, string> = {
  421: 'Service not available, closing transmission channel',
  450: 'Mailbox unavailable, try again later',
  451: 'Requested action aborted: local error in processing',
  452: 'Insufficient system storage',
  535: 'Authentication credentials invalid',
  550: 'Requested action not taken: mailbox unavailable',
  552: 'Message size exceeds fixed limit',
  554: 'Transaction failed',
};

/**
 * A real SMTP server (smtp-server) on a free loopback port that behaves like a mail relay
 * (docs/channel-apis.md): plain, STARTTLS or implicit TLS with a certificate made by the test,
 * AUTH PLAIN/LOGIN/CRAM-MD5, and scripted per-recipient replies (250 unless told otherwise:
 * 4xx defer, 5xx refuse, 421 closes the connection). Every delivered mail is parsed.
 */
export class FakeSmtp {
  readonly mails: ReceivedMail[] = [];
  /** Every RCPT TO the server saw, accepted or not, in order. */
  readonly recipientAttempts: string[] = [];
  readonly authAttempts: AuthAttempt[] = [];
  /** TCP connections accepted, to see pooling at work. */
  connections = 0;
  readonly certificate?: TestCertificate;
  private readonly recipientReplies = new Map<string, Reply[]>();
  private readonly dataReplies: Reply[] = [];
  private server!: SMTPServer;
  private port = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly options: FakeSmtpOptions,
    certificate?: TestCertificate,
  ) {
    this.certificate = certificate;
  }

  static async start(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
    const tls = options.tls ?? 'none';
    const fake = new FakeSmtp(options, tls === 'none' ? undefined : await testCertificate());
    await fake.listen();
    return fake;
  }

  get host(): string {
    return '127.0.0.1';
  }

  /** `host:port`, as `smarthost` takes it. */
  get smarthost(): string {
    return `${this.host}:${this.port}`;
  }

  /** The next replies to RCPT TO for this address, in order; 250 once they are used up. */
  answerRecipient(address: string, ...replies: Array<number | Reply>): this {
    const queue = this.recipientReplies.get(address.toLowerCase()) ?? [];
    queue.push(...replies.map(toReply));
    this.recipientReplies.set(address.toLowerCase(), queue);
    return this;
  }

  /** The next replies to the end of DATA, whoever the mail is for. */
  answerData(...replies: Array<number | Reply>): this {
    this.dataReplies.push(...replies.map(toReply));
    return this;
  }

  /** Changes (or adds) a user's password, as an administrator rotating it would. */
  setPassword(username: string, password: string): this {
    this.options.users = { ...this.options.users, [username]: password };
    return this;
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.envelope.to.includes(address.toLowerCase()));
  }

  /** Resolves once `count` mails have arrived (or rejects after `timeoutMs`). */
  async waitForMails(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.mails.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} mails, the fake SMTP server received ${this.mails.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.mails.slice(0, count);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const tls = this.options.tls ?? 'none';
    const methods = this.options.authMethods;
    const serverOptions: SMTPServerOptions = {
      secure: tls === 'implicit',
      key: this.certificate?.key,
      cert: this.certificate?.cert,
      disabledCommands: [...(tls === 'none' ? ['STARTTLS'] : []), ...(methods?.length ? [] : ['AUTH'])],
      authMethods: methods,
      authOptional: !methods?.length,
      // AUTH over a plain connection is the client's choice to make, as with real relays on port 25/587.
      allowInsecureAuth: true,
      banner: 'fake SMTP relay',
      // Real relays (Postfix, Exchange) put the enhanced status code in every reply: 550 5.1.1 …
      hideENHANCEDSTATUSCODES: false,
      logger: false,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onAuth: (auth, _session, callback) => {
        const expected = this.options.users?.[auth.username ?? ''];
        const ok =
          expected !== undefined && (auth.method === 'CRAM-MD5' ? auth.validatePassword(expected) : auth.password === expected);
        const identity = (auth as { authzid?: string }).authzid || undefined;
        this.authAttempts.push({ method: auth.method, username: auth.username ?? '', ...(identity ? { identity } : {}), ok });
        if (!ok) return callback(replyError({ code: 535, text: DEFAULT_TEXT[535] }));
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        const to = address.address.toLowerCase();
        this.recipientAttempts.push(to);
        const reply = this.recipientReplies.get(to)?.shift();
        if (reply && reply.code >= 300) return callback(replyError(reply));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const reply = this.dataReplies.shift();
          if (reply && reply.code >= 300) return callback(replyError(reply));
          const raw = Buffer.concat(chunks).toString('utf8');
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          };
          PostalMime.parse(raw).then(
            (parsed) => {
              this.mails.push({
                envelope,
                raw,
                parsed,
                user: session.user as string | undefined,
                secure: session.secure,
                hello: session.hostNameAppearsAs,
                at: Date.now(),
              });
              this.waiters.splice(0).forEach((wake) => wake());
              callback(null, 'OK: queued');
            },
            (error: Error) => callback(error),
          );
        });
      },
    };
    this.server = new SMTPServer(serverOptions);
    this.server.on('error', () => undefined); // clients dropping mid-session are part of the tests
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = ((this.server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;
  }
}

function toReply(reply: number | Reply): Reply {
  return typeof reply === 'number' ? { code: reply, text: DEFAULT_TEXT[reply] ?? (reply < 300 ? 'OK' : 'Error') } : reply;
}

function replyError(reply: Reply): Error {
  const error = new Error(reply.text) as Error & { responseCode: number };
  error.responseCode = reply.code;
  return error;
}
