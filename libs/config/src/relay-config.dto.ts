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
} from 'class-validator';
import type { Channel } from '@relay/models';
import { ChannelConfigSpecs, configKey } from './channel-config-spec';
import type { TargetConfig } from './target.config';
import { IsByteSize, IsDuration, IsHttpUrl, IsPositiveDuration, IsTimeZone } from './validators';

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

/**
 * Alertmanager's `global:` block. The keys the relay uses are validated; the other keys
 * Alertmanager knows are accepted so a pasted block loads, and ignored.
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
  @IsOptional() @IsString() wechat_api_secret?: string;
  @IsOptional() @IsHttpUrl() slack_api_url?: string;
  @IsOptional() @IsString() slack_api_url_file?: string;
  @IsOptional() @IsString() smtp_smarthost?: string;
  @IsOptional() @IsString() smtp_from?: string;
  @IsOptional() @IsString() smtp_hello?: string;
  @IsOptional() @IsString() smtp_auth_username?: string;
  @IsOptional() @IsString() smtp_auth_password?: string;
  @IsOptional() @IsString() smtp_auth_identity?: string;
  @IsOptional() @IsString() smtp_auth_secret?: string;
  @IsOptional() @IsBoolean() smtp_require_tls?: boolean;

  // Alertmanager globals with no meaning here.
  @Allow() resolve_timeout?: unknown;
  @Allow() http_config?: unknown;
  @Allow() smtp_auth_password_file?: unknown;
  @Allow() pagerduty_url?: unknown;
  @Allow() opsgenie_api_url?: unknown;
  @Allow() opsgenie_api_key?: unknown;
  @Allow() opsgenie_api_key_file?: unknown;
  @Allow() victorops_api_url?: unknown;
  @Allow() victorops_api_key?: unknown;
  @Allow() victorops_api_key_file?: unknown;
  @Allow() telegram_api_url?: unknown;
  @Allow() webex_api_url?: unknown;
}

/** A receiver: its name and, per channel, a `<channel>_configs` list (validated by receiverConfigClass). */
export class ReceiverConfig {
  @IsDefined({ message: 'name is required' })
  @IsString()
  @IsNotEmpty()
  name: string;

  [block: `${string}_configs`]: TargetConfig[] | undefined;
}

/**
 * The receiver DTO for a set of channels: one validated `<channel>_configs` list per channel, so
 * the file may use exactly the channels the relay has (an unknown block is refused by name).
 */
export function receiverConfigClass(channels: ChannelConfigSpecs): new () => ReceiverConfig {
  class ChannelReceiverConfig extends ReceiverConfig {}
  for (const [channel, spec] of Object.entries(channels)) {
    const key = configKey(channel as Channel);
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
