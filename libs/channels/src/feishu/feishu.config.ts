import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, ValidateNested } from '@relay/models/class-validator';
import { IsHttpUrl, TargetConfig } from '@relay/config';

export const FEISHU_MSG_TYPES = ['interactive', 'post', 'text'] as const;
export type FeishuMsgType = (typeof FEISHU_MSG_TYPES)[number];

/** An open_id (`ou_…`) goes inside an `<at>` tag: anything that could close the tag is refused. */
export const FEISHU_USER_ID = /^[A-Za-z0-9_-]+$/;

export class FeishuMentionsConfig {
  /** `<at user_id="all">`: the group must allow the bot to @ everyone. */
  @IsOptional()
  @IsBoolean()
  all: boolean = false;

  /** open_ids (`ou_…`): a custom bot can @ people by nothing else. */
  @IsOptional()
  @IsArray()
  @Matches(FEISHU_USER_ID, { each: true, message: 'user_ids must be open_ids such as ou_7d8a6e6df7621556ce0d21922b676706' })
  user_ids: string[] = [];

  /** Name of an alert label whose value is an open_id (or comma-separated open_ids) to @. */
  @IsOptional()
  @IsString()
  from_label?: string;
}

/** A Feishu or Lark custom bot (`…/open-apis/bot/v2/hook/<token>`); not in Alertmanager, configured in the same manner. */
export class FeishuConfig extends TargetConfig {
  @IsHttpUrl()
  @Matches(/\/open-apis\/bot\/v2\/hook\/[^/?#]+$/, { message: 'url must be a bot webhook, https://open.feishu.cn/open-apis/bot/v2/hook/<token>' })
  url: string;

  /** The bot's signing secret (签名校验); when set every attempt is signed afresh. */
  @IsOptional()
  @IsString()
  secret?: string;

  @IsOptional()
  @IsIn(FEISHU_MSG_TYPES, { message: `msg_type must be one of ${FEISHU_MSG_TYPES.join(', ')}` })
  msg_type: FeishuMsgType = 'interactive';

  /** The card header, or the post title; a text message has none. */
  @IsOptional()
  @IsString()
  title: string = '{{ template "feishu.default.title" . }}';

  /**
   * The card's markdown, the post's lines or the text. Unset, the default fits the msg_type:
   * `feishu.default.text` (markdown) for a card, `feishu.default.plain` for post and text, which
   * would show markdown's marks as they are.
   */
  @IsOptional()
  @IsString()
  text?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => FeishuMentionsConfig)
  mentions?: FeishuMentionsConfig;
}
