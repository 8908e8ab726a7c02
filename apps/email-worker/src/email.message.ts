import { canonicalHeaderName, EmailConfig } from '@relay/config';
import { DeliveryFailure } from '@relay/delivery';
import type { WebhookPayload } from '@relay/models';
import { templateData, TemplateSet } from '@relay/templates';
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
): EmailMessage {
  const data = templateData(payload);
  const render = (template: string, what: string): string => {
    try {
      return templates.render(template, data);
    } catch (e) {
      throw DeliveryFailure.permanent('template', `cannot render ${what}: ${(e as Error).message}`);
    }
  };

  const from = render(fromTemplate, 'from').trim();
  const to = render(config.to, 'to').trim();
  const senders = mailboxes(from);
  if (senders.length !== 1) throw DeliveryFailure.permanent('invalid_address', `from must be exactly one address, got "${from}"`);
  const recipients = mailboxes(to);
  if (recipients.length === 0) throw DeliveryFailure.permanent('invalid_address', `to has no address: "${to}"`);

  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(config.headers ?? {})) {
    headers[canonicalHeaderName(name)] = render(template, `header ${name}`);
  }
  const take = (name: string, fallback: () => string): string => {
    const value = name in headers ? headers[name] : fallback();
    delete headers[name];
    return value;
  };
  const subject = take('Subject', () => render(DEFAULT_SUBJECT, 'Subject'));
  const toHeader = take('To', () => to);
  const fromHeader = take('From', () => from);

  return {
    envelope: { from: senders[0], to: recipients },
    from: fromHeader,
    to: toHeader,
    // Header lines cannot hold line breaks; a multi-line subject template is folded into one.
    subject: subject.replace(/\s*[\r\n]+\s*/g, ' ').trim(),
    headers,
    text: render(config.text, 'text'),
    html: render(config.html, 'html'),
    messageId: messageIdFor(messageKey, senders[0]),
    date: now,
  };
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
