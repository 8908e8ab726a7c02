import type { DingtalkConfig } from '@relay/config';
import type { WebhookPayload } from '@relay/models';
import { renderWithinBytes, templateData, TemplateSet } from '@relay/templates';

/** DingTalk refuses bodies of 20,000 UTF-8 bytes or more (errcode 460101). */
export const DINGTALK_MAX_BODY_BYTES = 20_000;

interface At {
  atMobiles: string[];
  atUserIds: string[];
  isAtAll: boolean;
}

export type DingtalkMessage =
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at: At }
  | { msgtype: 'text'; text: { content: string }; at: At }
  | { msgtype: 'link'; link: { title: string; text: string; messageUrl: string; picUrl: string } }
  | { msgtype: 'actionCard'; actionCard: { title: string; text: string; singleTitle: string; singleURL: string } };

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const moreLine = (dropped: number) => `\n\n… and ${dropped} more alert${dropped === 1 ? '' : 's'}`;

/**
 * Renders the target's templates into the robot message of its msgtype. Whole alerts are dropped
 * (with a "… and N more" line) until the body fits DingTalk's size limit.
 */
export function buildDingtalkMessage(payload: WebhookPayload, config: DingtalkConfig, templates: TemplateSet): DingtalkMessage {
  const data = templateData(payload);
  const title = templates.render(config.title, data).trim() || `[${payload.status.toUpperCase()}] alert`;
  const at = mentionsOf(payload, config);
  const suffix = config.msgtype === 'markdown' ? mentionSuffix(at) : '';
  const renderText = (p: WebhookPayload) => templates.render(config.text, templateData(p));
  const build = (text: string): DingtalkMessage => assemble(payload, config, templates, data, title, text + suffix, at);

  let message = build(renderText(payload));
  let size = bytes(JSON.stringify(message));
  // JSON escaping makes the body larger than the text; shrink the text budget by the excess until it fits.
  let budget = bytes(textOf(message)) - (size - DINGTALK_MAX_BODY_BYTES) - 64;
  for (let i = 0; size >= DINGTALK_MAX_BODY_BYTES && i < 8; i++) {
    message = build(renderWithinBytes(payload, Math.max(budget, 0), renderText, moreLine));
    size = bytes(JSON.stringify(message));
    budget -= size - DINGTALK_MAX_BODY_BYTES + 64;
  }
  return message;
}

function assemble(
  payload: WebhookPayload,
  config: DingtalkConfig,
  templates: TemplateSet,
  data: ReturnType<typeof templateData>,
  title: string,
  text: string,
  at: At,
): DingtalkMessage {
  switch (config.msgtype) {
    case 'text':
      return { msgtype: 'text', text: { content: text }, at };
    case 'link':
      return {
        msgtype: 'link',
        link: { title, text, messageUrl: templates.render(config.message_url, data).trim() || payload.externalURL, picUrl: templates.render(config.pic_url, data).trim() },
      };
    case 'actionCard':
      return {
        msgtype: 'actionCard',
        actionCard: { title, text, singleTitle: config.button_title, singleURL: templates.render(config.message_url, data).trim() || payload.externalURL },
      };
    default:
      return { msgtype: 'markdown', markdown: { title, text }, at };
  }
}

function textOf(message: DingtalkMessage): string {
  switch (message.msgtype) {
    case 'text':
      return message.text.content;
    case 'markdown':
      return message.markdown.text;
    case 'link':
      return message.link.text;
    case 'actionCard':
      return message.actionCard.text;
  }
}

/** Mobiles from config and, with `from_label`, from the alerts' own labels (comma-separated allowed). */
export function mentionsOf(payload: WebhookPayload, config: DingtalkConfig): At {
  const m = config.mentions;
  const mobiles = new Set(m?.mobiles ?? []);
  if (m?.from_label) {
    for (const alert of payload.alerts) {
      for (const mobile of (alert.labels[m.from_label] ?? '').split(',')) if (mobile.trim()) mobiles.add(mobile.trim());
    }
  }
  return { atMobiles: [...mobiles], atUserIds: [...(m?.user_ids ?? [])], isAtAll: m?.all ?? false };
}

/** In markdown DingTalk only highlights an @ that also appears in the text. */
function mentionSuffix(at: At): string {
  const names = [...at.atMobiles, ...at.atUserIds].map((x) => `@${x}`);
  return names.length ? `\n\n${names.join(' ')}` : '';
}
