import type { WecomRobotConfig } from './wecom-robot.config';
import type { DigestMessage } from '@relay/delivery/platform';
import type { WebhookPayload } from '@relay/models';
import { TemplateSet } from '@relay/templates';
import { digestContents, renderContent } from '../wechat/wechat.message';

/** WeCom's content limits per robot msgtype, in UTF-8 bytes. */
export const WECOM_ROBOT_MAX_CONTENT_BYTES = { text: 2048, markdown: 4096, markdown_v2: 4096 } as const;

export type WecomRobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list: string[]; mentioned_mobile_list: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'markdown_v2'; markdown_v2: { content: string } };

/** Renders the robot's `message` template within its msgtype's limit, dropping whole alerts first. */
export function buildWecomRobotMessage(payload: WebhookPayload, config: WecomRobotConfig, templates: TemplateSet, note?: string): WecomRobotMessage {
  return robotMessage(config, renderContent(payload, config.message, templates, WECOM_ROBOT_MAX_CONTENT_BYTES[config.msgtype], note));
}

/**
 * The digest of several notifications: `wecom_robot.default.digest` over their alerts, in as few
 * messages as the msgtype's limit needs. A robot posts to one group, so every notification goes to
 * the same place. A text digest mentions whom the target's messages mention, in every part: each
 * may be the one carrying someone's alert.
 */
export function buildWecomRobotDigest(notifications: WebhookPayload[], config: WecomRobotConfig, templates: TemplateSet, note?: string): DigestMessage<WecomRobotMessage>[] {
  const maxBytes = WECOM_ROBOT_MAX_CONTENT_BYTES[config.msgtype];
  const theRobotsGroup = () => '';
  return digestContents(notifications, theRobotsGroup, 'wecom_robot.default.digest', templates, maxBytes, note).map(({ content, completes }) => ({
    message: robotMessage(config, content),
    completes,
  }));
}

function robotMessage(config: WecomRobotConfig, content: string): WecomRobotMessage {
  switch (config.msgtype) {
    case 'text':
      return { msgtype: 'text', text: { content, mentioned_list: config.mentioned_list, mentioned_mobile_list: config.mentioned_mobile_list } };
    case 'markdown_v2':
      return { msgtype: 'markdown_v2', markdown_v2: { content } };
    default:
      return { msgtype: 'markdown', markdown: { content } };
  }
}
