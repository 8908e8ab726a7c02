import { ChannelConfigSpecs, ConfigLoader } from '@relay/config';
import type { ChannelDefinition } from '@relay/delivery';
import { CHANNELS, Channel } from '@relay/models';
import { DINGTALK_CHANNEL } from './dingtalk/dingtalk.channel';
import { EMAIL_CHANNEL } from './email/email.channel';
import { FEISHU_CHANNEL } from './feishu/feishu.channel';
import { SLACK_CHANNEL } from './slack/slack.channel';
import { WECHAT_CHANNEL } from './wechat/wechat.channel';
import { WECOM_ROBOT_CHANNEL } from './wecom-robot/wecom-robot.channel';
import { WEBHOOK_CHANNEL } from './webhook/webhook.channel';

/**
 * Every channel the relay delivers to, each defined in its own folder. A name added to CHANNELS
 * (@relay/models) does not compile until it has an entry here; config loading, templates, queues
 * and workers all follow from this record.
 */
export const CHANNEL_DEFINITIONS: { readonly [C in Channel]: ChannelDefinition } = {
  dingtalk: DINGTALK_CHANNEL,
  wechat: WECHAT_CHANNEL,
  wecom_robot: WECOM_ROBOT_CHANNEL,
  slack: SLACK_CHANNEL,
  email: EMAIL_CHANNEL,
  feishu: FEISHU_CHANNEL,
  webhook: WEBHOOK_CHANNEL,
};

const CHANNEL_CONFIG_SPECS: ChannelConfigSpecs = Object.fromEntries(CHANNELS.map((c) => [c, CHANNEL_DEFINITIONS[c].config])) as ChannelConfigSpecs;

const loader = new ConfigLoader(CHANNEL_CONFIG_SPECS);
/** The relay's config, for its channels: every problem of the file at once, with its path. */
export const inspectConfig = loader.inspectConfig.bind(loader);
export const inspectConfigFile = loader.inspectConfigFile.bind(loader);
export const parseConfig = loader.parseConfig.bind(loader);
export const loadConfigFile = loader.loadConfigFile.bind(loader);

export { BUILTIN_TEMPLATES, CHANNEL_TEMPLATES, relayTemplates } from './builtin-templates';
