import type { Channel } from '@relay/channels';
import MarkdownIt from 'markdown-it';

/**
 * What the platform would show, as the page draws it. HTML here is made by markdown-it with raw
 * HTML off (a template's `<script>` is shown as text, as the chat platforms show it) and its link
 * check on (no `javascript:` or `data:` links), so the page may insert it as it is. Email HTML is
 * the mail itself: the page shows it only inside an iframe sandboxed without scripts.
 */
export type Preview =
  | { kind: 'markdown'; title?: string; html: string; colour?: string }
  | { kind: 'text'; title?: string; text: string }
  | { kind: 'slack'; html?: string; attachments: SlackPreviewAttachment[] }
  | { kind: 'email'; subject: string; from: string; to: string; html: string; text: string }
  | { kind: 'json'; note: string };

export interface SlackPreviewAttachment {
  colour: string;
  title?: string;
  titleLink?: string;
  pretextHtml?: string;
  textHtml: string;
  fields: Array<{ title: string; valueHtml: string; short: boolean }>;
  footer?: string;
}

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });

/** WeCom markdown's one HTML-like tag, `<font color="info|comment|warning">`; markdown-it has escaped it, and only that exact form is turned back. */
const WECOM_FONT = /&lt;font color=&quot;(info|comment|warning)&quot;&gt;([\s\S]*?)&lt;\/font&gt;/g;

export function markdownHtml(text: string, wecomFonts = false): string {
  const html = markdown.render(text);
  return wecomFonts ? html.replace(WECOM_FONT, (_m, colour: string, inner: string) => `<span class="wecom-${colour}">${inner}</span>`) : html;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Slack's mrkdwn as Slack shows it: `<url|text>` links (http, https and mailto only), *bold*,
 * _italic_, ~strike~, `code` and ``` blocks. Everything is escaped first, so no markup of the
 * template's own can get through.
 */
export function slackMrkdwnHtml(text: string): string {
  let html = escapeHtml(text);
  html = html.replace(/```([\s\S]*?)```/g, (_m, code: string) => `<pre>${code}</pre>`);
  html = html.replace(/&lt;((?:https?:\/\/|mailto:)[^|&\s]+?)(?:\|([^&]*?))?&gt;/g, (_m, url: string, label?: string) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${label || url}</a>`);
  html = html.replace(/`([^`\n]+)`/g, '<code>$1</code>');
  html = html.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/gm, '$1<b>$2</b>');
  html = html.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/gm, '$1<i>$2</i>');
  html = html.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,!?:;])/gm, '$1<s>$2</s>');
  return html.replace(/\n/g, '<br>');
}

/** Slack's named colours for an attachment's bar. */
const SLACK_COLOURS: Record<string, string> = { good: '#2eb886', warning: '#daa038', danger: '#a30200' };
const slackColour = (c: string | undefined) => (c && (SLACK_COLOURS[c] ?? (/^#[0-9a-f]{3,8}$/i.test(c) ? c : undefined))) ?? '#dddddd';

/** The platform's view of a built message. `message` is what the channel's `build` returned. */
export function previewOf(channel: Channel, message: any): Preview {
  switch (channel) {
    case 'dingtalk':
      switch (message.msgtype) {
        case 'text':
          return { kind: 'text', text: message.text.content };
        case 'link':
          return { kind: 'markdown', title: message.link.title, html: markdownHtml(message.link.text) };
        case 'actionCard':
          return { kind: 'markdown', title: message.actionCard.title, html: markdownHtml(`${message.actionCard.text}\n\n[${message.actionCard.singleTitle}](${message.actionCard.singleURL})`) };
        default:
          return { kind: 'markdown', title: message.markdown.title, html: markdownHtml(message.markdown.text) };
      }
    case 'feishu':
      if (message.msg_type === 'text') return { kind: 'text', text: message.content.text };
      if (message.msg_type === 'post') {
        const post = message.content.post.zh_cn;
        const lines = post.content.map((line: any[]) => line.map((e) => (e.tag === 'at' ? `@${e.user_id}` : e.text)).join(' '));
        return { kind: 'text', title: post.title, text: lines.join('\n') };
      }
      return {
        kind: 'markdown',
        title: message.card.header.title.content,
        colour: message.card.header.template,
        html: message.card.elements.map((e: { content: string }) => markdownHtml(e.content)).join(''),
      };
    case 'wecom_robot':
    case 'wechat': {
      const type: string = message.msgtype;
      const content: string = message[type].content;
      return type === 'text' ? { kind: 'text', text: content } : { kind: 'markdown', html: markdownHtml(content, true) };
    }
    case 'slack':
      return {
        kind: 'slack',
        html: message.text ? slackMrkdwnHtml(message.text) : undefined,
        attachments: (message.attachments ?? []).map((a: any) => ({
          colour: slackColour(a.color),
          title: a.title || undefined,
          titleLink: /^https?:\/\//.test(a.title_link ?? '') ? a.title_link : undefined,
          pretextHtml: a.pretext ? slackMrkdwnHtml(a.pretext) : undefined,
          textHtml: slackMrkdwnHtml(a.text ?? ''),
          fields: (a.fields ?? []).map((f: any) => ({ title: f.title, valueHtml: slackMrkdwnHtml(f.value ?? ''), short: !!f.short })),
          footer: a.footer || undefined,
        })),
      };
    case 'email':
      return { kind: 'email', subject: message.subject, from: message.from, to: message.to, html: message.html, text: message.text };
    case 'webhook':
      return { kind: 'json', note: 'A webhook receives the notification itself, as Alertmanager sends it: nothing in it is templated.' };
  }
}
