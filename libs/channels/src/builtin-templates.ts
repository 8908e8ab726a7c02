import type { Channel } from '@relay/models';
import { COMMON_TEMPLATE_SOURCE, TemplateOptions, TemplateSet, TemplateSource } from '@relay/templates';
import { DINGTALK_TMPL } from './dingtalk/dingtalk.tmpl';
import { EMAIL_TMPL } from './email/email.tmpl';
import { FEISHU_TMPL } from './feishu/feishu.tmpl';
import { SLACK_TMPL } from './slack/slack.tmpl';
import { WECHAT_TMPL } from './wechat/wechat.tmpl';
import { WECOM_ROBOT_TMPL } from './wecom-robot/wecom-robot.tmpl';

/**
 * Each channel's default templates (`<channel>.default.*`, in its folder's `.tmpl.ts`), or null
 * for a channel that renders nothing. Kept apart from the channel definitions, which load the
 * workers' machinery (Nest, BullMQ, HTTP clients): `alert-relay template render` needs only this.
 */
export const CHANNEL_TEMPLATES: { readonly [C in Channel]: TemplateSource | null } = {
  dingtalk: { name: 'relay-dingtalk.tmpl', text: DINGTALK_TMPL },
  email: { name: 'relay-email.tmpl', text: EMAIL_TMPL },
  feishu: { name: 'relay-feishu.tmpl', text: FEISHU_TMPL },
  slack: { name: 'relay-slack.tmpl', text: SLACK_TMPL },
  wechat: { name: 'relay-wechat.tmpl', text: WECHAT_TMPL },
  wecom_robot: { name: 'relay-wecom-robot.tmpl', text: WECOM_ROBOT_TMPL },
  webhook: null,
};

/** The relay's built-in templates: the common helpers, then each channel's defaults. */
export const BUILTIN_TEMPLATES: readonly TemplateSource[] = [COMMON_TEMPLATE_SOURCE, ...Object.values(CHANNEL_TEMPLATES).filter((t): t is TemplateSource => t !== null)];

/** A template set with the relay's built-in templates and the given sources after them. */
export function relayTemplates(sources: readonly TemplateSource[] = [], opts: Omit<TemplateOptions, 'builtins'> = {}): TemplateSet {
  return TemplateSet.fromSources(sources, { ...opts, builtins: BUILTIN_TEMPLATES });
}
