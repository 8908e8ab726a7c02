import type { RelayConfig } from '@relay/config';

/**
 * The secrets config/relay.example.yml falls back to when its variables are unset. They let the
 * relay start for a look around; left in place they are credentials everyone knows.
 */
export const EXAMPLE_PLACEHOLDER_SECRETS: readonly string[] = ['change-me'];

const isPlaceholder = (secret: string) => EXAMPLE_PLACEHOLDER_SECRETS.includes(secret.trim().toLowerCase());

export interface InsecureSetting {
  /** The config path, e.g. `ingest.auth.bearer_token`. */
  setting: string;
  message: string;
}

/**
 * What start-up warns about: a guard that is absent (anyone who reaches ingest may use it) or whose
 * secret is the example's placeholder. The secret itself is never part of a warning; a placeholder
 * is named, since it is published in the example config anyway.
 */
export function insecureSettings(config: Pick<RelayConfig, 'ingest' | 'dashboard'>): InsecureSetting[] {
  const found: InsecureSetting[] = [];
  const placeholder = (setting: string) => ({
    setting,
    message: `${setting} is the example config's placeholder "${EXAMPLE_PLACEHOLDER_SECRETS[0]}": anyone who has read the example knows it; set a secret of your own`,
  });

  const { bearerToken, basicAuth } = config.ingest;
  if (!bearerToken && !basicAuth) {
    found.push({ setting: 'ingest.auth', message: 'ingest.auth is not set: anyone who can reach ingest can post notifications to /webhook and reload the config at /-/reload' });
  }
  if (bearerToken && isPlaceholder(bearerToken)) found.push(placeholder('ingest.auth.bearer_token'));
  if (basicAuth && isPlaceholder(basicAuth.password)) found.push(placeholder('ingest.auth.basic_auth.password'));

  const dashboard = config.dashboard.basic_auth;
  if (!dashboard) {
    found.push({ setting: 'dashboard.basic_auth', message: 'dashboard.basic_auth is not set: Bull Board at /queues is open to anyone who can reach ingest' });
  } else if (isPlaceholder(dashboard.password)) {
    found.push(placeholder('dashboard.basic_auth.password'));
  }
  return found;
}
