import type { WechatConfig } from '@relay/config';
import type { WebhookPayload } from '@relay/models';
import { renderWithinBytes, templateData, TemplateSet } from '@relay/templates';

/** WeCom refuses app-message content over 2048 UTF-8 bytes (a Chinese character is 3). */
export const WECHAT_MAX_CONTENT_BYTES = 2048;

export interface WechatMessage {
  touser?: string;
  toparty?: string;
  totag?: string;
  msgtype: 'text' | 'markdown';
  /** WeCom documents an integer; Alertmanager sends a string, which WeCom accepts too. */
  agentid: number | string;
  text?: { content: string };
  markdown?: { content: string };
  safe: 0;
}

export const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
/**
 * Renders the target's templates into a message/send body. Whole alerts are dropped, firing ones
 * last (with an "… and N more" line), until the content fits 2048 bytes; only if the
 * alert-independent part alone is too long is it cut, and then on a character boundary.
 */
export function buildWechatMessage(payload: WebhookPayload, config: WechatConfig, templates: TemplateSet): WechatMessage {
  const data = templateData(payload);
  const field = (template: string | undefined) => (template === undefined ? undefined : templates.render(template, data).trim() || undefined);
  const content = renderContent(payload, config.message, templates, WECHAT_MAX_CONTENT_BYTES);
  const agentId = field(config.agent_id) ?? '';
  const noRecipients = config.to_user === undefined && config.to_party === undefined && config.to_tag === undefined;
  const message: WechatMessage = {
    touser: noRecipients ? '@all' : field(config.to_user),
    toparty: field(config.to_party),
    totag: field(config.to_tag),
    msgtype: config.message_type,
    agentid: /^\d+$/.test(agentId) ? Number(agentId) : agentId,
    safe: 0,
  };
  if (config.message_type === 'markdown') message.markdown = { content };
  else message.text = { content };
  return message;
}

/** The `message` template rendered within `maxBytes`, shared by app messages and group robots. */
export function renderContent(payload: WebhookPayload, template: string, templates: TemplateSet, maxBytes: number): string {
  const render = (p: WebhookPayload) => templates.render(template, templateData(p));
  return renderWithinBytes(payload, maxBytes, render, { countTemplates: templates });
}
