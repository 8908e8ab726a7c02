import type { WechatConfig } from './wechat.config';
import type { DigestMessage } from '@relay/delivery/platform';
import type { WebhookPayload } from '@relay/models';
import { packDigestByDestination, renderWithinBytes, templateData, TemplateSet } from '@relay/templates';

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
export function buildWechatMessage(payload: WebhookPayload, config: WechatConfig, templates: TemplateSet, note?: string): WechatMessage {
  return withContent(addressOf(payload, config, templates), renderContent(payload, config.message, templates, WECHAT_MAX_CONTENT_BYTES, note));
}

/**
 * The digest of several notifications: `wechat.default.digest` over their alerts, in as few
 * messages of 2048 bytes as they need. Recipients and agent are rendered for each notification
 * from its own data, as its single message would render them, and a message only carries
 * notifications going to the same ones: with `to_user: 'oncall-{{ .CommonLabels.team }}'` one
 * team's alerts must not reach another team because they waited together.
 */
export function buildWechatDigest(notifications: WebhookPayload[], config: WechatConfig, templates: TemplateSet, note?: string): DigestMessage<WechatMessage>[] {
  // The address itself is the destination: notifications with equal ones share messages.
  const destinationOf = (notification: WebhookPayload) => JSON.stringify(addressOf(notification, config, templates));
  return digestContents(notifications, destinationOf, 'wechat.default.digest', templates, WECHAT_MAX_CONTENT_BYTES, note).map(({ destination, content, completes }) => ({
    message: withContent(JSON.parse(destination) as WechatAddress, content),
    completes,
  }));
}

/** Who a message goes to and from which app: everything of the body but its content. */
type WechatAddress = Omit<WechatMessage, 'text' | 'markdown'>;

function addressOf(payload: WebhookPayload, config: WechatConfig, templates: TemplateSet): WechatAddress {
  const data = templateData(payload);
  const field = (template: string | undefined) => (template === undefined ? undefined : templates.render(template, data).trim() || undefined);
  const agentId = field(config.agent_id) ?? '';
  const noRecipients = config.to_user === undefined && config.to_party === undefined && config.to_tag === undefined;
  return {
    touser: noRecipients ? '@all' : field(config.to_user),
    toparty: field(config.to_party),
    totag: field(config.to_tag),
    msgtype: config.message_type,
    agentid: /^\d+$/.test(agentId) ? Number(agentId) : agentId,
    safe: 0,
  };
}

function withContent(address: WechatAddress, content: string): WechatMessage {
  return address.msgtype === 'markdown' ? { ...address, markdown: { content } } : { ...address, text: { content } };
}

/** The `message` template rendered within `maxBytes` (after `note`, when there is one), shared by app messages and group robots. */
export function renderContent(payload: WebhookPayload, template: string, templates: TemplateSet, maxBytes: number, note?: string): string {
  return renderWithinBytes(payload, maxBytes, contentRenderer(template, templates, note), { countTemplates: templates });
}

/** One message's content of a digest, where it goes, and the notifications (indexes into those packed) it is the last to show. */
export interface DigestContent {
  destination: string;
  content: string;
  completes: number[];
}

/**
 * The contents of a digest, shared by app messages and group robots: the digest template named
 * `templateName` over every alert of the notifications going to one destination (see
 * packDigestByDestination), firing ones first, each content taking as many whole alerts as fit
 * `maxBytes` after `note`. An alert too long for a message of its own is shortened there as a
 * single notification would be.
 */
export function digestContents(
  notifications: WebhookPayload[],
  destinationOf: (notification: WebhookPayload) => string,
  templateName: string,
  templates: TemplateSet,
  maxBytes: number,
  note?: string,
): DigestContent[] {
  const template = `{{ template "${templateName}" . }}`;
  const render = contentRenderer(template, templates, note);
  const fits = (part: WebhookPayload) => bytes(render(part)) <= maxBytes;
  return packDigestByDestination(notifications, destinationOf, fits).map(({ destination, payload, completes }) => ({
    destination,
    content: renderContent(payload, template, templates, maxBytes, note),
    completes,
  }));
}

/** A template's content for a payload, headed by `note` (a template fallback's reason) when there is one. */
function contentRenderer(template: string, templates: TemplateSet, note?: string): (payload: WebhookPayload) => string {
  const head = note ? `${note}\n\n` : '';
  return (payload) => head + templates.render(template, templateData(payload));
}
