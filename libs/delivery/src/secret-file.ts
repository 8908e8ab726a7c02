import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DeliveryFailure } from './delivery-failure';

/**
 * The one way a worker reads a `*_file` secret (Slack's api_url_file and app_token_file, email's
 * auth_password_file and TLS files…): relative paths are relative to the config file, as
 * Alertmanager reads them; the file is read at each send, so a rotated secret applies without a
 * restart; and an unreadable one is retried (a secret volume may be mounted late or be
 * mid-rotation). The error names the field and the path, never any content.
 */
export function readSecretFile(file: string, baseDir: string, field: string, { trim = true } = {}): string {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    const text = readFileSync(path, 'utf8');
    return trim ? text.trim() : text;
  } catch (e) {
    throw DeliveryFailure.transient('secret_file_unreadable', `cannot read ${field} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
