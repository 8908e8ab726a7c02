import type { TlsConfig, TlsVersionName } from '@relay/config';
import type { SecureVersion } from 'node:tls';
import { readSecretFile } from './secret-file';

/** A `tls_config` as Node's TLS options, files read. Holds a private key: stays in memory. */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

const TLS_VERSION: Record<TlsVersionName, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/**
 * Reads a `tls_config` at each call, so a rotated certificate applies without a restart (files
 * relative to the config file, as Alertmanager reads them). `at` names the block in errors.
 */
export function readTlsOptions(t: TlsConfig | undefined, baseDir: string, at = 'tls_config'): TlsOptions {
  // Certificates keep their exact bytes.
  const read = (file: string, field: string) => readSecretFile(file, baseDir, `${at}.${field}`, { trim: false });
  return {
    ca: t?.ca || (t?.ca_file ? read(t.ca_file, 'ca_file') : undefined),
    cert: t?.cert || (t?.cert_file ? read(t.cert_file, 'cert_file') : undefined),
    key: t?.key || (t?.key_file ? read(t.key_file, 'key_file') : undefined),
    servername: t?.server_name || undefined,
    rejectUnauthorized: !t?.insecure_skip_verify,
    minVersion: t?.min_version ? TLS_VERSION[t.min_version] : undefined,
    maxVersion: t?.max_version ? TLS_VERSION[t.max_version] : undefined,
  };
}
