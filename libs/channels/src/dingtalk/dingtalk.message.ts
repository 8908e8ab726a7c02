import type { DingtalkConfig } from './dingtalk.config';
import type { WebhookPayload } from '@relay/models';
import type { DigestMessage } from '@relay/delivery/platform';
import { cutToFit, defaultMoreLine, DingtalkToolData, MoreLine, packDigest, renderWithinBytes, templateData, TemplateSet } from '@relay/templates';

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

/**
 * The title is only the preview of a markdown message and the heading of a link or actionCard;
 * bounding it leaves the text the room (a title template rendering 10 KB once made a body
 * DingTalk refused, losing the alert).
 */
export const DINGTALK_MAX_TITLE_BYTES = 1_024;
/** Longer templated URLs give way to the Alertmanager link: a URL cut short would point nowhere. */
export const DINGTALK_MAX_URL_BYTES = 2_048;
/** Mentions are listed twice in a markdown body (in `at` and in the text); beyond this the rest are not mentioned. */
export const DINGTALK_MAX_MENTION_BYTES = 4_000;

/** What a string adds to the JSON body: its UTF-8 bytes with JSON's escapes, without the quotes. */
export const jsonBytes = (text: string) => Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
const bodyBytes = (message: DingtalkMessage) => Buffer.byteLength(JSON.stringify(message), 'utf8');

// A blank line first: in markdown a single newline would join the line to the last alert's quote.
const moreLine: MoreLine = (dropped, omitted) => `\n${defaultMoreLine(dropped, omitted)}`;

/** The fields around the text, each already within its bound. */
interface Frame {
  title: string;
  messageUrl: string;
  picUrl: string;
  buttonTitle: string;
}

/**
 * Renders the target's templates into the robot message of its msgtype, always under DingTalk's
 * size limit: title, URLs and mentions are bounded first, then the text gets the room left, in
 * JSON-escaped bytes (what the limit counts): whole alerts are dropped (firing ones last, with a
 * "… and N more" line), and only if the alert-free part alone is too long is it cut on a
 * character boundary. `note` (a template fallback's reason) heads the text.
 */
export function buildDingtalkMessage(payload: WebhookPayload, config: DingtalkConfig, templates: TemplateSet, note?: string): DingtalkMessage {
  const { build, room, renderText } = layout(payload, config, templates, note);
  const text = renderWithinBytes(payload, room, renderText, { moreLine, countTemplates: templates, measure: jsonBytes });
  const message = build(text);
  // The text was measured as the body counts it, so this never cuts today; it stays so that no
  // change elsewhere can make DingTalk refuse the body (460101 is final: the alert would be lost).
  const excess = bodyBytes(message) - (DINGTALK_MAX_BODY_BYTES - 1);
  return excess > 0 ? build(cutToFit(text, jsonBytes(text) - excess, jsonBytes)) : message;
}

/**
 * The digest of several notifications: `dingtalk.default.digest` (and `.digest.title`) over all
 * their alerts, in as few messages as the 20,000 bytes need; mentions of every alert are merged.
 */
export function buildDingtalkDigest(notifications: WebhookPayload[], config: DingtalkConfig, templates: TemplateSet, note?: string): DigestMessage<DingtalkMessage>[] {
  // The digest templates are the relay's own, so they render as Alertmanager's whatever the target's dialect.
  const digest: DingtalkConfig = { ...config, title: DIGEST_TITLE, text: DIGEST_TEXT, template_dialect: 'alertmanager' };
  const fits = (part: WebhookPayload) => {
    const { room, renderText } = layout(part, digest, templates, note);
    return jsonBytes(renderText(part)) <= room;
  };
  return packDigest(notifications, fits).map(({ payload, completes }) => ({ message: buildDingtalkMessage(payload, digest, templates, note), completes }));
}

const DIGEST_TITLE = `{{ template "dingtalk.default.digest.title" . }}`;
const DIGEST_TEXT = `{{ template "dingtalk.default.digest" . }}`;

