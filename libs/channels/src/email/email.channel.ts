import { ChannelDefinition } from '@relay/delivery';
import { SmtpClient } from './email.client';
import { EmailConfig, emailTargetIssue, emailWarnings } from './email.config';
import { buildEmailDigest, buildEmailMessage, EmailMessage } from './email.message';
import { resolveSmtpSettings } from './email.settings';

export const EMAIL_CHANNEL: ChannelDefinition<EmailConfig, EmailMessage> = {
  // SMTP has no published per-sender limit, but hosted relays do (Exchange Online: 30 messages a
  // minute per mailbox) and flag senders that burst past them; an alert storm stays under that.
  config: { configClass: EmailConfig, sendResolvedDefault: false, rateLimitDefault: { max: 30, per: '1m', penalty: '1m' }, checkTarget: emailTargetIssue, warnTarget: emailWarnings },
  // SMTP sessions are pooled per server (email.client.ts); a slow server gets a longer timeout.
  queue: { concurrency: 8, requestTimeoutMs: 30_000 },
  build(notification, target, { templates, note, key, relay }) {
    const { from } = resolveSmtpSettings(target.config, relay.global, relay.baseDir);
    return buildEmailMessage(notification, target.config, from, templates, `${key}/${target.name}`, undefined, note);
  },
  buildDigest(notifications, target, { templates, note, key, relay }) {
    const { from } = resolveSmtpSettings(target.config, relay.global, relay.baseDir);
    return buildEmailDigest(notifications, target.config, from, templates, `${key}/${target.name}`, undefined, note);
  },
  /** The subject and both parts back to the defaults; addresses and other headers stay. */
  withDefaultTemplates(config) {
    const d = new EmailConfig();
    const headers = Object.fromEntries(Object.entries(config.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'subject'));
    return { ...config, html: d.html, text: d.text, headers };
  },
  createSender({ requestTimeoutMs }) {
    const client = new SmtpClient({ timeoutMs: requestTimeoutMs });
    return {
      async post(message, target, { relay, reportRefusedRecipients }) {
        const settings = resolveSmtpSettings(target.config, relay.global, relay.baseDir);
        const result = await client.send(message, settings);
        reportRefusedRecipients(
          result.rejected.map((r) => r.recipient),
          `${settings.smarthost} refused ${result.rejected.length} of ${result.rejected.length + result.accepted.length} recipients: ${result.rejected.map((r) => `${r.recipient} (${r.reply})`).join(', ')}`,
        );
        return { messageId: result.messageId, accepted: result.accepted, rejected: result.rejected, response: result.response };
      },
      close: () => client.close(),
    };
  },
};
