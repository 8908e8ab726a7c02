import { IsArray, IsIn, IsOptional, IsString, Matches, ValidateBy, ValidationArguments } from '@relay/models/class-validator';
import { IsHttpUrl, TargetConfig } from '@relay/config';

export const WECOM_ROBOT_MSGTYPES = ['markdown', 'text', 'markdown_v2'] as const;
export type WecomRobotMsgtype = (typeof WECOM_ROBOT_MSGTYPES)[number];

/** WeCom only honours mentions in text messages; elsewhere they would be silently ignored. */
function OnlyWithTextMsgtype(): PropertyDecorator {
  return ValidateBy({
    name: 'onlyWithTextMsgtype',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        !Array.isArray(value) || value.length === 0 || (args?.object as WecomRobotConfig).msgtype === 'text',
      defaultMessage: (args?: ValidationArguments) => `${args?.property} only works with msgtype text (WeCom ignores it in markdown)`,
    },
  });
}

/** A WeCom group robot (`webhook/send?key=…`); not in Alertmanager, configured in the same manner. */
export class WecomRobotConfig extends TargetConfig {
  @IsHttpUrl()
  @Matches(/[?&]key=[^&]+/, { message: 'url must carry the robot key query parameter' })
  url: string;

  @IsOptional()
  @IsIn(WECOM_ROBOT_MSGTYPES, { message: `msgtype must be one of ${WECOM_ROBOT_MSGTYPES.join(', ')}` })
  msgtype: WecomRobotMsgtype = 'markdown';

  @IsOptional()
  @IsString()
  message: string = '{{ template "wecom_robot.default.message" . }}';

  /** User ids to @ (or `@all`); text only. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @OnlyWithTextMsgtype()
  mentioned_list: string[] = [];

  /** Mobile numbers to @ (or `@all`); text only. */
  @IsOptional()
  @IsArray()
  @Matches(/^(\+?[0-9-]{5,20}|@all)$/, { each: true, message: 'mentioned_mobile_list must hold phone numbers or @all' })
  @OnlyWithTextMsgtype()
  mentioned_mobile_list: string[] = [];
}
