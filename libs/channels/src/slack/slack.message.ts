import { SlackConfig } from './slack.config';
import type { DigestMessage } from '@relay/delivery/platform';
import type { WebhookPayload } from '@relay/models';
import { packDigestByDestination, renderWithinBytes, templateData, TemplateSet } from '@relay/templates';

/** Slack's limit on an attachment title, in runes (as Alertmanager counts it). */
export const SLACK_MAX_TITLE_RUNES = 1024;

/**
 * Budget for the attachment text. Slack documents no hard limit for legacy attachment text; it
 * advises keeping message text to 4,000 characters (and truncates far above). Counting UTF-8
 * bytes rather than characters keeps non-Latin text inside that advice too.
 */
export const SLACK_MAX_TEXT_BYTES = 4_000;

/** Alertmanager's default when `mrkdwn_in` is not set. */
const DEFAULT_MRKDWN_IN = ['fallback', 'pretext', 'text'];

export interface SlackField {
  title: string;
  value: string;
  short: boolean;
}

export interface SlackAction {
  type: string;
  text: string;
  url?: string;
  style?: string;
  name?: string;
  value?: string;
  confirm?: { text: string; title?: string; ok_text?: string; dismiss_text?: string };
}

export interface SlackAttachment {
  title?: string;
  title_link?: string;
  pretext?: string;
  text: string;
  fallback: string;
  callback_id: string;
  fields?: SlackField[];
  actions?: SlackAction[];
  image_url?: string;
  thumb_url?: string;
  footer: string;
  color?: string;
  mrkdwn_in: string[];
}

/** The body posted to an incoming webhook or to chat.postMessage (the same shape serves both). */
export interface SlackMessage {
  channel?: string;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  link_names?: boolean;
  text?: string;
  attachments: SlackAttachment[];
}

/** Keeps at most `max` runes, the last being "…" when something was cut (Alertmanager's TruncateInRunes). */
export function truncateRunes(text: string, max: number): string {
  const runes = Array.from(text);
  return runes.length <= max ? text : runes.slice(0, max - 1).join('') + '…';
}

/**
 * Alertmanager's Slack message: one legacy attachment coloured by status, every field rendered
 * from the target's templates. The title is cut to Slack's 1,024 runes; the text drops whole
 * alerts, firing ones last (with a "… and N more" line), until it fits SLACK_MAX_TEXT_BYTES.
 */
export function buildSlackMessage(payload: WebhookPayload, config: SlackConfig, templates: TemplateSet, note?: string): SlackMessage {
  return assemble(payload, config, templates, note);
}

/**
 * The digest of several notifications, in as few messages as SLACK_MAX_TEXT_BYTES allows: the
 * attachment titled by `slack.default.digest.title`, its text `slack.default.digest` over every
 * alert carried, red while any fires. Channel, username, icon, pretext, footer and message text
 * are the target's; fields, actions, images and its title link describe one group's alerts, so a
 * digest leaves them out and links to Alertmanager. A templated `channel` is rendered per
 * notification, as its own message would be, and each channel gets its own digest.
 */
export function buildSlackDigest(notifications: WebhookPayload[], config: SlackConfig, templates: TemplateSet, note?: string): DigestMessage<SlackMessage>[] {
  const digest = digestConfig(config);
  const head = note ? `${note}\n\n` : '';
  const channelOf = (n: WebhookPayload) => (config.channel ? templates.render(config.channel, templateData(n)) : '');
  const fits = (part: WebhookPayload) => Buffer.byteLength(head + templates.render(digest.text, templateData(part)), 'utf8') <= SLACK_MAX_TEXT_BYTES;
  return packDigestByDestination(notifications, channelOf, fits).map(({ payload, completes, destination }) => ({
    message: assemble(payload, digest, templates, note, destination),
    completes,
  }));
}

const DIGEST_TITLE = `{{ template "slack.default.digest.title" . }}`;
const DIGEST_TEXT = `{{ template "slack.default.digest" . }}`;

