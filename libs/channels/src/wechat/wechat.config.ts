import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { IsHttpUrl, TargetConfig } from '@relay/config';

export const WECHAT_MESSAGE_TYPES = ['text', 'markdown'] as const;
export type WechatMessageType = (typeof WECHAT_MESSAGE_TYPES)[number];

// YAML reads `agent_id: 1000002` as a number; Alertmanager takes it as a string either way.
const numberAsString = ({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value);

/**
 * Alertmanager's `wechat_configs` entry (WeCom app messages), field for field, so a pasted block
 * works. `api_url`, `corp_id` and `api_secret` fall back to `global.wechat_api_*`.
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
  api_secret?: string;

  @Transform(numberAsString)
  @Matches(/\S/, { message: 'agent_id is required: the AgentId of the WeCom app that sends, e.g. 1000002' })
  agent_id: string;

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
export interface WechatGlobals {
  wechat_api_corp_id?: string;
  wechat_api_secret?: string;
}

/**
 * The check a block cannot make with class-validator (it cannot see `global`), run at config
 * load through CHANNEL_SPECS.wechat.checkTarget: a target with neither its own corp_id/api_secret
 * nor the global ones could never fetch a token.
 */
export function wechatCredentialsIssue(target: WechatConfig, global: WechatGlobals): string | undefined {
  const missing = [
    !target.corp_id && !global.wechat_api_corp_id && 'corp_id (or global.wechat_api_corp_id)',
    !target.api_secret && !global.wechat_api_secret && 'api_secret (or global.wechat_api_secret)',
  ].filter(Boolean);
  return missing.length ? `needs ${missing.join(' and ')}` : undefined;
}
