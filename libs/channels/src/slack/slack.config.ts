import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
} from '@relay/models/class-validator';
import { GlobalConfig, IsDuration, IsHttpUrl, NotWith, SLACK_CHAT_POST_MESSAGE_URL, TargetConfig } from '@relay/config';

/** The attachment fields Slack may format as mrkdwn. */
export const SLACK_MRKDWN_FIELDS = ['pretext', 'text', 'fields', 'fallback', 'title', 'footer'] as const;

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** A non-empty string; `because` says why when it is missing. */
function RequiredText(because = ''): PropertyDecorator {
  return ValidateBy({
    name: 'requiredText',
    validator: {
      validate: (v) => typeof v === 'string' && v !== '',
      defaultMessage: (args?: ValidationArguments) => `${args?.property} is required${because}`,
    },
  });
}

/** `fields:` entry; title and value are templates, `short` falls back to `short_fields`. */
export class SlackFieldConfig {
  @RequiredText()
  title: string;

  @RequiredText()
  value: string;

  @IsOptional()
  @IsBoolean()
  short?: boolean;
}

export class SlackConfirmationConfig {
  @RequiredText()
  text: string;

  @IsOptional() @IsString() title?: string;
  @IsOptional() @IsString() ok_text?: string;
  @IsOptional() @IsString() dismiss_text?: string;
}

/** `actions:` entry: a link button (`url`) or a message action (`name`/`value`), as in Alertmanager. */
export class SlackActionConfig {
  @RequiredText()
  type: string;

  @RequiredText()
  text: string;

  @ValidateIf((a: SlackActionConfig) => !present(a.name))
  @RequiredText(' (or name)')
  url?: string;

  @IsOptional() @IsString() style?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() value?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => SlackConfirmationConfig)
  confirm?: SlackConfirmationConfig;
}

/**
 * Alertmanager's `slack_configs` entry, with its defaults, so a pasted block works. Two ways in:
 * an incoming webhook (`api_url`, else `global.slack_api_url`) or an app token (else
 * `global.slack_app_token`) sent as `Authorization: Bearer` to `app_url` (else
 * `global.slack_app_url`, chat.postMessage): slackRouteOf. Every text field is a template.
 */
export class SlackConfig extends TargetConfig {
  @IsOptional()
  @IsHttpUrl()
  @NotWith(['api_url_file', 'app_token', 'app_token_file'])
  api_url?: string;

  /** A file holding the webhook URL, read at each send so a rotated secret applies at once. */
  @IsOptional()
  @IsString()
  @NotWith(['app_token', 'app_token_file'])
  api_url_file?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @NotWith(['app_token_file'])
  app_token?: string;

  @IsOptional()
  @IsString()
  app_token_file?: string;

  @IsOptional()
  @IsHttpUrl()
  app_url?: string;

  /** `#channel` or `@user`; chat.postMessage needs it, a webhook posts to its own channel without it. */
  @ValidateIf((c: SlackConfig) => present(c.app_token) || present(c.app_token_file) || present(c.channel))
  @RequiredText(' with app_token: chat.postMessage needs to know where to post')
  channel?: string;

  @IsOptional() @IsString() username: string = '{{ template "slack.default.username" . }}';
  @IsOptional() @IsString() color: string = '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}';
  @IsOptional() @IsString() title: string = '{{ template "slack.default.title" . }}';
  @IsOptional() @IsString() title_link: string = '{{ template "slack.default.titlelink" . }}';
  @IsOptional() @IsString() pretext: string = '{{ template "slack.default.pretext" . }}';
  @IsOptional() @IsString() text: string = '{{ template "slack.default.text" . }}';
  @IsOptional() @IsString() fallback: string = '{{ template "slack.default.fallback" . }}';
  @IsOptional() @IsString() footer: string = '{{ template "slack.default.footer" . }}';
  @IsOptional() @IsString() icon_emoji: string = '{{ template "slack.default.iconemoji" . }}';
  @IsOptional() @IsString() icon_url: string = '{{ template "slack.default.iconurl" . }}';
  @IsOptional() @IsString() callback_id: string = '{{ template "slack.default.callbackid" . }}';
  @IsOptional() @IsString() image_url: string = '';
  @IsOptional() @IsString() thumb_url: string = '';
  /** The message's own top-level text, above the attachment (Alertmanager's `message_text`). */
  @IsOptional() @IsString() message_text: string = '';

  @IsOptional() @IsBoolean() link_names: boolean = false;
  @IsOptional() @IsBoolean() short_fields: boolean = false;

