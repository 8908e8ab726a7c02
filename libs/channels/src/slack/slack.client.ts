import { SlackConfig, SlackGlobals, slackRouteOf, SlackSecret } from './slack.config';
import { DeliveryFailure, jsonAnswer, PlatformHttp, readSecretFile } from '@relay/delivery';
import { classifySlackApiError, classifySlackHttp } from './slack.errors';
import type { SlackMessage } from './slack.message';

/** Where one target posts, and with what credentials. Lives only in memory: never logged or stored. */
export interface SlackDestination {
  url: string;
  /** `Bearer xoxb-…` for an app token (or Alertmanager's http_config authorization). */
  authorization?: string;
}

interface HttpConfigAuth {
  authorization?: { type?: string; credentials?: string; credentials_file?: string };
  bearer_token?: string;
  bearer_token_file?: string;
}

/**
 * The target's URL and credentials (slackRouteOf), secret files read at each send (relative to
 * the config file) so a rotated secret applies without a restart. Users who put a bot token in
 * `http_config.authorization` (the way before app_token existed) keep working too.
 */
export async function resolveSlackDestination(config: SlackConfig, global: SlackGlobals, baseDir: string): Promise<SlackDestination> {
  const readSecret = (file: string, field: string) => readSecretFile(file, baseDir, field);
  const reveal = (s: SlackSecret) => ('value' in s ? s.value : readSecret(s.file, s.field));
  const route = slackRouteOf(config, global);
  if (!route) throw DeliveryFailure.permanent('no_api_url', 'no api_url, app_token, global.slack_api_url or global.slack_app_token is configured for this target');
  if (route.kind === 'app') return { url: route.url, authorization: `Bearer ${reveal(route.token)}` };

  const url = reveal(route.url);
  if (!isHttpUrl(url)) throw DeliveryFailure.permanent('invalid_api_url', 'the Slack URL read from the secret file is not an http(s) URL');
  return { url, authorization: httpConfigAuthorization(config.http_config as HttpConfigAuth | undefined, readSecret) };
}

function httpConfigAuthorization(http: HttpConfigAuth | undefined, readSecret: (file: string, field: string) => string): string | undefined {
  if (!http || typeof http !== 'object') return undefined;
  const auth = http.authorization;
  if (auth && typeof auth === 'object') {
    const credentials = auth.credentials ?? (auth.credentials_file ? readSecret(auth.credentials_file, 'http_config.authorization.credentials_file') : undefined);
    if (credentials) return `${auth.type || 'Bearer'} ${credentials}`;
  }
  const bearer = http.bearer_token ?? (http.bearer_token_file ? readSecret(http.bearer_token_file, 'http_config.bearer_token_file') : undefined);
  return bearer ? `Bearer ${bearer}` : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface SlackSendOptions {
  /** How long the target is left alone after a 429 that names no Retry-After. */
  penaltyMs: number;
  /** Overrides the client's timeout (the target's `timeout:`). */
  timeoutMs?: number;
}

/** What Slack said about a delivered message, kept in the job's result. */
export type SlackReceipt = {
  channel?: string;
  ts?: string;
};

/**
 * Posts one message; resolves when Slack accepted it, throws DeliveryFailure otherwise. Success
 * is the plain-text body `ok` from an incoming webhook, or `{ok: true}` from the Web API: the
 * Content-Type says which one answered, as Alertmanager decides it.
 */
export class SlackClient {
  private readonly http: PlatformHttp;

  constructor(timeoutMs: number, connections?: number) {
    this.http = new PlatformHttp('Slack', { timeoutMs, connections });
  }

  async send(message: SlackMessage, destination: SlackDestination, options: SlackSendOptions): Promise<SlackReceipt> {
    const headers: Record<string, string> = destination.authorization ? { authorization: destination.authorization } : {};
    const answer = await this.http.postJson(destination.url, message, headers, options.timeoutMs);
    const retryAfter = answer.header('retry-after') ?? null;
    if (answer.status < 200 || answer.status >= 300) throw classifySlackHttp(answer.status, answer.text, retryAfter, options.penaltyMs);

    if ((answer.header('content-type') ?? '').startsWith('application/json')) {
      const body = jsonAnswer<{ ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown }>('Slack', answer);
      if (body.ok !== true) throw classifySlackApiError(String(body.error ?? 'unknown_error'), retryAfter, options.penaltyMs);
      return { channel: typeof body.channel === 'string' ? body.channel : undefined, ts: typeof body.ts === 'string' ? body.ts : undefined };
    }
    if (answer.text.trim() !== 'ok') {
      // Alertmanager does not retry this either: a 2xx that is not Slack's "ok" will not turn into one.
      throw DeliveryFailure.permanent('unexpected_response', `Slack answered ${answer.status} without "ok": ${answer.text.slice(0, 100)}`);
    }
    return {};
  }
}
