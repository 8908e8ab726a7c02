import type { EmailConfig, TlsVersionName } from './email.config';
import type { GlobalConfig } from '@relay/config';
import { parseSmarthost } from './email.config';
import { DeliveryFailure, readSecretFile } from '@relay/delivery';
import type { SecureVersion } from 'node:tls';

export interface SmtpAuth {
  username: string;
  /** PLAIN / LOGIN. */
  password?: string;
  /** CRAM-MD5's shared secret, used when there is no password. */
  secret?: string;
  /** PLAIN's authorization identity. */
  identity?: string;
}

export interface SmtpTls {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

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

const TLS_VERSION: Record<TlsVersionName, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/**
 * Resolves a target's SMTP settings as Alertmanager does: every connection field unset on the
 * target comes from `global.smtp_*`; `hello` defaults to `localhost`, `require_tls` to true.
 * Files (`auth_password_file`, `tls_config.*_file`) are read on each call, so rotated secrets
 * and certificates are picked up without a restart; relative paths are relative to the config file.
 */
export function resolveSmtpSettings(config: EmailConfig, global: GlobalConfig, baseDir: string): SmtpSettings {
  const smarthost = config.smarthost || global.smtp_smarthost;
  if (!smarthost) throw configFailure('no smarthost: set smarthost on the target or global.smtp_smarthost');
  const address = parseSmarthost(smarthost);
  if (!address) throw configFailure(`smarthost "${smarthost}" must be host:port`);
  const from = config.from || global.smtp_from;
  if (!from) throw configFailure('no sender: set from on the target or global.smtp_from');

  // Certificates keep their exact bytes; passwords lose a trailing newline (read(…).trim() below).
  const read = (file: string, what: string): string => readSecretFile(file, baseDir, what, { trim: false });
  const username = config.auth_username || global.smtp_auth_username;
  let auth: SmtpAuth | undefined;
  // Without a username Alertmanager sends unauthenticated, whatever else is set.
  if (username) {
    // A target that sets either its password or its password file uses neither of the global ones.
    const ownPassword = !!(config.auth_password || config.auth_password_file);
    const globalPasswordFile = (global as { smtp_auth_password_file?: unknown }).smtp_auth_password_file;
    const password = ownPassword
      ? config.auth_password || read(config.auth_password_file!, 'auth_password_file').trim()
      : global.smtp_auth_password || (typeof globalPasswordFile === 'string' && globalPasswordFile ? read(globalPasswordFile, 'global.smtp_auth_password_file').trim() : undefined);
    const secret = config.auth_secret || (config.auth_secret_file ? read(config.auth_secret_file, 'auth_secret_file').trim() : global.smtp_auth_secret);
    auth = {
      username,
      password: password || undefined,
      secret: secret || undefined,
      identity: config.auth_identity || global.smtp_auth_identity || undefined,
    };
  }

  const t = config.tls_config;
  const tls: SmtpTls = {
    ca: t?.ca || (t?.ca_file ? read(t.ca_file, 'tls_config.ca_file') : undefined),
    cert: t?.cert || (t?.cert_file ? read(t.cert_file, 'tls_config.cert_file') : undefined),
    key: t?.key || (t?.key_file ? read(t.key_file, 'tls_config.key_file') : undefined),
    servername: t?.server_name || undefined,
    rejectUnauthorized: !t?.insecure_skip_verify,
    minVersion: t?.min_version ? TLS_VERSION[t.min_version] : undefined,
    maxVersion: t?.max_version ? TLS_VERSION[t.max_version] : undefined,
  };

  return {
    smarthost,
    host: address.host,
    port: address.port,
    implicitTls: config.force_implicit_tls ?? address.port === 465,
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