  /** Empty means Alertmanager's default: fallback, pretext and text. */
  @IsOptional()
  @IsArray()
  @IsIn(SLACK_MRKDWN_FIELDS, { each: true, message: `mrkdwn_in may only list ${SLACK_MRKDWN_FIELDS.join(', ')}` })
  mrkdwn_in: string[] = [];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SlackFieldConfig)
  fields: SlackFieldConfig[] = [];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SlackActionConfig)
  actions: SlackActionConfig[] = [];

  /** Per-request timeout; `0s` or absent uses the relay's own (40s). */
  @IsOptional()
  @IsDuration()
  timeout?: string;

  /** Editing earlier messages needs their ids kept per group; the relay only posts. */
  @IsOptional()
  @IsIn([false], { message: 'update_message is not supported: alert-relay posts a new message for each notification' })
  update_message?: boolean;
}

export type SlackGlobals = Partial<Pick<GlobalConfig, 'slack_api_url' | 'slack_api_url_file' | 'slack_app_token' | 'slack_app_token_file' | 'slack_app_url'>>;

/** A secret as written: inline, or the file holding it and the field that named the file (for errors). */
export type SlackSecret = { value: string } | { file: string; field: string };

/** Where a target posts, secrets by their source, which are read only at send time. */
export type SlackRoute = { kind: 'app'; url: string; token: SlackSecret; globalToken: boolean } | { kind: 'webhook'; url: SlackSecret };

/** The `http_config` fields the relay reads: the bearer token of the time before `app_token`. */
const HTTP_AUTH_FIELDS = ['authorization', 'bearer_token', 'bearer_token_file'];

function httpConfigOf(block: SlackConfig): Record<string, unknown> {
  const h = block.http_config;
  return typeof h === 'object' && h !== null && !Array.isArray(h) ? (h as Record<string, unknown>) : {};
}

const secret = (value: string | undefined, file: string | undefined, field: string): SlackSecret | undefined =>
  present(value) ? { value: value! } : present(file) ? { file: file!, field } : undefined;

/**
 * Alertmanager's resolution: the target's own app token, else its own webhook URL; a target with
 * neither takes `global.slack_app_token(_file)` unless its http_config carries a token of its own
 * (then it posts to `global.slack_api_url` with that), else `global.slack_api_url(_file)`.
 * Alertmanager lets a global token win over a target's own `api_url_file`; here the target's own
 * URL wins either way, as its own `api_url` does there. Undefined: nowhere to post.
 */
export function slackRouteOf(block: SlackConfig, global: SlackGlobals): SlackRoute | undefined {
  const appUrl = block.app_url ?? global.slack_app_url ?? SLACK_CHAT_POST_MESSAGE_URL;
  const ownToken = secret(block.app_token, block.app_token_file, 'app_token_file');
  if (ownToken) return { kind: 'app', url: appUrl, token: ownToken, globalToken: false };
  const ownUrl = secret(block.api_url, block.api_url_file, 'api_url_file');
  if (ownUrl) return { kind: 'webhook', url: ownUrl };
  const httpAuth = HTTP_AUTH_FIELDS.some((k) => present(httpConfigOf(block)[k]));
  const globalToken = httpAuth ? undefined : secret(global.slack_app_token, global.slack_app_token_file, 'global.slack_app_token_file');
  if (globalToken) return { kind: 'app', url: appUrl, token: globalToken, globalToken: true };
  const globalUrl = secret(global.slack_api_url, global.slack_api_url_file, 'global.slack_api_url_file');
  return globalUrl && { kind: 'webhook', url: globalUrl };
}

/**
 * The check that needs `global:` as well as the block: a target must have somewhere to post
 * (slackRouteOf), a channel when it posts with the global app token, and no second token beside
 * its own. Returns the message for the block's path, or undefined when the target can deliver.
 */
export function slackDestinationIssue(block: SlackConfig, global: SlackGlobals): string | undefined {
  const route = slackRouteOf(block, global);
  if (!route) return 'api_url, api_url_file, app_token or app_token_file is required (or global.slack_api_url, global.slack_app_token and their _file forms)';
  if (route.kind === 'app' && route.globalToken && !present(block.channel)) return 'channel is required with global.slack_app_token: chat.postMessage needs to know where to post';
  if (route.kind === 'app' && !route.globalToken && HTTP_AUTH_FIELDS.some((k) => present(httpConfigOf(block)[k]))) return 'http_config authorization cannot be set beside app_token / app_token_file';
  return undefined;
}

/** The target's http_config fields the relay does not act on: one start-up warning each. */
export function slackWarnings(block: SlackConfig): string[] {
  return Object.keys(httpConfigOf(block))
    .filter((k) => !HTTP_AUTH_FIELDS.includes(k))
    .map((k) => `http_config.${k}: accepted, not used: the relay posts to Slack with its own HTTP client (only http_config's authorization and bearer_token are read)`);
}
