import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, ValidateNested } from '@relay/models/class-validator';
import { IsHttpUrl, TargetConfig } from '@relay/config';
import { TEMPLATE_DIALECTS, type TemplateDialect } from '@relay/templates';

export const DINGTALK_MSGTYPES = ['markdown', 'text', 'link', 'actionCard'] as const;
export type DingtalkMsgtype = (typeof DINGTALK_MSGTYPES)[number];

export class DingtalkMentionsConfig {
  @IsOptional()
  @IsBoolean()
  all: boolean = false;

  @IsOptional()
  @IsArray()
  @Matches(/^\+?[0-9-]{5,20}$/, { each: true, message: 'mobiles must be phone numbers' })
  mobiles: string[] = [];

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  user_ids: string[] = [];

  /** Name of an alert label whose value is a mobile number (or comma-separated numbers) to @. */
  @IsOptional()
  @IsString()
  from_label?: string;
}

export class DingtalkConfig extends TargetConfig {
  @IsHttpUrl()
  @Matches(/[?&]access_token=[^&]+/, { message: 'url must carry the robot access_token query parameter' })
  url: string;

  /** Signing secret (`SEC…`); when set every attempt is signed afresh. */
  @IsOptional()
  @IsString()
  secret?: string;

  @IsOptional()
  @IsIn(DINGTALK_MSGTYPES, { message: `msgtype must be one of ${DINGTALK_MSGTYPES.join(', ')}` })
  msgtype: DingtalkMsgtype = 'markdown';

  @IsOptional()
  @IsString()
  title: string = '{{ template "dingtalk.default.title" . }}';

  @IsOptional()
  @IsString()
  text: string = '{{ template "dingtalk.default.text" . }}';

  /** link / actionCard: where the message points (templated); by default the receiver's alerts in Alertmanager, as its own `__alertmanagerURL`. */
  @IsOptional()
  @IsString()
  message_url: string = '{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}';

  /** link: picture shown beside the message. */
  @IsOptional()
  @IsString()
  pic_url: string = '';

  /** actionCard: the button's label. */
  @IsOptional()
  @IsString()
  button_title: string = 'View in Alertmanager';

  @IsOptional()
  @ValidateNested()
  @Type(() => DingtalkMentionsConfig)
  mentions?: DingtalkMentionsConfig;

  /**
   * `prometheus-webhook-dingtalk`: `title` and `text` render as that tool rendered them (sprig's
   * functions where sprig and Alertmanager share a name, its built-in templates, `.AtMobiles`),
   * so a config made by `alert-relay import prometheus-webhook-dingtalk` shows the same messages.
   */
  @IsOptional()
  @IsIn(TEMPLATE_DIALECTS, { message: `template_dialect must be one of ${TEMPLATE_DIALECTS.join(', ')}` })
  template_dialect: TemplateDialect = 'alertmanager';
}