/** The frame of a message (title, URLs, mentions, each bounded) and the JSON bytes its text may take. */
function layout(payload: WebhookPayload, config: DingtalkConfig, baseTemplates: TemplateSet, note?: string) {
  // A note means the target's templates failed and the relay's defaults stand in: those are Alertmanager templates.
  const tool = config.template_dialect === 'prometheus-webhook-dingtalk' && !note;
  const templates = tool ? baseTemplates.dialect('prometheus-webhook-dingtalk') : baseTemplates;
  // The tool gave its templates the target's own mobiles as .AtMobiles (not those found through from_label).
  const dataOf = (p: WebhookPayload) => (tool ? new DingtalkToolData(templateData(p), config.mentions?.mobiles ?? []) : templateData(p));
  const data = dataOf(payload);
  const alertmanagerUrl = payload.externalURL;
  const linked = config.msgtype === 'link' || config.msgtype === 'actionCard';
  const frame: Frame = {
    title: withinJsonBytes(templates.render(config.title, data).trim() || `[${payload.status.toUpperCase()}] alert`, DINGTALK_MAX_TITLE_BYTES),
    messageUrl: linked ? boundedUrl(templates.render(config.message_url, data).trim() || alertmanagerUrl, alertmanagerUrl) : '',
    picUrl: config.msgtype === 'link' ? boundedUrl(templates.render(config.pic_url, data).trim(), '') : '',
    buttonTitle: withinJsonBytes(config.button_title, DINGTALK_MAX_TITLE_BYTES),
  };
  const at = boundedMentions(mentionsOf(payload, config), config.msgtype === 'markdown');
  const suffix = (text: string) => (config.msgtype !== 'markdown' ? '' : mentionSuffix(tool ? notWrittenIn(text, at) : at));
  const build = (text: string): DingtalkMessage => assemble(config.msgtype, frame, text + suffix(text), at);
  // The bounds above leave the text at least 9 KB. Its JSON escapes add exactly its jsonBytes to
  // the body (the suffix starts with a newline, so no escape spans the join).
  const room = DINGTALK_MAX_BODY_BYTES - 1 - bodyBytes(build(''));
  const head = note ? `${note}\n\n` : '';
  const renderText = (p: WebhookPayload) => head + templates.render(config.text, dataOf(p));
  return { build, room, renderText };
}

function assemble(msgtype: DingtalkConfig['msgtype'], frame: Frame, text: string, at: At): DingtalkMessage {
  switch (msgtype) {
    case 'text':
      return { msgtype: 'text', text: { content: text }, at };
    case 'link':
      return { msgtype: 'link', link: { title: frame.title, text, messageUrl: frame.messageUrl, picUrl: frame.picUrl } };
    case 'actionCard':
      return { msgtype: 'actionCard', actionCard: { title: frame.title, text, singleTitle: frame.buttonTitle, singleURL: frame.messageUrl } };
    default:
      return { msgtype: 'markdown', markdown: { title: frame.title, text }, at };
  }
}

/** `text`, or if it adds more than maxBytes to the JSON body, its prefix that does not with a trailing "…". */
export function withinJsonBytes(text: string, maxBytes: number): string {
  return jsonBytes(text) <= maxBytes ? text : cutToFit(text, maxBytes - jsonBytes('…'), jsonBytes) + '…';
}

/** A rendered URL, or `fallback` when it is too long; if that is too long too, the URL cut (it still names its host). */
function boundedUrl(url: string, fallback: string): string {
  if (jsonBytes(url) <= DINGTALK_MAX_URL_BYTES) return url;
  if (jsonBytes(fallback) <= DINGTALK_MAX_URL_BYTES) return fallback;
  return cutToFit(url, DINGTALK_MAX_URL_BYTES, jsonBytes);
}

/** The mentions, in order, that fit DINGTALK_MAX_MENTION_BYTES in `at` and (for markdown) in the text's suffix. */
function boundedMentions(at: At, inText: boolean): At {
  let used = 0;
  const fits = (id: string) => {
    used += jsonBytes(id) + 3 + (inText ? jsonBytes(id) + 2 : 0); // quotes and comma in `at`; "@" and a space in the text
    return used <= DINGTALK_MAX_MENTION_BYTES;
  };
  const atMobiles: string[] = [];
  const atUserIds: string[] = [];
  for (const mobile of at.atMobiles) if (fits(mobile)) atMobiles.push(mobile);
  for (const id of at.atUserIds) if (fits(id)) atUserIds.push(id);
  return { atMobiles, atUserIds, isAtAll: at.isAtAll };
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

/**
 * The mentions a text does not already @ (the tool's templates write them, `@138…`): appending
 * them again would show each twice.
 */
function notWrittenIn(text: string, at: At): At {
  const missing = (id: string) => !text.includes(`@${id}`);
  return { ...at, atMobiles: at.atMobiles.filter(missing), atUserIds: at.atUserIds.filter(missing) };
}

/** In markdown DingTalk only highlights an @ that also appears in the text. */
function mentionSuffix(at: At): string {
  const names = [...at.atMobiles, ...at.atUserIds].map((x) => `@${x}`);
  return names.length ? `\n\n${names.join(' ')}` : '';
}
