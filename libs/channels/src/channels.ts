import { ChannelConfigSpecs, ConfigLoader } from '@relay/config';
import type { ChannelDefinition } from '@relay/delivery/platform';
import { DINGTALK_CHANNEL } from './dingtalk/dingtalk.channel';
import { EMAIL_CHANNEL } from './email/email.channel';
import { FEISHU_CHANNEL } from './feishu/feishu.channel';
import { SLACK_CHANNEL } from './slack/slack.channel';
import { WECHAT_CHANNEL } from './wechat/wechat.channel';
import { WECOM_ROBOT_CHANNEL } from './wecom-robot/wecom-robot.channel';
import { WEBHOOK_CHANNEL } from './webhook/webhook.channel';

/**
 * Every channel the relay delivers to, each defined in its own folder: its key is the channel's
 * name (`<name>_configs` in the config, queue `notify-<name>`). Adding a channel is its folder and
 * one line here; config loading, templates, queues and workers all follow from this record, and
 * every other Record<Channel, …> fails to compile until it has the new name.
 */
const DEFINITIONS = {
  dingtalk: DINGTALK_CHANNEL,
  wechat: WECHAT_CHANNEL,
  wecom_robot: WECOM_ROBOT_CHANNEL,
  slack: SLACK_CHANNEL,
  email: EMAIL_CHANNEL,
  feishu: FEISHU_CHANNEL,
  webhook: WEBHOOK_CHANNEL,
} satisfies Record<string, ChannelDefinition>;

export type Channel = keyof typeof DEFINITIONS;
export const CHANNEL_DEFINITIONS: { readonly [C in Channel]: ChannelDefinition } = DEFINITIONS;

/** The channels, in the record's order (the order receivers' blocks are read and queues listed). */
export const CHANNELS = Object.keys(CHANNEL_DEFINITIONS) as readonly Channel[];

export function isChannel(value: string): value is Channel {
  return Object.hasOwn(CHANNEL_DEFINITIONS, value);
}

/** The definition of a config target's channel (`ResolvedTarget.channel`, a name the loader took from this record). */
export function channelDefinition(channel: string): ChannelDefinition {
  if (!isChannel(channel)) throw new Error(`"${channel}" is not a channel (the channels are ${CHANNELS.join(', ')})`);
  return CHANNEL_DEFINITIONS[channel];
}

const CHANNEL_CONFIG_SPECS: ChannelConfigSpecs = Object.fromEntries(CHANNELS.map((c) => [c, CHANNEL_DEFINITIONS[c].config]));

const loader = new ConfigLoader(CHANNEL_CONFIG_SPECS);
/** The relay's config, for its channels: every problem of the file at once, with its path. */
export const inspectConfig = loader.inspectConfig.bind(loader);
export const inspectConfigFile = loader.inspectConfigFile.bind(loader);
export const parseConfig = loader.parseConfig.bind(loader);
export const loadConfigFile = loader.loadConfigFile.bind(loader);

export { BUILTIN_TEMPLATES, relayTemplates } from './builtin-templates';
