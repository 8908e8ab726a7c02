import { Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsBoolean,
  IsDefined,
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateBy,
  ValidateNested,
} from '@relay/models/class-validator';
import { ChannelConfigSpecs, configKey } from './channel-config-spec';
import type { TargetConfig } from './target.config';
import { TlsConfig } from './tls-config';
import { IsByteSize, IsDuration, IsHttpUrl, IsPositiveDuration, IsTimeZone, NotWith } from './validators';

export class BasicAuthConfig {
  @IsString()
  @IsNotEmpty()
  username: string;

  @IsString()
  @IsNotEmpty()
  password: string;
}

export class IngestAuthConfig {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  bearer_token?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => BasicAuthConfig)
  basic_auth?: BasicAuthConfig;
}

export class IngestConfig {
  @IsOptional()
  @ValidateNested()
  @Type(() => IngestAuthConfig)
  auth?: IngestAuthConfig;

  @IsOptional()
  @IsDuration()
  dedup_window: string = '5m';

  @IsOptional()
  @IsByteSize()
  body_limit: string | number = '1MiB';

  /**
   * Alerts one notification may hold; more is a 400 naming this setting. Alertmanager sends every
   * alert of a group unless its webhook_configs max_alerts truncates them.
   */
  @IsOptional()
  @ValidateBy({
    name: 'positiveWholeNumber',
    validator: { validate: (value: unknown) => Number.isInteger(value) && (value as number) >= 1, defaultMessage: () => 'max_alerts must be a whole number, at least 1' },
  })
  max_alerts: number = 10_000;
}

export class DashboardConfig {
  @IsOptional()
  @ValidateNested()
  @Type(() => BasicAuthConfig)
  basic_auth?: BasicAuthConfig;
}

/** Where chat.postMessage lives: Alertmanager's default `slack_app_url`. */
export const SLACK_CHAT_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/**
 * The globals of Alertmanager's newest release (v0.34.0) that mean nothing to the relay, each with
 * why: accepted so a whole alertmanager.yml loads, each one set logged at start-up and printed by
 * check-config (RelayConfig.warnings).
 */
export const UNUSED_GLOBAL_FIELDS: Readonly<Record<string, string>> = {
  resolve_timeout: 'Alertmanager resolves alerts before it notifies; the relay delivers the notifications it is sent',
  http_config: 'the relay connects with its own HTTP client; set http_config on a target where the relay reads it',
  ...Object.fromEntries(
    (
      [
        ['jira', ['jira_api_url']],
        ['pagerduty', ['pagerduty_url']],
        ['opsgenie', ['opsgenie_api_url', 'opsgenie_api_key', 'opsgenie_api_key_file']],
        ['victorops', ['victorops_api_url', 'victorops_api_key', 'victorops_api_key_file']],
        ['telegram', ['telegram_api_url', 'telegram_bot_token', 'telegram_bot_token_file']],
        ['webex', ['webex_api_url']],
        ['rocketchat', ['rocketchat_api_url', 'rocketchat_token', 'rocketchat_token_file', 'rocketchat_token_id', 'rocketchat_token_id_file']],
        ['mattermost', ['mattermost_webhook_url', 'mattermost_webhook_url_file']],
      ] as const
    ).flatMap(([channel, fields]) => fields.map((f) => [f, `it is for ${channel}_configs, not a channel alert-relay delivers to`])),
  ),
};

/**
 * Alertmanager's `global:` block. The keys the relay uses are validated; the rest of the keys
 * Alertmanager knows (UNUSED_GLOBAL_FIELDS) are accepted, and warned about.
 */
export class GlobalConfig {
  @IsOptional()
  @IsTimeZone()
  timezone: string = 'UTC';

  /** Transient failures are retried until a notification is this old; a target may set its own. */
  @IsOptional()
  @IsPositiveDuration()
  max_delivery_age: string = '6h';

  /** The longest wait between two tries of a failing delivery; a target may set its own. */
  @IsOptional()
  @IsPositiveDuration()
  max_retry_interval: string = '5m';

  @IsOptional()
  @IsHttpUrl()
  wechat_api_url: string = 'https://qyapi.weixin.qq.com/cgi-bin/';

  @IsOptional() @IsString() wechat_api_corp_id?: string;
  @IsOptional() @IsString() @NotWith(['wechat_api_secret_file']) wechat_api_secret?: string;
  @IsOptional() @IsString() wechat_api_secret_file?: string;

