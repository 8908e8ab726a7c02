import { createHash } from 'node:crypto';
import { createTransport, Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { EmailMessage } from './email.message';
import { classifySmtpError, redact } from './email.errors';
import { secretsOf, SmtpSettings } from './email.settings';

export interface RejectedRecipient {
  recipient: string;
  /** The server's reply, e.g. `550 5.1.1 no such user`. */
  reply: string;
}

/** What the relay said about a mail it took: whom it will deliver to, and whom it refused. */
export interface SmtpSendResult {
  messageId: string;
  accepted: string[];
  rejected: RejectedRecipient[];
  /** The reply to the end of DATA, e.g. `250 2.0.0 Ok: queued as 4F1A2`. */
  response: string;
}

export interface SmtpClientOptions {
  /** The whole send, connection included, is abandoned after this long (transient). */
  timeoutMs: number;
  /** Connections kept open to one relay with one login: alert bursts reuse them instead of reconnecting. */
  maxConnections?: number;
}

/**
 * Sends mail over pooled SMTP connections: one nodemailer pool per distinct way of reaching a
 * relay (smarthost, TLS, login), shared by every target that uses it. Plain TypeScript: the
 * Nest module closes it on shutdown. Throws DeliveryFailure; a mail some recipients refused
 * while others took it resolves, listing the refused ones.
 */
export class SmtpClient {
  private readonly pools = new Map<string, { version: string; transport: Transporter<SMTPPool.SentMessageInfo> }>();
  private readonly retiring = new Map<Transporter<SMTPPool.SentMessageInfo>, NodeJS.Timeout>();

  constructor(private readonly options: SmtpClientOptions) {}

  async send(message: EmailMessage, settings: SmtpSettings): Promise<SmtpSendResult> {
    const secrets = secretsOf(settings);
    let info: SMTPPool.SentMessageInfo;
    try {
      info = await this.transportFor(settings).sendMail({
        envelope: message.envelope,
        from: message.from,
        to: message.to,
        subject: message.subject,
        headers: message.headers,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        date: message.date,
        // nodemailer 10 cancels the send (and only that send) when the signal fires.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      } as SMTPPool.MailOptions);
    } catch (error) {
      throw classifySmtpError(error, settings.smarthost, secrets);
    }
    const rejectedErrors = (info as { rejectedErrors?: Array<{ recipient?: string; response?: string; message?: string }> }).rejectedErrors ?? [];
    return {
      messageId: info.messageId,
      accepted: (info.accepted ?? []).map(String),
      rejected: rejectedErrors.map((e) => ({
        recipient: e.recipient ?? '',
        reply: redact((e.response ?? e.message ?? '').trim(), secrets),
      })),
      response: redact(String(info.response ?? ''), secrets),
    };
  }

  /** Closes every pooled connection (QUIT), e.g. on shutdown. */
  close(): void {
    for (const pool of this.pools.values()) pool.transport.close();
    this.pools.clear();
    for (const [transport, timer] of this.retiring) {
      clearTimeout(timer);
      transport.close();
    }
    this.retiring.clear();
  }

  /** Sends still running on a replaced pool finish (or time out) before it closes. */
  private retire(transport: Transporter<SMTPPool.SentMessageInfo>): void {
    const timer = setTimeout(() => {
      this.retiring.delete(transport);
      transport.close();
    }, this.options.timeoutMs);
    timer.unref();
    this.retiring.set(transport, timer);
  }

  /** Pools currently open, one per distinct relay/login/TLS combination. */
  get poolCount(): number {
    return this.pools.size;
  }

  private transportFor(settings: SmtpSettings): Transporter<SMTPPool.SentMessageInfo> {
    // One pool per relay and login; hashed so no password sits in a map key. When the secret
    // behind a login changes (a rotated auth_password_file), its old pool is closed, not leaked.
    const login = sha256(JSON.stringify({ ...settings, auth: settings.auth && { ...settings.auth, password: undefined, secret: undefined } }));
    const version = sha256(JSON.stringify(settings));
    const current = this.pools.get(login);
    if (current?.version === version) return current.transport;
    if (current) this.retire(current.transport);
    const transport = createTransport(transportOptions(settings, this.options));
    this.pools.set(login, { version, transport });
    return transport;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** nodemailer's pool options for the settings. */
function transportOptions(settings: SmtpSettings, options: SmtpClientOptions): SMTPPool.Options {
  const { auth } = settings;
  const transport: SMTPPool.Options = {
    pool: true,
    maxConnections: options.maxConnections ?? 3,
    host: settings.host,
    port: settings.port,
    name: settings.hello,
    secure: settings.implicitTls,
    // Alertmanager does STARTTLS only when require_tls is set, and fails when the relay lacks it;
    // with require_tls off it talks plain even to a relay offering STARTTLS (often one with an
    // internal certificate), and so does the relay, so a pasted config behaves the same.
    requireTLS: !settings.implicitTls && settings.requireTls,
    ignoreTLS: !settings.implicitTls && !settings.requireTls,
    servername: settings.tls.servername,
    tls: {
      ca: settings.tls.ca,
      cert: settings.tls.cert,
      key: settings.tls.key,
      servername: settings.tls.servername,
      rejectUnauthorized: settings.tls.rejectUnauthorized,
      minVersion: settings.tls.minVersion,
      maxVersion: settings.tls.maxVersion,
    },
    connectionTimeout: Math.min(10_000, options.timeoutMs),
    greetingTimeout: Math.min(10_000, options.timeoutMs),
    socketTimeout: options.timeoutMs,
    // Never log the SMTP exchange: it carries the AUTH lines.
    logger: false,
    debug: false,
  };
  if (auth?.password) {
    transport.auth = { user: auth.username, pass: auth.password };
    if (auth.identity) {
      // nodemailer's own PLAIN leaves the authorization identity out; Alertmanager sends auth_identity there.
      // Registered for PLAIN only, so a relay offering just LOGIN still gets nodemailer's LOGIN.
      const identity = auth.identity;
      transport.customAuth = {
        PLAIN: async (ctx) => {
          const token = Buffer.from(`${identity}\u0000${auth.username}\u0000${auth.password}`, 'utf8').toString('base64');
          const answer = await ctx.sendCommand(`AUTH PLAIN ${token}`);
          if (answer.status !== 235) throw new Error('Invalid login');
          return true;
        },
      };
    }
  } else if (auth?.secret) {
    transport.auth = { user: auth.username, pass: auth.secret, method: 'CRAM-MD5' } as SMTPPool.Options['auth'];
  }
  return transport;
}
