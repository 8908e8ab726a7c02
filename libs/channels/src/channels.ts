import { ChannelConfigSpecs, ConfigLoader } from '@relay/config';
import type { ChannelDefinition } from '@relay/delivery';
import { CHANNELS, Channel } from '@relay/models';
import { COMMON_TEMPLATE_SOURCE, TemplateOptions, TemplateSet, TemplateSource } from '@relay/templates';
import { DINGTALK_CHANNEL } from './dingtalk/dingtalk.channel';
import { EMAIL_CHANNEL } from './email/email.channel';
import { SLACK_CHANNEL } from './slack/slack.channel';
import { WECHAT_CHANNEL } from './wechat/wechat.channel';
import { WECOM_ROBOT_CHANNEL } from './wecom-robot/wecom-robot.channel';

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
};

export const CHANNEL_CONFIG_SPECS: ChannelConfigSpecs = Object.fromEntries(CHANNELS.map((c) => [c, CHANNEL_DEFINITIONS[c].config])) as ChannelConfigSpecs;

/** The relay's built-in templates: the common helpers, then each channel's defaults. */
export const BUILTIN_TEMPLATES: readonly TemplateSource[] = [COMMON_TEMPLATE_SOURCE, ...CHANNELS.flatMap((c) => CHANNEL_DEFINITIONS[c].templates ?? [])];

/** A template set with the relay's built-in templates and the given sources after them. */
export function relayTemplates(sources: readonly TemplateSource[] = [], opts: Omit<TemplateOptions, 'builtins'> = {}): TemplateSet {
  return TemplateSet.fromSources(sources, { ...opts, builtins: BUILTIN_TEMPLATES });
}

const loader = new ConfigLoader(CHANNEL_CONFIG_SPECS);
/** The relay's config, for its channels: every problem of the file at once, with its path. */
export const inspectConfig = loader.inspectConfig.bind(loader);
export const inspectConfigFile = loader.inspectConfigFile.bind(loader);
export const parseConfig = loader.parseConfig.bind(loader);
export const loadConfigFile = loader.loadConfigFile.bind(loader);
