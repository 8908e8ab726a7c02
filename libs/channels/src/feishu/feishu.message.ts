import type { DigestMessage } from '@relay/delivery/platform';
import type { WebhookPayload } from '@relay/models';
import { defaultMoreLine, MoreLine, packDigest, renderWithinBytes, templateData, TemplateSet } from '@relay/templates';
import { withinJsonBytes } from '../dingtalk/dingtalk.message';
import { FEISHU_USER_ID, FeishuConfig } from './feishu.config';

/** Feishu refuses bodies over 20 KB; whether it counts 1000 or 1024 bytes a KB is not known, so 20,000. */
export const FEISHU_MAX_BODY_BYTES = 20_000;
/** The card header or post title; bounding it leaves the text the room. */
export const FEISHU_MAX_TITLE_BYTES = 1_024;
/** Mentions beyond this many bytes of open_ids are not made (a label listing a thousand owners). */
export const FEISHU_MAX_MENTION_BYTES = 4_000;

/**
 * What signing adds to the body on each attempt: `,"timestamp":"<10 digits>","sign":"<44 base64>"`.
 * The message is built without them, so it leaves their room.
 */
const SIGNATURE_BYTES = Buffer.byteLength(JSON.stringify({ timestamp: '1763625600', sign: 'x'.repeat(44) }), 'utf8') - 1;

type PostElement = { tag: 'text'; text: string } | { tag: 'at'; user_id: string };

export interface FeishuCard {
  config: { wide_screen_mode: true };
  header: { template: 'red' | 'green'; title: { tag: 'plain_text'; content: string } };
  elements: Array<{ tag: 'markdown'; content: string }>;
}

export type FeishuMessage =
  | { msg_type: 'interactive'; card: FeishuCard }
  | { msg_type: 'post'; content: { post: { zh_cn: { title: string; content: PostElement[][] } } } }
  | { msg_type: 'text'; content: { text: string } };

interface Mentions {
  all: boolean;
  ids: string[];
}

const bodyBytes = (message: FeishuMessage) => Buffer.byteLength(JSON.stringify(message), 'utf8');

/**
 * Renders the target's templates into the bot message of its msg_type, always within Feishu's
 * size limit: the title and mentions are bounded first, then the text gets the room left, measured
 * as the bytes it adds to the JSON body (escapes and, in a post, a paragraph per line included):
 * whole alerts are dropped (firing ones last, with a "… and N more" line), and only if the
 * alert-free part alone is too long is it cut on a character boundary. `note` (a template
 * fallback's reason) heads the text.
 */
export function buildFeishuMessage(payload: WebhookPayload, config: FeishuConfig, templates: TemplateSet, note?: string): FeishuMessage {
  const { build, room, renderText, measure } = layout(payload, config, templates, note);
  const moreLine: MoreLine = config.msg_type === 'interactive' ? cardMoreLine : defaultMoreLine;
  return build(renderWithinBytes(payload, room, renderText, { moreLine, countTemplates: templates, measure }));
}

/**
 * The digest of several notifications: `feishu.default.digest` (`.digest.plain` for post and
 * text) and `.digest.title` over all their alerts, in as few messages as the 20,000 bytes need;
 * the mentions of every alert a message shows are merged into it.
 */
export function buildFeishuDigest(notifications: WebhookPayload[], config: FeishuConfig, templates: TemplateSet, note?: string): DigestMessage<FeishuMessage>[] {
  const digest: FeishuConfig = { ...config, title: DIGEST_TITLE, text: config.msg_type === 'interactive' ? DIGEST_CARD : DIGEST_PLAIN };
  const fits = (part: WebhookPayload) => {
    const { room, renderText, measure } = layout(part, digest, templates, note);
    return measure(renderText(part)) <= room;
  };
  return packDigest(notifications, fits).map(({ payload, completes }) => ({ message: buildFeishuMessage(payload, digest, templates, note), completes }));
}

const DIGEST_TITLE = `{{ template "feishu.default.digest.title" . }}`;
const DIGEST_CARD = `{{ template "feishu.default.digest" . }}`;
const DIGEST_PLAIN = `{{ template "feishu.default.digest.plain" . }}`;

