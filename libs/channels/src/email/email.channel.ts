import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { ChannelDefinition, DeliveryFailure } from '@relay/delivery/platform';
import { EmailConfig, emailTargetIssue, emailWarnings } from './email.config';
import { buildEmailDigest, buildEmailMessage, EmailMessage } from './email.message';
import { resolveSmtpSettings, secretsOf, SmtpSettings } from './email.settings';

export const EMAIL_CHANNEL: ChannelDefinition<EmailConfig, EmailMessage> = {
  // SMTP has no published per-sender limit, but hosted relays do (Exchange Online: 30 messages a
  // minute per mailbox) and flag senders that burst past them; an alert storm stays under that.
  config: { configClass: EmailConfig, sendResolvedDefault: false, rateLimitDefault: { max: 30, per: '1m', penalty: '1m' }, checkTarget: emailTargetIssue, warnTarget: emailWarnings },
  // SMTP sessions are pooled per server (SmtpClient, below); a slow server gets a longer timeout.
  queue: { concurrency: 8, requestTimeoutMs: 30_000 },
  build(notification, target, { templates, note, key, relay }) {
    const { from } = resolveSmtpSettings(target.config, relay.global, relay.baseDir);
    return buildEmailMessage(notification, target.config, from, templates, `${key}/${target.name}`, undefined, note);
  },
  buildDigest(notifications, target, { templates, note, key, relay }) {
    const { from } = resolveSmtpSettings(target.config, relay.global, relay.baseDir);
    return buildEmailDigest(notifications, target.config, from, templates, `${key}/${target.name}`, undefined, note);
  },
  /** The subject and both parts back to the defaults; addresses and other headers stay. */
  withDefaultTemplates(config) {
    const d = new EmailConfig();
    const headers = Object.fromEntries(Object.entries(config.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'subject'));
    return { ...config, html: d.html, text: d.text, headers };
  },
  createSender({ requestTimeoutMs }) {
    const client = new SmtpClient({ timeoutMs: requestTimeoutMs });
    return {
      async post(message, target, { relay, reportRefusedRecipients }) {
        const settings = resolveSmtpSettings(target.config, relay.global, relay.baseDir);
        const result = await client.send(message, settings);
        reportRefusedRecipients(
          result.rejected.map((r) => r.recipient),
          `${settings.smarthost} refused ${result.rejected.length} of ${result.rejected.length + result.accepted.length} recipients: ${result.rejected.map((r) => `${r.recipient} (${r.reply})`).join(', ')}`,
        );
        return { messageId: result.messageId, accepted: result.accepted, rejected: result.rejected, response: result.response };
      },
      close: () => client.close(),
    };
  },
};

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
    // nodemailer is loaded with the first pool, not with the definition: check-config sends nothing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createTransport }: typeof import('nodemailer') = require('nodemailer');
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

/** What nodemailer puts on its errors (docs/channel-apis.md, Email). */
export interface SmtpError {
  name?: string;
  message?: string;
  /** EAUTH, EENVELOPE, EMESSAGE, ECONNECTION, ESOCKET, ETIMEDOUT, ETLS, EDNS, EABORT … */
  code?: string;
  /** The system error behind it: ECONNREFUSED, CERT_HAS_EXPIRED … */
  originalCode?: string;
  /** The server's reply line, e.g. `550 5.1.1 <x@example.com>: no such user`. */
  response?: string;
  responseCode?: number;
  command?: string;
  /** EENVELOPE when every recipient was refused: who they were. */
  rejected?: string[];
}

/** Node's certificate verification failures: the relay's certificate will not verify on the next try either. */
const CERTIFICATE_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/**
 * Classifies a failed send. The server's reply decides when there is one: 4xx is "try again
 * later" (including 421, the server closing on us), 5xx is final (550 bad mailbox, 535 bad
 * credentials). Without a reply, network trouble and timeouts are transient; a relay that will
 * not do the TLS the target requires, or whose certificate does not verify, is permanent.
 * Messages are scrubbed of every form of the target's secrets.
 */
export function classifySmtpError(error: unknown, smarthost: string, secrets: string[]): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const e = (error ?? {}) as SmtpError;
  const reply = e.response ? redact(e.response.trim(), secrets) : undefined;
  const code = e.responseCode;
  const say = (text: string) => redact(text, secrets);

  if (e.code === 'EABORT' || e.name === 'AbortError' || e.name === 'TimeoutError') {
    return DeliveryFailure.unanswered('timeout', `${smarthost} did not finish the send in time`);
  }
  if (e.code === 'ETLS' && code) {
    return DeliveryFailure.permanent('tls_unavailable', `TLS is required (require_tls) but ${smarthost} refused STARTTLS: ${reply}`);
  }
  const systemCode = e.originalCode ?? '';
  if (CERTIFICATE_CODES.test(systemCode)) {
    return DeliveryFailure.permanent('tls_certificate', `the TLS certificate of ${smarthost} did not verify (${systemCode}): ${say(e.message ?? '')}`);
  }
  if (/^ERR_SSL_/.test(systemCode) || /wrong version number/i.test(e.message ?? '')) {
    return DeliveryFailure.permanent('tls_failed', `TLS with ${smarthost} failed (is it implicit TLS or STARTTLS on this port?): ${say(e.message ?? '')}`);
  }

  if (code) {
    const what = describeCommand(e.command);
    const whom = e.rejected?.length ? ` for ${e.rejected.join(', ')}` : '';
    const message = `${smarthost} answered ${what}${whom}: ${reply}`;
    if (code >= 400 && code < 500) return DeliveryFailure.transient(`smtp_${code}`, message);
    if (code >= 500) return DeliveryFailure.permanent(`smtp_${code}`, message);
  }

  switch (e.code) {
    case 'EAUTH':
      // No reply: nodemailer refused before asking (missing credentials, no common mechanism).
      return DeliveryFailure.permanent('auth_config', `cannot authenticate to ${smarthost}: ${say(e.message ?? '')}`);
    case 'EENVELOPE':
      return DeliveryFailure.permanent('invalid_address', say(e.message ?? 'invalid envelope'));
    case 'EMESSAGE':
      return DeliveryFailure.permanent('message_rejected', say(e.message ?? 'message refused'));
    case 'ETIMEDOUT':
      return DeliveryFailure.unanswered('timeout', `${smarthost} timed out: ${say(e.message ?? '')}`);
    case 'ETLS':
      return DeliveryFailure.transient('tls_handshake', `TLS with ${smarthost} broke off: ${say(e.message ?? '')}`);
  }
  const network = (systemCode || e.code || '').toLowerCase();
  if (network) return DeliveryFailure.unanswered(`network_${network}`, `cannot reach ${smarthost}: ${say(e.message ?? network)}`);
  return DeliveryFailure.transient('error', say(e.message ?? String(error)));
}

function describeCommand(command: string | undefined): string {
  if (!command) return 'with an error';
  if (command.startsWith('AUTH')) return `${command.split(' ').slice(0, 2).join(' ')}`;
  if (command === 'CONN') return 'and closed the connection';
  return command;
}

/** Replaces each secret (longest first, so a secret inside another's encoding goes too) with `***`. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
  }
  return out;
}
