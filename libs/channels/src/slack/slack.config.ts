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
  ValidationOptions,
} from 'class-validator';
import { IsDuration, IsHttpUrl, TargetConfig } from '@relay/config';

/** Where chat.postMessage lives; Alertmanager's default `app_url`. */
export const SLACK_CHAT_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/** The attachment fields Slack may format as mrkdwn. */
export const SLACK_MRKDWN_FIELDS = ['pretext', 'text', 'fields', 'fallback', 'title', 'footer'] as const;

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Refuses a field set together with any of `others` (Alertmanager's "at most one of" rules). */
function NotWith(others: string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notWith',
      constraints: others,
      validator: {
        validate: (value, args?: ValidationArguments) => {
          if (!present(value)) return true;
          const object = args?.object as Record<string, unknown>;
          return !others.some((k) => present(object[k]));
        },
        defaultMessage: (args?: ValidationArguments) => {
          const object = args?.object as Record<string, unknown>;
          const clash = others.filter((k) => present(object[k]));
          return `set ${args?.property} or ${clash.join(' / ')}, not both`;
        },
      },
    },
    options,
  );
}

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
 * an incoming webhook (`api_url`, else `global.slack_api_url`) or an app token sent as
 * `Authorization: Bearer` to `app_url` (chat.postMessage). Every text field is a template.
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
  app_url: string = SLACK_CHAT_POST_MESSAGE_URL;

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

  /** Per-request timeout; `0s` or absent uses the relay's own (10s). */
  @IsOptional()
  @IsDuration()
  timeout?: string;

  /** Editing earlier messages needs their ids kept per group; the relay only posts. */
  @IsOptional()
  @IsIn([false], { message: 'update_message is not supported: alert-relay posts a new message for each notification' })
  update_message?: boolean;
}

export interface SlackGlobals {
  slack_api_url?: string;
  slack_api_url_file?: string;
}

/**
 * The check that needs `global:` as well as the block: a webhook target without its own URL
 * falls back to `global.slack_api_url(_file)`, and with neither it could never deliver.
 * Returns the message for the block's path, or undefined when the target has somewhere to post.
 */
export function slackDestinationIssue(block: SlackConfig, global: SlackGlobals): string | undefined {
  const own = [block.api_url, block.api_url_file, block.app_token, block.app_token_file].some(present);
  if (own || present(global.slack_api_url) || present(global.slack_api_url_file)) return undefined;
  return 'api_url, api_url_file, app_token or app_token_file is required (or global.slack_api_url)';
}