/** The default `text` of a msg_type: post and text messages would show markdown's marks. */
export function defaultFeishuText(msgType: FeishuConfig['msg_type']): string {
  return msgType === 'interactive' ? `{{ template "feishu.default.text" . }}` : `{{ template "feishu.default.plain" . }}`;
}

// A blank line first: in card markdown a single newline would join it to the last alert's link line.
const cardMoreLine: MoreLine = (dropped, omitted) => `\n${defaultMoreLine(dropped, omitted)}`;

/** The frame of a message (title and mentions, bounded), the bytes its text may add, and how to measure them. */
function layout(payload: WebhookPayload, config: FeishuConfig, templates: TemplateSet, note?: string) {
  const data = templateData(payload);
  const title = config.msg_type === 'text' ? '' : withinJsonBytes(templates.render(config.title, data).trim() || `[${payload.status.toUpperCase()}] alert`, FEISHU_MAX_TITLE_BYTES);
  const mentions = boundedMentions(mentionsOf(payload, config));
  const colour = payload.status === 'firing' ? 'red' : 'green';
  const build = (text: string) => assemble(config.msg_type, title, colour, text, mentions);
  const empty = bodyBytes(build(''));
  const measure = (text: string) => bodyBytes(build(text)) - empty;
  const room = FEISHU_MAX_BODY_BYTES - SIGNATURE_BYTES - empty;
  const head = note ? `${note}\n\n` : '';
  const textTemplate = config.text ?? defaultFeishuText(config.msg_type);
  const renderText = (p: WebhookPayload) => head + templates.render(textTemplate, templateData(p));
  return { build, room, renderText, measure };
}

function assemble(msgType: FeishuConfig['msg_type'], title: string, colour: FeishuCard['header']['template'], text: string, mentions: Mentions): FeishuMessage {
  const ids = [...(mentions.all ? ['all'] : []), ...mentions.ids];
  switch (msgType) {
    case 'text': {
      const ats = ids.map((id) => (id === 'all' ? '<at user_id="all">所有人</at>' : `<at user_id="${id}"></at>`));
      return { msg_type: 'text', content: { text: withSuffix(text, ats.join(' ')) } };
    }
    case 'post': {
      // One paragraph per line: post text elements are single lines; blank ones would be empty paragraphs.
      const lines: PostElement[][] = text.split('\n').filter((line) => line.trim()).map((line) => [{ tag: 'text', text: line }]);
      if (ids.length) lines.push(ids.map((id) => ({ tag: 'at', user_id: id })));
      return { msg_type: 'post', content: { post: { zh_cn: { title, content: lines } } } };
    }
    default: {
      const ats = ids.map((id) => `<at id=${id}></at>`);
      return {
        msg_type: 'interactive',
        card: { config: { wide_screen_mode: true }, header: { template: colour, title: { tag: 'plain_text', content: title } }, elements: [{ tag: 'markdown', content: withSuffix(text, ats.join(' ')) }] },
      };
    }
  }
}

const withSuffix = (text: string, suffix: string) => (suffix ? `${text}\n\n${suffix}` : text);

/** The configured open_ids and, with `from_label`, those in each alert's label (comma-separated allowed). */
function mentionsOf(payload: WebhookPayload, config: FeishuConfig): Mentions {
  const m = config.mentions;
  const ids = new Set(m?.user_ids ?? []);
  if (m?.from_label) {
    for (const alert of payload.alerts) {
      // A label is data, not config: a value that could break out of the <at> tag is not mentioned.
      for (const id of (alert.labels[m.from_label] ?? '').split(',')) if (FEISHU_USER_ID.test(id.trim())) ids.add(id.trim());
    }
  }
  return { all: m?.all ?? false, ids: [...ids] };
}

function boundedMentions({ all, ids }: Mentions): Mentions {
  let used = 0;
  return { all, ids: ids.filter((id) => (used += id.length + 16) <= FEISHU_MAX_MENTION_BYTES) };
}
