import type { WecomRobotConfig } from '@relay/config';
import type { WebhookPayload } from '@relay/models';
import type { TemplateSet } from '@relay/templates';
import { renderContent } from './wechat.message';

/** WeCom's content limits per robot msgtype, in UTF-8 bytes. */
export const WECOM_ROBOT_MAX_CONTENT_BYTES = { text: 2048, markdown: 4096, markdown_v2: 4096 } as const;

export type WecomRobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list: string[]; mentioned_mobile_list: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'markdown_v2'; markdown_v2: { content: string } };

/** Renders the robot's `message` template within its msgtype's limit, dropping whole alerts first. */
export function buildWecomRobotMessage(payload: WebhookPayload, config: WecomRobotConfig, templates: TemplateSet): WecomRobotMessage {
  const content = renderContent(payload, config.message, templates, WECOM_ROBOT_MAX_CONTENT_BYTES[config.msgtype]);
  switch (config.msgtype) {
    case 'text':
      return { msgtype: 'text', text: { content, mentioned_list: config.mentioned_list, mentioned_mobile_list: config.mentioned_mobile_list } };
    case 'markdown_v2':
      return { msgtype: 'markdown_v2', markdown_v2: { content } };
    default:
      return { msgtype: 'markdown', markdown: { content } };
  }
}
