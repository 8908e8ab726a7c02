import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString } from '@relay/models/class-validator';
import { GlobalConfig, IsHttpUrl, NotWith, TargetConfig } from '@relay/config';

export const WECHAT_MESSAGE_TYPES = ['text', 'markdown'] as const;
export type WechatMessageType = (typeof WECHAT_MESSAGE_TYPES)[number];

const AGENT_ID_DEFAULT = '{{ template "wechat.default.agent_id" . }}';

// YAML reads `agent_id: 1000002` as a number; Alertmanager takes it as a string either way.
const numberAsString = ({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value);

/**
 * Alertmanager's `wechat_configs` entry (WeCom app messages), field for field, so a pasted block
 * works. `api_url`, `corp_id` and `api_secret(_file)` fall back to `global.wechat_api_*`.
 * `to_user`, `to_party`, `to_tag`, `agent_id` and `message` are templates, as in Alertmanager.
 */
export class WechatConfig extends TargetConfig {
  /** Base of the WeCom API, ending in `/cgi-bin/`; default `global.wechat_api_url`. */
  @IsOptional()
  @IsHttpUrl()
  api_url?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  corp_id?: string;

  /** The app's secret: used for gettoken only, never logged, never stored in Redis or job data. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @NotWith(['api_secret_file'])
  api_secret?: string;

  /** A file holding api_secret, read at each send so a rotated secret applies at once. */
  @IsOptional()
  @IsString()
  api_secret_file?: string;

  /** The AgentId of the app that sends, e.g. 1000002; Alertmanager's default renders the (empty) `wechat.default.agent_id`. */
  @IsOptional()
  @Transform(numberAsString)
  @IsString()
  agent_id: string = AGENT_ID_DEFAULT;

  /**
   * `a|b|c` or `@all`. When none of to_user, to_party and to_tag is set the message goes to
   * `@all`; setting only to_party or to_tag does not also broadcast to everyone.
   */
  @IsOptional()
  @Transform(numberAsString)
  @IsString()
  to_user?: string;

  @IsOptional()
  @Transform(numberAsString)
  @IsString()
  to_party?: string;

  @IsOptional()
  @Transform(numberAsString)
  @IsString()
  to_tag?: string;

  @IsOptional()
  @IsString()
  message: string = '{{ template "wechat.default.message" . }}';

  @IsOptional()
  @IsIn(WECHAT_MESSAGE_TYPES, { message: `message_type must be one of ${WECHAT_MESSAGE_TYPES.join(', ')}` })
  message_type: WechatMessageType = 'text';
}

/** What a wechat target needs from `global` when it does not say it itself. */
export type WechatGlobals = Pick<GlobalConfig, 'wechat_api_corp_id' | 'wechat_api_secret' | 'wechat_api_secret_file'>;

/**
 * The check a block cannot make with class-validator (it cannot see `global`), run at config
 * load through CHANNEL_SPECS.wechat.checkTarget: a target with neither its own corp_id/api_secret
 * nor the global ones could never fetch a token.
 */
export function wechatCredentialsIssue(target: WechatConfig, global: WechatGlobals): string | undefined {
  const missing = [
    !target.corp_id && !global.wechat_api_corp_id && 'corp_id (or global.wechat_api_corp_id)',
    !target.api_secret && !target.api_secret_file && !global.wechat_api_secret && !global.wechat_api_secret_file && 'api_secret or api_secret_file (or global.wechat_api_secret / wechat_api_secret_file)',
  ].filter(Boolean);
  return missing.length ? `needs ${missing.join(' and ')}` : undefined;
}

/** What a valid target sets (or leaves out) that the relay cannot act on: one start-up warning each. */
export function wechatWarnings(target: WechatConfig): string[] {
  const warnings: string[] = [];
  if (target.agent_id === AGENT_ID_DEFAULT) {
    warnings.push('agent_id: not set, so it is the wechat.default.agent_id template, empty unless your templates define it: WeCom refuses a message without the AgentId of the app that sends');
  }
  if (target.http_config !== undefined) warnings.push('http_config: accepted, not used: the relay calls the WeCom API with its own HTTP client');
  return warnings;
}
