import type { EmailConfig } from './email.config';
import type { GlobalConfig } from '@relay/config';
import { parseSmarthost } from './email.config';
import { DeliveryFailure, readSecretFile, readTlsOptions, TlsOptions } from '@relay/delivery/platform';

export interface SmtpAuth {
  username: string;
  /** PLAIN / LOGIN. */
  password?: string;
  /** CRAM-MD5's shared secret, used when there is no password. */
  secret?: string;
  /** PLAIN's authorization identity. */
  identity?: string;
}

export type SmtpTls = TlsOptions;

/** How to reach one target's relay, with Alertmanager's global fallbacks applied. Holds secrets: stays in memory. */
export interface SmtpSettings {
  /** `host:port` as configured, for messages. */
  smarthost: string;
  host: string;
  port: number;
  /** TLS from the first byte: port 465 unless `force_implicit_tls` says otherwise. */
  implicitTls: boolean;
  /** STARTTLS must succeed before anything else is said (Alertmanager's `require_tls`). */
  requireTls: boolean;
  hello: string;
  auth?: SmtpAuth;
  tls: SmtpTls;
  /** The `from` template (target's or global). */
  from: string;
}

/**
 * Resolves a target's SMTP settings as Alertmanager does: every connection field unset on the
 * target comes from `global.smtp_*` (`tls_config` from `smtp_tls_config`); `hello` defaults to
 * `localhost`, `require_tls` to true. Files (`auth_*_file`, `tls_config.*_file`) are read on each call, so rotated secrets
 * and certificates are picked up without a restart; relative paths are relative to the config file.
 */
export function resolveSmtpSettings(config: EmailConfig, global: GlobalConfig, baseDir: string): SmtpSettings {
  const smarthost = config.smarthost || global.smtp_smarthost;
  if (!smarthost) throw configFailure('no smarthost: set smarthost on the target or global.smtp_smarthost');
  const address = parseSmarthost(smarthost);
  if (!address) throw configFailure(`smarthost "${smarthost}" must be host:port`);
  const from = config.from || global.smtp_from;
  if (!from) throw configFailure('no sender: set from on the target or global.smtp_from');

  // Passwords lose a trailing newline (read(…).trim() below).
  const read = (file: string, what: string): string => readSecretFile(file, baseDir, what, { trim: false });
  const username = config.auth_username || global.smtp_auth_username;
  let auth: SmtpAuth | undefined;
  // Without a username Alertmanager sends unauthenticated, whatever else is set.
  if (username) {
    // A target that sets either its password or its password file uses neither of the global ones; the same for the secret.
    const ownPassword = !!(config.auth_password || config.auth_password_file);
    const password = ownPassword
      ? config.auth_password || read(config.auth_password_file!, 'auth_password_file').trim()
      : global.smtp_auth_password || (global.smtp_auth_password_file ? read(global.smtp_auth_password_file, 'global.smtp_auth_password_file').trim() : undefined);
    const ownSecret = !!(config.auth_secret || config.auth_secret_file);
    const secret = ownSecret
      ? config.auth_secret || read(config.auth_secret_file!, 'auth_secret_file').trim()
      : global.smtp_auth_secret || (global.smtp_auth_secret_file ? read(global.smtp_auth_secret_file, 'global.smtp_auth_secret_file').trim() : undefined);
    auth = {
      username,
      password: password || undefined,
      secret: secret || undefined,
      identity: config.auth_identity || global.smtp_auth_identity || undefined,
    };
  }

  const tls = config.tls_config ? readTlsOptions(config.tls_config, baseDir) : readTlsOptions(global.smtp_tls_config, baseDir, 'global.smtp_tls_config');

  return {
    smarthost,
    host: address.host,
    port: address.port,
    implicitTls: config.force_implicit_tls ?? global.smtp_force_implicit_tls ?? address.port === 465,
    requireTls: config.require_tls ?? global.smtp_require_tls ?? true,
    hello: config.hello || global.smtp_hello || 'localhost',
    auth,
    tls,
    from,
  };
}

function configFailure(message: string): DeliveryFailure {
  return DeliveryFailure.permanent('config', message);
}

/** Every secret these settings hold, in the forms an SMTP exchange could echo them: to scrub from messages. */
export function secretsOf(settings: SmtpSettings): string[] {
  const auth = settings.auth;
  if (!auth) return [];
  const raw = [auth.password, auth.secret].filter((s): s is string => !!s);
  const forms = raw.flatMap((s) => [s, b64(s)]);
  if (auth.password) {
    forms.push(b64(`\u0000${auth.username}\u0000${auth.password}`), b64(`${auth.identity ?? ''}\u0000${auth.username}\u0000${auth.password}`));
  }
  return forms;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
