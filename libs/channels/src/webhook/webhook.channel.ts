import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isHttpUrl, parseDuration } from '@relay/config';
import { ChannelDefinition, CHAT_QUEUE_SETTINGS, DeliveryFailure, PlatformHttp, readSecretFile, readTlsOptions, secretAddressScope, statusFailure, TlsOptions } from '@relay/delivery/platform';
import { WebhookConfig, type WebhookHttpConfig, webhookTargetIssue, webhookWarnings } from './webhook.config';
import { buildWebhookMessage, WebhookMessage } from './webhook.message';

export const WEBHOOK_CHANNEL: ChannelDefinition<WebhookConfig, WebhookMessage> = {
  // A webhook has no published limit, and Alertmanager sends without one; a 429's Retry-After
  // (or the 30 s penalty) still pauses every target posting to that URL.
  config: {
    configClass: WebhookConfig,
    sendResolvedDefault: true,
    rateLimitDefault: { max: Infinity, per: '1s', penalty: '30s' },
    checkTarget: webhookTargetIssue,
    warnTarget: webhookWarnings,
  },
  queue: CHAT_QUEUE_SETTINGS,
  // The receiver behind the URL, whichever targets share it; a URL file by its path, since its content is read only at send time.
  rateScope: (target) => secretAddressScope('webhook', target.config.url ?? `file:${target.config.url_file}`),
  build: (notification, target) => buildWebhookMessage(notification, target.config.max_alerts, target.sendResolved),
  // Nothing in the body is templated.
  withDefaultTemplates: (config) => config,
  createSender({ requestTimeoutMs, connections }) {
    const client = new WebhookClient(requestTimeoutMs, connections);
    return {
      post: (message, target, { relay }) =>
        client.send(message, resolveWebhookRequest(target.config, relay.baseDir), {
          penaltyMs: target.rateLimit.penaltyMs,
          timeoutMs: (target.config.timeout && parseDuration(target.config.timeout)) || requestTimeoutMs,
          target: target.name,
        }),
      close: () => client.close(),
    };
  },
};

/**
 * `Name/version`, the form of Alertmanager's own `Alertmanager/0.28.1`. The version is the
 * package's (the working directory holds it in the image and in a checkout), not a constant
 * that would go stale.
 */
export const WEBHOOK_USER_AGENT = `alert-relay/${relayVersion()}`;

function relayVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === 'alert-relay' && pkg.version ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One send's request, every `*_file` read. Holds the URL and credentials: never leaves the process. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string | string[]>;
  tls?: TlsOptions;
  /** Everything secret in it, to scrub from what the receiver answers before it becomes a reason. */
  secrets: string[];
}

/** How much of a refusing answer the failure keeps: enough to say why, not a whole error page. */
const ANSWER_EXCERPT = 200;

/** The Authorization header http_config asks for (Prometheus' round trippers), and its secrets. */
function authorization(h: WebhookHttpConfig, read: (file: string, field: string) => string): { header?: string; secrets: string[] } {
  if (h.basic_auth) {
    const b = h.basic_auth;
    const username = b.username_file ? read(b.username_file, 'http_config.basic_auth.username_file') : (b.username ?? '');
    const password = b.password_file ? read(b.password_file, 'http_config.basic_auth.password_file') : (b.password ?? '');
    const encoded = Buffer.from(`${username}:${password}`).toString('base64');
    return { header: `Basic ${encoded}`, secrets: [password, encoded] };
  }
  const a = h.authorization ?? (h.bearer_token || h.bearer_token_file ? { type: 'Bearer', credentials: h.bearer_token, credentials_file: h.bearer_token_file } : undefined);
  if (!a) return { secrets: [] };
  const field = h.authorization ? 'http_config.authorization.credentials_file' : 'http_config.bearer_token_file';
  const credentials = a.credentials_file ? read(a.credentials_file, field) : (a.credentials ?? '');
  return { header: `${a.type?.trim() || 'Bearer'} ${credentials.trim()}`, secrets: [credentials] };
}

