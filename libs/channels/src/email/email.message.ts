import { canonicalHeaderName, EmailConfig } from './email.config';
import { DeliveryFailure, DigestMessage } from '@relay/delivery/platform';
import type { WebhookPayload } from '@relay/models';
import { packDigestByDestination, templateData, TemplateSet } from '@relay/templates';
import { createHash, randomUUID } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';

/** One mail ready for nodemailer: the SMTP envelope and the headers and parts of the message. */
export interface EmailMessage {
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  subject: string;
  /** Every other configured header, rendered. */
  headers: Record<string, string>;
  text: string;
  html: string;
  messageId: string;
  date: Date;
}

/** Alertmanager's defaults for the headers a target does not set. */
const DEFAULT_SUBJECT = '{{ template "email.default.subject" . }}';

const DIGEST_SUBJECT = `{{ template "email.default.digest.subject" . }}`;
const DIGEST_HTML = `{{ template "email.default.digest.html" . }}`;
const DIGEST_TEXT = `{{ template "email.default.digest.text" . }}`;

/**
 * How much one digest mail carries; a longer backlog is split over several. Mail has no size
 * limit of its own, but relays do (10 MB is a common floor, and base64 or quoted-printable
 * encoding adds a third), and so do readers: a mail of thousands of rows stalls a phone's client
 * and nobody reads to its end. 500 alerts are about 160 KB of the default HTML and 60 KB of text;
 * the byte bound (HTML and text together) holds when templates or annotations are much longer.
 */
export const EMAIL_DIGEST_MAX_ALERTS = 500;
export const EMAIL_DIGEST_MAX_BYTES = 1_000_000;

/**
 * Renders a target's templates into one mail, as Alertmanager does: `to` and `from` are
 * templates; headers are templates, with Subject, To and From defaulting to the subject template,
 * `to` and `from`; the envelope goes to every address of `to` (comma-separated), never to Cc/Bcc
 * headers. `messageKey` (the job) makes the Message-Id stable across retries, so a mail that
 * did arrive before a timeout and is sent again can be recognised as the same one.
 */
export function buildEmailMessage(
  payload: WebhookPayload,
  config: EmailConfig,
  fromTemplate: string,
  templates: TemplateSet,
  messageKey?: string,
  now = new Date(),
  /** A template fallback's reason: the first line of the text part and of the HTML body. */
  note?: string,
): EmailMessage {
  const render = renderer(templates, payload);
  return assemble(render, addresses(render, config, fromTemplate), config, DEFAULT_SUBJECT, messageKey, now, note);
}

/**
 * The digest of several notifications: subject, HTML and text from the `email.default.digest.*`
 * templates over every alert carried, split by EMAIL_DIGEST_MAX_ALERTS and _BYTES. A Subject
 * header of the target's would name one group, so the digest subject replaces it; other headers
 * are rendered on the digest's data. `to` and `from` are rendered per notification, as its own
 * mail would be, and each set of recipients gets its own digest: merged labels could address a
 * digest to nobody, or to the wrong team. Each part's Message-Id comes from `messageKey`, the
 * part's index and the alerts it shows, so a retried part is recognisable as the same mail,
 * while a part that shows other alerts (a retry after new notifications arrived) is never taken
 * by a receiving server for a duplicate of one it already has, and dropped.
 */
export function buildEmailDigest(
  notifications: WebhookPayload[],
  config: EmailConfig,
  fromTemplate: string,
  templates: TemplateSet,
  messageKey: string,
  now = new Date(),
  note?: string,
): DigestMessage<EmailMessage>[] {
  const headers = Object.fromEntries(Object.entries(config.headers ?? {}).filter(([name]) => canonicalHeaderName(name) !== 'Subject'));
  const digest: EmailConfig = { ...config, html: DIGEST_HTML, text: DIGEST_TEXT, headers };
  const routed = new Map<string, Addresses>();
  const destinationOf = (n: WebhookPayload) => {
    const found = addresses(renderer(templates, n), config, fromTemplate);
    const key = JSON.stringify([found.envelope, found.from, found.to]);
    routed.set(key, found);
    return key;
  };
  const fits = (part: WebhookPayload) => {
    if (part.alerts.length > EMAIL_DIGEST_MAX_ALERTS) return false;
    const render = renderer(templates, part);
    return Buffer.byteLength(render(DIGEST_HTML, 'html'), 'utf8') + Buffer.byteLength(render(DIGEST_TEXT, 'text'), 'utf8') <= EMAIL_DIGEST_MAX_BYTES;
  };
  return packDigestByDestination(notifications, destinationOf, fits).map(({ payload, completes, destination }, index) => ({
    message: assemble(renderer(templates, payload), routed.get(destination)!, digest, DIGEST_SUBJECT, `${messageKey}/digest/${index}/${alertsKey(payload)}`, now, note),
    completes,
  }));
}

