import { Type } from 'class-transformer';
import { Allow, buildMessage, IsBoolean, IsIn, IsInt, IsOptional, IsString, Min, ValidateBy, ValidateNested, ValidationOptions } from '@relay/models/class-validator';
import { IsDuration, IsHttpUrl, TargetConfig, TlsConfig } from '@relay/config';

/**
 * Headers Prometheus' http client refuses in `http_headers` (common/config/headers.go): they are
 * the client's own (auth, framing, Content-Type, User-Agent) and a second value would contradict it.
 */
export const RESERVED_HTTP_HEADERS = [
  'Authorization',
  'Host',
  'Content-Encoding',
  'Content-Length',
  'Content-Type',
  'User-Agent',
  'Connection',
  'Keep-Alive',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Www-Authenticate',
  'Accept-Encoding',
  'X-Prometheus-Remote-Write-Version',
  'X-Prometheus-Remote-Read-Version',
  'X-Prometheus-Scrape-Timeout-Seconds',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
] as const;

const RESERVED = new Set(RESERVED_HTTP_HEADERS.map((h) => h.toLowerCase()));
const HEADER_VALUE_KINDS = ['values', 'secrets', 'files'];
const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with an `http_headers` map, naming the header; undefined when it is sound. */
export function httpHeadersIssue(headers: unknown): string | undefined {
  if (!isMapping(headers)) return 'must map header names to {values, secrets, files}';
  for (const [name, header] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `"${name}" is not a header name`;
    if (RESERVED.has(name.toLowerCase())) return `setting header "${name}" is not allowed (Prometheus reserves it)`;
    if (!isMapping(header)) return `${name} must be a mapping of values, secrets and/or files`;
    for (const [kind, list] of Object.entries(header)) {
      if (!HEADER_VALUE_KINDS.includes(kind)) return `${name}.${kind} is not a field (a header has values, secrets and files)`;
      if (!isStringList(list)) return `${name}.${kind} must be a list of strings`;
    }
  }
  return undefined;
}

function IsHttpHeaders(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpHeaders',
      validator: {
        validate: (v) => httpHeadersIssue(v) === undefined,
        defaultMessage: buildMessage((p, args) => `${p}${httpHeadersIssue(args?.value)}`, options),
      },
    },
    options,
  );
}

/** A field Alertmanager has that the relay refuses rather than load a target that would not work as written. */
function Unsupported(why: string): PropertyDecorator {
  return ValidateBy({
    name: 'unsupported',
    validator: {
      validate: (v) => v === undefined,
      defaultMessage: buildMessage((p) => `${p}is not supported by alert-relay: ${why}`),
    },
  });
}

export interface WebhookHttpHeader {
  values?: string[];
  secrets?: string[];
  files?: string[];
}

export class WebhookBasicAuthConfig {
  @IsOptional() @IsString() username?: string;
  @IsOptional() @IsString() username_file?: string;
  @IsOptional() @IsString() password?: string;
  @IsOptional() @IsString() password_file?: string;
}

export class WebhookAuthorizationConfig {
  /** Empty means `Bearer`, as in Prometheus. */
  @IsOptional() @IsString() type?: string;
  @IsOptional() @IsString() credentials?: string;
  @IsOptional() @IsString() credentials_file?: string;
}

/**
 * Prometheus' `http_config` (common/config/http_config.go), as a webhook target takes it. Auth,
 * headers and TLS are honoured; the proxy settings are accepted and warned about at start-up
 * (webhookWarnings): the relay connects directly. Fields Prometheus keeps in secret stores
 * (`*_ref`) are not fields here, so the loader names them as unknown.
 */
export class WebhookHttpConfig {
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookBasicAuthConfig)
  basic_auth?: WebhookBasicAuthConfig;

  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookAuthorizationConfig)
  authorization?: WebhookAuthorizationConfig;

  /** Legacy spellings of `authorization: {type: Bearer, credentials(_file)}`. */
  @IsOptional() @IsString() bearer_token?: string;
  @IsOptional() @IsString() bearer_token_file?: string;

  // A token endpoint of its own would be a second client with its own failures and caching.
  @Unsupported('fetch the token elsewhere and give it as authorization.credentials_file')
  oauth2?: unknown;

  @IsOptional()
  @ValidateNested()
  @Type(() => TlsConfig)
  tls_config?: TlsConfig;

  @IsOptional()
  @IsHttpHeaders()
  http_headers?: Record<string, WebhookHttpHeader>;

  /** Redirects are never followed: a 3xx fails with its status (see README). */
  @IsOptional() @IsBoolean() follow_redirects?: boolean;
  /** The relay speaks HTTP/1.1 with keep-alive; a receiver cannot tell the difference. */
  @IsOptional() @IsBoolean() enable_http2?: boolean;

  @IsOptional() @IsString() proxy_url?: string;
  @IsOptional() @IsString() no_proxy?: string;
  @IsOptional() @IsBoolean() proxy_from_environment?: boolean;
  @Allow() proxy_connect_header?: unknown;
}