/** Reads a target's URL, credentials, header files and TLS files, as of this send (rotations apply at once). */
export function resolveWebhookRequest(config: WebhookConfig, baseDir: string): WebhookRequest {
  const read = (file: string, field: string) => readSecretFile(file, baseDir, field);
  const url = config.url ?? read(config.url_file!, 'url_file');
  if (!isHttpUrl(url)) throw DeliveryFailure.transient('secret_file_invalid', `url_file ${config.url_file} does not hold an http(s) URL`);
  const h = config.http_config ?? {};
  const auth = authorization(h, read);
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json', 'user-agent': WEBHOOK_USER_AGENT };
  const secrets = [url, ...auth.secrets];
  if (auth.header) headers.authorization = auth.header;
  for (const [name, header] of Object.entries(h.http_headers ?? {})) {
    const hidden = [...(header.secrets ?? []), ...(header.files ?? []).map((file, i) => read(file, `http_config.http_headers.${name}.files[${i}]`))];
    secrets.push(...hidden);
    headers[name] = [...(header.values ?? []), ...hidden];
  }
  const { pathname, search } = new URL(url);
  if (pathname !== '/') secrets.push(pathname);
  if (search) secrets.push(search.slice(1));
  return { url, headers, tls: h.tls_config ? readTlsOptions(h.tls_config, baseDir, 'http_config.tls_config') : undefined, secrets: secrets.filter((s) => s.length >= 4) };
}

/** The start of an answer, on one line, with anything secret the receiver echoed taken out. */
function excerpt(text: string, secrets: string[]): string {
  let clean = text;
  // Longest first, so a secret containing another is removed whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) clean = clean.split(s).join('<redacted>');
  clean = clean.replace(/\s+/g, ' ').trim();
  return clean.length > ANSWER_EXCERPT ? `${clean.slice(0, ANSWER_EXCERPT)}…` : clean;
}

export interface WebhookSendOptions {
  /** What a 429 without Retry-After pauses the webhook for. */
  penaltyMs: number;
  timeoutMs: number;
  /** Whose connection pool: targets with a tls_config each keep their own. */
  target: string;
}

/**
 * Posts one notification. 2xx is delivered; everything else goes through the one status policy
 * (statusFailure): 429 waits out Retry-After, 5xx and 408 are retried, another 4xx or a 3xx
 * (redirects are not followed) fails at once with the status and the start of the answer.
 */
export class WebhookClient {
  private readonly shared: PlatformHttp;
  /** A target's pool was built for one TLS material; a rotated certificate gets a new one. */
  private readonly tlsPools = new Map<string, { fingerprint: string; http: PlatformHttp }>();

  constructor(
    private readonly timeoutMs: number,
    private readonly connections?: number,
  ) {
    this.shared = new PlatformHttp('webhook', { timeoutMs, connections });
  }

  async send(message: WebhookMessage, request: WebhookRequest, options: WebhookSendOptions): Promise<{ status: number }> {
    const answer = await this.httpFor(options.target, request.tls).postJson(request.url, message, request.headers, options.timeoutMs);
    const failure = statusFailure('webhook', answer, options.penaltyMs, { detail: excerpt(answer.text, request.secrets) });
    if (failure) throw failure;
    return { status: answer.status };
  }

  async close(): Promise<void> {
    await Promise.all([this.shared.close(), ...[...this.tlsPools.values()].map((p) => p.http.close())]);
  }

  private httpFor(target: string, tls: TlsOptions | undefined): PlatformHttp {
    if (!tls) return this.shared;
    const fingerprint = createHash('sha256').update(JSON.stringify(tls)).digest('hex');
    const pool = this.tlsPools.get(target);
    if (pool?.fingerprint === fingerprint) return pool.http;
    // Closing lets the old pool's requests in flight finish.
    if (pool) void pool.http.close();
    const http = new PlatformHttp('webhook', { timeoutMs: this.timeoutMs, connections: this.connections, tls });
    this.tlsPools.set(target, { fingerprint, http });
    return http;
  }
}
