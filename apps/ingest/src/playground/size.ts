import {
  defaultFeishuText,
  DINGTALK_MAX_BODY_BYTES,
  FEISHU_MAX_BODY_BYTES,
  jsonBytes,
  SLACK_MAX_TEXT_BYTES,
  WECHAT_MAX_CONTENT_BYTES,
  WECOM_ROBOT_MAX_CONTENT_BYTES,
} from '@relay/channels';
import type { Channel } from '@relay/channels';
import type { WebhookPayload } from '@relay/models';
import { templateData, TemplateSet, utf8ByteLength } from '@relay/templates';

/** What a platform limits, how the relay measures it, and where in a built message the alerts' text is. */
interface SizeRule {
  /** What is counted, as the page says it. */
  what: string;
  /** The most the platform takes. */
  max?: number;
  size(message: any): number;
  /** The text the channel shortens to fit (dropping whole alerts), and how it is counted. */
  text(message: any): string;
  measure(text: string): number;
  /** The target's template for that text. */
  template(config: any): string;
}

const bodyBytes = (message: unknown) => Buffer.byteLength(JSON.stringify(message), 'utf8');
const longestString = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return '';
  return Object.values(value).map(longestString).reduce((a, b) => (b.length > a.length ? b : a), '');
};
const contentOf = (message: any): string => message[message.msgtype]?.content ?? '';

const RULES: Partial<Record<Channel, SizeRule>> = {
  // DingTalk refuses a body of 20,000 bytes or more (errcode 460101).
  dingtalk: {
    what: 'JSON body, UTF-8 bytes',
    max: DINGTALK_MAX_BODY_BYTES - 1,
    size: bodyBytes,
    text: (m) => m.markdown?.text ?? m.text?.content ?? m.link?.text ?? m.actionCard?.text ?? '',
    measure: jsonBytes,
    template: (c) => c.text,
  },
  feishu: {
    what: 'JSON body, UTF-8 bytes',
    max: FEISHU_MAX_BODY_BYTES,
    size: bodyBytes,
    text: (m) => longestString(m),
    measure: jsonBytes,
    template: (c) => c.text ?? defaultFeishuText(c.msg_type),
  },
  wecom_robot: {
    what: 'content, UTF-8 bytes',
    size: (m) => utf8ByteLength(contentOf(m)),
    text: contentOf,
    measure: utf8ByteLength,
    template: (c) => c.message,
  },
  wechat: { what: 'content, UTF-8 bytes', max: WECHAT_MAX_CONTENT_BYTES, size: (m) => utf8ByteLength(contentOf(m)), text: contentOf, measure: utf8ByteLength, template: (c) => c.message },
  slack: {
    what: 'attachment text, UTF-8 bytes',
    max: SLACK_MAX_TEXT_BYTES,
    size: (m) => utf8ByteLength(m.attachments?.[0]?.text ?? ''),
    text: (m) => m.attachments?.[0]?.text ?? '',
    measure: utf8ByteLength,
    template: (c) => c.text,
  },
};

export interface SizeReport {
  what: string;
  /** What the relay sends. */
  bytes: number;
  /** What the message would be without shortening (estimated from the text template's own output); equals bytes when nothing was cut. */
  fullBytes: number;
  max?: number;
  over: boolean;
  /** The alerts the "… and N more" line stands for: left out of the message, firing ones last. */
  dropped: string[];
  /** The text was shortened (alerts dropped, or cut at a character when even one alert did not fit). */
  shortened: boolean;
}

/** "… and 3 more firing, 2 more resolved alerts": the line renderWithinBytes appends (defaultMoreLine). */
const MORE_LINE = /… and (?:(\d+) more firing)?(?:, )?(?:(\d+) more resolved)? alerts?/g;

const describe = (alert: WebhookPayload['alerts'][number]) => {
  const { alertname, ...rest } = alert.labels;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${alert.status} ${alertname ?? '(no alertname)'}${labels ? ` {${labels}}` : ''}`;
};

/** The message's size against its platform's limit, and what the channel's shortening left out of it. */
export function sizeOf(channel: Channel, message: any, config: any, payload: WebhookPayload, templates: TemplateSet): SizeReport {
  const rule = RULES[channel];
  if (!rule) return { what: 'JSON, UTF-8 bytes (no platform limit)', bytes: bodyBytes(message), fullBytes: bodyBytes(message), over: false, dropped: [], shortened: false };
  const max = channel === 'wecom_robot' ? WECOM_ROBOT_MAX_CONTENT_BYTES[message.msgtype as keyof typeof WECOM_ROBOT_MAX_CONTENT_BYTES] : rule.max;
  const bytes = rule.size(message);
  const sent = rule.text(message);
  let full: string | undefined;
  try {
    full = templates.render(rule.template(config), templateData(payload));
  } catch {
    // a failing text template is reported by the render itself
  }
  const shortened = full !== undefined && !sent.includes(full.trim());
  const fullBytes = shortened ? bytes - rule.measure(sent) + rule.measure(full!) : bytes;
  let dropped: string[] = [];
  const more = shortened ? [...sent.matchAll(MORE_LINE)].pop() : undefined;
  if (more) {
    const count = Number(more[1] ?? 0) + Number(more[2] ?? 0);
    const firingFirst = [...payload.alerts.filter((a) => a.status === 'firing'), ...payload.alerts.filter((a) => a.status !== 'firing')];
    dropped = firingFirst.slice(Math.max(firingFirst.length - count, 0)).map(describe);
  }
  return { what: rule.what, bytes, fullBytes, max, over: max !== undefined && fullBytes > max, dropped, shortened };
}