  @IsOptional() @IsHttpUrl() @NotWith(['slack_api_url_file']) slack_api_url?: string;
  @IsOptional() @IsString() slack_api_url_file?: string;
  /** The bot token of targets that name no webhook, token or http_config authorization of their own. */
  @IsOptional() @IsString() @NotWith(['slack_app_token_file']) @NoSlackWebhookBeside() slack_app_token?: string;
  @IsOptional() @IsString() @NoSlackWebhookBeside() slack_app_token_file?: string;
  @IsOptional() @IsHttpUrl() slack_app_url: string = SLACK_CHAT_POST_MESSAGE_URL;

  @IsOptional() @IsString() smtp_smarthost?: string;
  @IsOptional() @IsString() smtp_from?: string;
  @IsOptional() @IsString() smtp_hello?: string;
  @IsOptional() @IsString() smtp_auth_username?: string;
  @IsOptional() @IsString() @NotWith(['smtp_auth_password_file']) smtp_auth_password?: string;
  @IsOptional() @IsString() smtp_auth_password_file?: string;
  @IsOptional() @IsString() smtp_auth_identity?: string;
  @IsOptional() @IsString() @NotWith(['smtp_auth_secret_file']) smtp_auth_secret?: string;
  @IsOptional() @IsString() smtp_auth_secret_file?: string;
  @IsOptional() @IsBoolean() smtp_require_tls?: boolean;
  /** Unset: implicit TLS exactly when the port is 465. */
  @IsOptional() @IsBoolean() smtp_force_implicit_tls?: boolean;
  /** The `tls_config` of email targets that have none of their own. */
  @IsOptional() @ValidateNested() @Type(() => TlsConfig) smtp_tls_config?: TlsConfig;
}
for (const field of Object.keys(UNUSED_GLOBAL_FIELDS)) Allow()(GlobalConfig.prototype, field);

/**
 * Alertmanager refuses a global app token beside a global webhook URL, unless that URL is the app
 * URL itself: the bearer-token workaround of the time before app tokens, which it still loads.
 */
function NoSlackWebhookBeside(): PropertyDecorator {
  const present = (v: unknown) => v !== undefined && v !== '';
  return ValidateBy({
    name: 'noSlackWebhookBeside',
    validator: {
      validate: (value, args) => {
        const g = args?.object as GlobalConfig;
        if (!present(value)) return true;
        if (present(g.slack_api_url_file)) return false;
        return !present(g.slack_api_url) || g.slack_api_url === g.slack_app_url;
      },
      defaultMessage: (args) => `set ${args?.property} or slack_api_url / slack_api_url_file, not both (the one exception: slack_api_url equal to slack_app_url)`,
    },
  });
}

/** A receiver: its name and, per channel, a `<channel>_configs` list (validated by receiverConfigClass). */
export class ReceiverConfig {
  @IsDefined({ message: 'name is required' })
  @IsString()
  @IsNotEmpty()
  name: string;

  /** Alertmanager's labels for finding receivers through its API; the relay has no such API. */
  @Allow()
  labels?: unknown;

  [block: `${string}_configs`]: TargetConfig[] | undefined;
}

/**
 * The receiver DTO for a set of channels: one validated `<channel>_configs` list per channel, so
 * the file may use exactly the channels the relay has (an unknown block is refused by name).
 */
export function receiverConfigClass(channels: ChannelConfigSpecs): new () => ReceiverConfig {
  class ChannelReceiverConfig extends ReceiverConfig {}
  for (const [channel, spec] of Object.entries(channels)) {
    const key = configKey(channel);
    for (const decorate of [IsOptional(), IsArray(), ValidateNested({ each: true }), Type(() => spec.configClass)]) decorate(ChannelReceiverConfig.prototype, key);
  }
  return ChannelReceiverConfig;
}

export class RelayConfigDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => GlobalConfig)
  global: GlobalConfig = new GlobalConfig();

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  templates: string[] = [];

  @IsOptional()
  @ValidateNested()
  @Type(() => IngestConfig)
  ingest: IngestConfig = new IngestConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => DashboardConfig)
  dashboard: DashboardConfig = new DashboardConfig();

  @IsArray({ message: 'receivers must be a list' })
  @ValidateNested({ each: true })
  receivers: ReceiverConfig[];

  // Alertmanager's routing lives in Alertmanager; accepted so a whole alertmanager.yml can be tried.
  @Allow() route?: unknown;
  @Allow() inhibit_rules?: unknown;
  @Allow() time_intervals?: unknown;
  @Allow() mute_time_intervals?: unknown;
}

/** The whole file's DTO for a set of channels (receivers typed by receiverConfigClass). */
export function relayConfigDtoClass(channels: ChannelConfigSpecs): new () => RelayConfigDto {
  const Receiver = receiverConfigClass(channels);
  class ChannelRelayConfigDto extends RelayConfigDto {}
  Type(() => Receiver)(ChannelRelayConfigDto.prototype, 'receivers');
  return ChannelRelayConfigDto;
}