/**
 * Alertmanager's `webhook_configs` entry: the notification is posted as Alertmanager's own v4
 * JSON body, so a receiver written for Alertmanager works unchanged. Nothing is templated.
 */
export class WebhookConfig extends TargetConfig {
  @IsOptional()
  @IsHttpUrl()
  url?: string;

  /** A file holding the URL, read at each send so a rotated secret applies at once. */
  @IsOptional()
  @IsString()
  url_file?: string;

  /** At most this many alerts per message; the rest are counted in `truncatedAlerts`. 0: all. */
  @IsOptional()
  @IsInt({ message: 'max_alerts must be a whole number' })
  @Min(0)
  max_alerts: number = 0;

  /** Per-request timeout; `0s` or absent uses the relay's own (40s, `CHAT_QUEUE_SETTINGS`). */
  @IsOptional()
  @IsDuration()
  timeout?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookHttpConfig)
  override http_config?: WebhookHttpConfig = undefined;

  /** A webhook gets each notification as Alertmanager sends it, one per message. */
  @IsOptional()
  @IsIn([false], { message: 'digest does not apply to webhook targets: each notification is posted on its own, as Alertmanager posts it' })
  override digest?: boolean = undefined;

  @Unsupported('the body is always the notification as Alertmanager sends it')
  payload?: unknown;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Prometheus' "at most one of" rules for http_config, in its order and words. */
function httpConfigIssue(h: WebhookHttpConfig): string | undefined {
  const bearer = present(h.bearer_token) || present(h.bearer_token_file);
  if (present(h.bearer_token) && present(h.bearer_token_file)) return 'at most one of bearer_token & bearer_token_file must be configured';
  if (h.basic_auth && bearer) return 'at most one of basic_auth, bearer_token & bearer_token_file must be configured';
  if (h.basic_auth && present(h.basic_auth.username) && present(h.basic_auth.username_file)) return 'at most one of basic_auth username & username_file must be configured';
  if (h.basic_auth && present(h.basic_auth.password) && present(h.basic_auth.password_file)) return 'at most one of basic_auth password & password_file must be configured';
  if (h.authorization) {
    if (bearer) return 'authorization is not compatible with bearer_token & bearer_token_file';
    if (present(h.authorization.credentials) && present(h.authorization.credentials_file)) return 'at most one of authorization credentials & credentials_file must be configured';
    if (h.authorization.type?.trim().toLowerCase() === 'basic') return 'authorization type cannot be set to "basic", use "basic_auth" instead';
    if (h.basic_auth) return 'at most one of basic_auth & authorization must be configured';
  }
  if (present(h.proxy_url) && h.proxy_from_environment) return 'if proxy_from_environment is configured, proxy_url must not be configured';
  return undefined;
}

/** What Alertmanager refuses at load beyond single fields (ChannelConfigSpec.checkTarget). */
export function webhookTargetIssue(block: WebhookConfig): string | undefined {
  if (!present(block.url) && !present(block.url_file)) return 'one of url or url_file must be configured';
  if (present(block.url) && present(block.url_file)) return 'at most one of url & url_file must be configured';
  if (block.url?.includes('{{')) return 'url is a template: templated webhook URLs are not supported by alert-relay';
  const problem = block.http_config && httpConfigIssue(block.http_config);
  return problem ? `http_config: ${problem}` : undefined;
}

/** The http_config fields a target may carry that the relay does not act on, each as a start-up warning. */
export function webhookWarnings(block: WebhookConfig): string[] {
  const h = block.http_config;
  if (!h) return [];
  const warnings: string[] = [];
  const proxy = ['proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header'].filter((k) => present(h[k as keyof WebhookHttpConfig]));
  if (proxy.length) warnings.push(`http_config.${proxy.join(', http_config.')}: accepted but not used; alert-relay connects to the webhook directly`);
  if (h.follow_redirects === true) warnings.push('http_config.follow_redirects: alert-relay does not follow redirects; a 3xx answer fails the delivery with its status');
  return warnings;
}
