import { Processor } from '@nestjs/bullmq';
import { EmailConfig, ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, DigestMessage, RenderOptions, workerOptions } from '@relay/delivery';
import { DeliveryJobData, queueName, WebhookPayload } from '@relay/models';
import type { Job } from 'bullmq';
import { SmtpClient } from './email.client';
import { buildEmailDigest, buildEmailMessage, EmailMessage } from './email.message';
import { resolveSmtpSettings } from './email.settings';

@Processor(queueName('email'), workerOptions('email'))
export class EmailProcessor extends DeliveryProcessor<'email', EmailMessage> {
  protected readonly channel = 'email';

  constructor(
    ctx: DeliveryContext,
    private readonly client: SmtpClient,
  ) {
    super(ctx);
  }

  protected build(notification: WebhookPayload, target: ResolvedTarget<'email'>, { templates, note, key }: RenderOptions): EmailMessage {
    const { from } = resolveSmtpSettings(target.config, this.ctx.config.global, this.ctx.config.baseDir);
    return buildEmailMessage(notification, target.config, from, templates, `${key}/${target.name}`, undefined, note);
  }

  protected override buildDigest(notifications: WebhookPayload[], target: ResolvedTarget<'email'>, { templates, note, key }: RenderOptions): DigestMessage<EmailMessage>[] {
    const { from } = resolveSmtpSettings(target.config, this.ctx.config.global, this.ctx.config.baseDir);
    return buildEmailDigest(notifications, target.config, from, templates, `${key}/${target.name}`, undefined, note);
  }

  /** The subject and both parts back to the defaults; addresses and other headers stay. */
  protected withDefaultTemplates(config: EmailConfig): EmailConfig {
    const d = new EmailConfig();
    const headers = Object.fromEntries(Object.entries(config.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'subject'));
    return { ...config, html: d.html, text: d.text, headers };
  }

  protected async post(message: EmailMessage, target: ResolvedTarget<'email'>, job: Job<DeliveryJobData>): Promise<Record<string, unknown>> {
    const settings = resolveSmtpSettings(target.config, this.ctx.config.global, this.ctx.config.baseDir);
    const result = await this.client.send(message, settings);
    this.reportRefusedRecipients(
      target,
      job,
      result.rejected.map((r) => r.recipient),
      `${settings.smarthost} refused ${result.rejected.length} of ${result.rejected.length + result.accepted.length} recipients: ${result.rejected.map((r) => `${r.recipient} (${r.reply})`).join(', ')}`,
    );
    return { messageId: result.messageId, accepted: result.accepted, rejected: result.rejected, response: result.response };
  }
}