function digestConfig(config: SlackConfig): SlackConfig {
  const defaults = new SlackConfig();
  const mrkdwnIn = config.mrkdwn_in.length ? config.mrkdwn_in : DEFAULT_MRKDWN_IN;
  return {
    ...config,
    title: DIGEST_TITLE,
    text: DIGEST_TEXT,
    // What a notification or a text-only client shows: the digest's title, not one group's.
    fallback: DIGEST_TITLE,
    title_link: defaults.title_link,
    // By status, whatever the target's colour template keys on: a digest has no one severity.
    color: defaults.color,
    callback_id: '',
    image_url: '',
    thumb_url: '',
    fields: [],
    actions: [],
    // The digest text is mrkdwn (bold names, emoji), whatever the target's own text template is.
    mrkdwn_in: mrkdwnIn.includes('text') ? mrkdwnIn : [...mrkdwnIn, 'text'],
  };
}

/** The message for `payload`; `channel`, when given, is already rendered (a digest's, per notification). */
function assemble(payload: WebhookPayload, config: SlackConfig, templates: TemplateSet, note?: string, channel?: string): SlackMessage {
  const data = templateData(payload);
  const render = (text: string | undefined) => (text ? templates.render(text, data) : '');
  const head = note ? `${note}\n\n` : '';
  const renderText = (p: WebhookPayload) => head + templates.render(config.text, templateData(p));

  let text = renderText(payload);
  if (Buffer.byteLength(text, 'utf8') > SLACK_MAX_TEXT_BYTES) {
    text = renderWithinBytes(payload, SLACK_MAX_TEXT_BYTES, renderText, { countTemplates: templates });
  }

  const attachment: SlackAttachment = omitEmpty({
    title: truncateRunes(render(config.title), SLACK_MAX_TITLE_RUNES),
    title_link: render(config.title_link),
    pretext: render(config.pretext),
    text,
    fallback: render(config.fallback),
    callback_id: render(config.callback_id),
    image_url: render(config.image_url),
    thumb_url: render(config.thumb_url),
    footer: render(config.footer),
    color: render(config.color),
    mrkdwn_in: config.mrkdwn_in.length ? config.mrkdwn_in : DEFAULT_MRKDWN_IN,
  }, ['title', 'title_link', 'pretext', 'image_url', 'thumb_url', 'color']);

  if (config.fields.length) {
    attachment.fields = config.fields.map((f) => ({ title: render(f.title), value: render(f.value), short: f.short ?? config.short_fields }));
  }
  if (config.actions.length) {
    attachment.actions = config.actions.map((a) => {
      // A link button carries only its URL; a message action only its name and value (as Alertmanager clears them).
      const action: SlackAction = a.url
        ? omitEmpty({ type: render(a.type), text: render(a.text), url: render(a.url), style: render(a.style) }, ['style'])
        : omitEmpty({ type: render(a.type), text: render(a.text), style: render(a.style), name: render(a.name), value: render(a.value) }, ['style', 'value']);
      if (!a.url && a.confirm) {
        action.confirm = omitEmpty(
          { text: render(a.confirm.text), title: render(a.confirm.title), ok_text: render(a.confirm.ok_text), dismiss_text: render(a.confirm.dismiss_text) },
          ['title', 'ok_text', 'dismiss_text'],
        );
      }
      return action;
    });
  }

  return omitEmpty(
    {
      channel: channel ?? render(config.channel),
      username: render(config.username),
      icon_emoji: render(config.icon_emoji),
      icon_url: render(config.icon_url),
      link_names: config.link_names || undefined,
      text: render(config.message_text),
      attachments: [attachment],
    },
    ['channel', 'username', 'icon_emoji', 'icon_url', 'link_names', 'text'],
  );
}

/** Drops the optional keys that rendered empty, as Alertmanager's `omitempty` does. */
function omitEmpty<T extends object>(value: T, optional: Array<keyof T>): T {
  for (const key of optional) {
    const v = value[key] as unknown;
    if (v === '' || v === undefined || v === false) delete value[key];
  }
  return value;
}