type Render = (template: string, what: string) => string;

/** Renders templates on one payload's data; a failure is the template's, named by the field. */
function renderer(templates: TemplateSet, payload: WebhookPayload): Render {
  const data = templateData(payload);
  return (template, what) => {
    try {
      return templates.render(template, data);
    } catch (e) {
      throw DeliveryFailure.permanent('template', `cannot render ${what}: ${(e as Error).message}`);
    }
  };
}

interface Addresses {
  envelope: { from: string; to: string[] };
  /** `from` and `to` as rendered, for the headers that default to them. */
  from: string;
  to: string;
}

function addresses(render: Render, config: EmailConfig, fromTemplate: string): Addresses {
  const from = render(fromTemplate, 'from').trim();
  const to = render(config.to, 'to').trim();
  const senders = mailboxes(from);
  if (senders.length !== 1) throw DeliveryFailure.permanent('invalid_address', `from must be exactly one address, got "${from}"`);
  const recipients = mailboxes(to);
  if (recipients.length === 0) throw DeliveryFailure.permanent('invalid_address', `to has no address: "${to}"`);
  return { envelope: { from: senders[0], to: recipients }, from, to };
}

function assemble(render: Render, { envelope, from, to }: Addresses, config: EmailConfig, subjectTemplate: string, messageKey: string | undefined, now: Date, note?: string): EmailMessage {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(config.headers ?? {})) {
    headers[canonicalHeaderName(name)] = render(template, `header ${name}`);
  }
  const take = (name: string, fallback: () => string): string => {
    const value = name in headers ? headers[name] : fallback();
    delete headers[name];
    return value;
  };
  const subject = take('Subject', () => render(subjectTemplate, 'Subject'));
  const toHeader = take('To', () => to);
  const fromHeader = take('From', () => from);

  return {
    envelope,
    from: fromHeader,
    to: toHeader,
    // Header lines cannot hold line breaks; a multi-line subject template is folded into one.
    subject: subject.replace(/\s*[\r\n]+\s*/g, ' ').trim(),
    headers,
    text: (note ? `${note}\n\n` : '') + render(config.text, 'text'),
    html: withNote(render(config.html, 'html'), note),
    messageId: messageIdFor(messageKey, envelope.from),
    date: now,
  };
}

/** Which alerts a mail shows, in a few characters: each alert's identity and state. */
function alertsKey(payload: WebhookPayload): string {
  const shown = payload.alerts.map((a) => [a.status, a.fingerprint || a.labels, a.startsAt, a.endsAt]);
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex').slice(0, 16);
}

/** The note as the first paragraph of the HTML body (or of the document, when it has no body tag). */
function withNote(html: string, note: string | undefined): string {
  if (!note) return html;
  const paragraph = `<p style="margin:8px;padding:8px;background:#fff3cd;color:#664d03;">${escapeHtml(note)}</p>`;
  const body = /<body[^>]*>/i.exec(html);
  return body ? html.slice(0, body.index + body[0].length) + paragraph + html.slice(body.index + body[0].length) : paragraph + html;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The bare addresses of an address list (`A <a@x>, b@y`), groups flattened. */
export function mailboxes(list: string): string[] {
  return addressparser(list, { flatten: true })
    .map((a) => a.address?.trim())
    .filter((a): a is string => !!a);
}

function messageIdFor(key: string | undefined, sender: string): string {
  const domain = sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1) : 'alert-relay';
  const id = key ? createHash('sha256').update(key).digest('hex').slice(0, 32) : randomUUID();
  return `<${id}@${domain}>`;
}
