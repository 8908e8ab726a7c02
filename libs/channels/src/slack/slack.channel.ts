import { parseDuration, RelayConfig, ResolvedTarget } from '@relay/config';
import { ChannelDefinition, CHAT_QUEUE_SETTINGS, DeliveryFailure, jsonAnswer, PlatformHttp, readSecretFile, retryAfterToTime, secretAddressScope, statusFailure } from '@relay/delivery/platform';
import { SlackConfig, slackDestinationIssue, SlackGlobals, slackRouteOf, SlackSecret, slackWarnings } from './slack.config';
import { buildSlackDigest, buildSlackMessage, SlackMessage } from './slack.message';
import { SlackSendGate } from './slack.send-gate';

/**
 * Slack limits a webhook, or an app's posts to one channel, whichever targets share it: they
 * share one window, one Retry-After pause and one request in flight. Read from the config as
 * written (a secret file by its path), since the secret itself is only read at send time.
 */
function slackScope(target: ResolvedTarget<SlackConfig>, relay: RelayConfig): string {
  const route = slackRouteOf(target.config, relay.global);
  const written = (s: SlackSecret) => ('value' in s ? s.value : `file:${s.file}`);
  const postsTo = !route ? 'nowhere' : route.kind === 'app' ? `app ${route.url} ${written(route.token)} ${target.config.channel ?? ''}` : `webhook ${written(route.url)}`;
  return secretAddressScope('slack', postsTo);
}

export const SLACK_CHANNEL: ChannelDefinition<SlackConfig, SlackMessage> = {
  // Slack allows about one message per second per webhook (and per channel for chat.postMessage)
  // with short bursts: 3 in any 3 s is that average with a burst of 3. Slack always names a
  // Retry-After with its 429, which wins; the 30 s penalty covers a 429 that does not.
  config: { configClass: SlackConfig, sendResolvedDefault: false, rateLimitDefault: { max: 3, per: '3s', penalty: '30s' }, checkTarget: slackDestinationIssue, warnTarget: slackWarnings },
  queue: CHAT_QUEUE_SETTINGS,
  rateScope: slackScope,
  build: (notification, target, { templates, note }) => buildSlackMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildSlackDigest(notifications, target.config, templates, note),
  /** Title, text and the texts around them back to the defaults; channel, username and fields stay. */
  withDefaultTemplates(config) {
    const d = new SlackConfig();
    return { ...config, title: d.title, title_link: d.title_link, pretext: d.pretext, text: d.text, fallback: d.fallback, footer: d.footer, color: d.color, fields: [], actions: [], message_text: d.message_text };
  },
  createSender({ redis, prefix, requestTimeoutMs, connections }) {
    const client = new SlackClient(requestTimeoutMs, connections);
    const gate = new SlackSendGate(redis, prefix);
    return {
      async post(message, target, { relay }) {
        const destination = await resolveSlackDestination(target.config, relay.global, relay.baseDir);
        const timeoutMs = (target.config.timeout && parseDuration(target.config.timeout)) || requestTimeoutMs;
        // The slot outlives the request by a margin, so a crashed holder blocks the target only briefly.
        return gate.exclusive(slackScope(target, relay), timeoutMs + 5_000, () => client.send(message, destination, { penaltyMs: target.rateLimit.penaltyMs, timeoutMs }));
      },
      close: () => client.close(),
    };
  },
};

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

  close(): Promise<void> {
    return this.http.close();
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

/**
 * Errors that will come back the same on every try: the payload, the webhook, the token or the
 * channel is wrong, or the channel is archived. Incoming webhooks say them as plain text with a
 * 4xx status; chat.postMessage as `200 {ok:false, error}`.
 */
const PERMANENT = new Set([
  // incoming webhook
  'invalid_payload',
  'no_text',
  'action_prohibited',
  'invalid_token',
  'channel_not_found',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'channel_is_archived',
  'posting_to_general_channel_denied',
  'too_many_attachments',
  // chat.postMessage
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'msg_too_long',
  'msg_blocks_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
  'ekm_access_denied',
  'team_access_not_granted',
  'as_user_not_supported',
]);

/** Slack's own "try again later" answers, beside HTTP 5xx. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'rollup_error', 'team_added_to_org']);

/** Slack's error strings become the metrics `reason`; anything else is squeezed to a safe, short label. */
function reasonOf(error: string, fallback: string): string {
  return /^[a-z][a-z0-9_]{0,63}$/.test(error) ? error : fallback;
}

/** A 429 from either endpoint: no request to the target until Retry-After has passed. */
function throttled(retryAfter: string | null, penaltyMs: number, now: number): DeliveryFailure {
  const retryAt = retryAfterToTime(retryAfter, now) ?? now + penaltyMs;
  const wait = retryAfter ? `Retry-After ${retryAfter}s` : 'no Retry-After';
  return DeliveryFailure.rateLimited('ratelimited', `Slack answered 429 (${wait})`, retryAt);
}

/**
 * Classifies a non-2xx answer with the shared status policy (platform-http.ts), naming the error
 * the body gives: an incoming webhook's is the error name in plain text (`channel_is_archived`);
 * chat.postMessage may answer 429 with `{ok:false, error:"ratelimited"}`. Slack's own "try again
 * later" errors are retried whatever their status.
 */
export function classifySlackHttp(status: number, body: string, retryAfter: string | null, penaltyMs: number, now = Date.now()): DeliveryFailure {
  if (status === 429) return throttled(retryAfter, penaltyMs, now);
  const error = errorName(body);
  const reason = error ? reasonOf(error, `http_${status}`) : `http_${status}`;
  if (status < 500 && error && TRANSIENT.has(error)) return DeliveryFailure.transient(reason, `Slack answered HTTP ${status}: ${error}`);
  const answer = { status, text: body, header: (name: string) => (name === 'retry-after' ? (retryAfter ?? undefined) : undefined) };
  return statusFailure('Slack', answer, penaltyMs, { reason, detail: error }, now) ?? DeliveryFailure.transient(reason, `Slack answered HTTP ${status}`);
}

/**
 * Classifies a Web API `ok:false`. Errors Slack documents as the caller's fault are permanent;
 * its own trouble and errors it may add later are retried, since dropping an alert is worse
 * than a few extra tries.
 */
export function classifySlackApiError(error: string, retryAfter: string | null, penaltyMs: number, now = Date.now()): DeliveryFailure {
  if (error === 'ratelimited' || error === 'rate_limited') return throttled(retryAfter, penaltyMs, now);
  const reason = reasonOf(error, 'api_error');
  const message = `Slack API error: ${error}`;
  if (PERMANENT.has(error)) return DeliveryFailure.permanent(reason, message);
  return DeliveryFailure.transient(reason, message);
}

/** The error name in a plain-text or JSON error body; never echoes anything long or multi-line. */
function errorName(body: string): string | undefined {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      return typeof parsed.error === 'string' ? parsed.error.slice(0, 100) : undefined;
    } catch {
      return undefined;
    }
  }
  return /^[a-z][a-z0-9_]{0,99}$/.test(text) ? text : undefined;
}
