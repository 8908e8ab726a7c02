import type { Channel } from '@relay/models';
import { DingtalkConfig } from './dingtalk.config';
import { EmailConfig, emailTargetIssue } from './email.config';
import { SlackConfig, slackDestinationIssue } from './slack.config';
import type { GlobalConfig } from '../relay-config.dto';
import type { TargetConfig } from './target.config';
import { WechatConfig, wechatCredentialsIssue } from './wechat.config';
import { WecomRobotConfig } from './wecom-robot.config';

export * from './target.config';
export * from './dingtalk.config';
export * from './wechat.config';
export * from './wecom-robot.config';
export * from './slack.config';
export * from './email.config';

export interface ChannelConfigs {
  dingtalk: DingtalkConfig;
  wechat: WechatConfig;
  wecom_robot: WecomRobotConfig;
  slack: SlackConfig;
  email: EmailConfig;
}

export interface RateLimitDefaults {
  max: number;
  per: string;
  /** How long the target is left alone after the platform said "too fast". */
  penalty: string;
}

export interface ChannelSpec<C extends TargetConfig = TargetConfig> {
  configClass: new () => C;
  /** Alertmanager's default where it has the channel; true for the robots it lacks. */
  sendResolvedDefault: boolean;
  /** The platform's published limit, applied when a target sets no `rate_limit`. */
  rateLimitDefault: RateLimitDefaults;
  /** False until the channel's worker exists: config naming it is refused rather than queued forever. */
  delivered: boolean;
  /**
   * Checks that need the `global` block (a field that may come from either place); returns the
   * reason when the target cannot work, reported at the target's path.
   */
  checkTarget?: (target: C, global: GlobalConfig) => string | undefined;
}

/** One entry per channel: a new channel does not compile until it says how it is configured. */
export const CHANNEL_SPECS: { [C in Channel]: ChannelSpec<ChannelConfigs[C]> } = {
  // 20 messages/minute per robot; beyond that DingTalk throttles the robot for 10 minutes.
  dingtalk: { configClass: DingtalkConfig, sendResolvedDefault: true, rateLimitDefault: { max: 20, per: '1m', penalty: '10m' }, delivered: true },
  // WeCom silently drops messages beyond 30/minute and 1000/hour to one member. 15 a minute keeps a
  // target under 1000/hour sustained and leaves half the minute's allowance to other targets
  // reaching the same people. WeCom answers no "too fast" here, so the penalty rarely applies.
  wechat: { configClass: WechatConfig, sendResolvedDefault: false, rateLimitDefault: { max: 15, per: '1m', penalty: '1m' }, delivered: true, checkTarget: wechatCredentialsIssue },
  // 20 messages/minute per robot, then 45009 until the minute has passed.
  wecom_robot: { configClass: WecomRobotConfig, sendResolvedDefault: true, rateLimitDefault: { max: 20, per: '1m', penalty: '1m' }, delivered: true },
  // Slack allows about one message per second per webhook (and per channel for chat.postMessage)
  // with short bursts: 3 in any 3 s is that average with a burst of 3. Slack always names a
  // Retry-After with its 429, which wins; the 30 s penalty covers a 429 that does not.
  slack: { configClass: SlackConfig, sendResolvedDefault: false, rateLimitDefault: { max: 3, per: '3s', penalty: '30s' }, delivered: true, checkTarget: slackDestinationIssue },
  // SMTP has no published per-sender limit, but hosted relays do (Exchange Online: 30 messages a
  // minute per mailbox) and flag senders that burst past them; an alert storm stays under that.
  email: { configClass: EmailConfig, sendResolvedDefault: false, rateLimitDefault: { max: 30, per: '1m', penalty: '1m' }, delivered: true, checkTarget: emailTargetIssue },
};

/** Runs a channel's own `checkTarget`, if it has one, on one of its target blocks. */
export function checkChannelTarget(channel: Channel, target: TargetConfig, global: GlobalConfig): string | undefined {
  const check = CHANNEL_SPECS[channel].checkTarget as ChannelSpec['checkTarget'];
  return check?.(target, global);
}
