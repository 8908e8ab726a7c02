import { Processor } from '@nestjs/bullmq';
import type { ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, QUEUE_SETTINGS } from '@relay/delivery';
import { DeliveryJobData, queueName, WebhookPayload } from '@relay/models';
import type { Job } from 'bullmq';
import { SmtpClient } from './email.client';
import { buildEmailMessage } from './email.message';
import { resolveSmtpSettings } from './email.settings';

@Processor(queueName('email'), { concurrency: QUEUE_SETTINGS.email.concurrency })
export class EmailProcessor extends DeliveryProcessor<'email'> {
  protected readonly channel = 'email';

  constructor(
    ctx: DeliveryContext,
    private readonly client: SmtpClient,
  ) {
    super(ctx);
  }

  protected async send(notification: WebhookPayload, target: ResolvedTarget<'email'>, job: Job<DeliveryJobData>): Promise<Record<string, unknown>> {
    const settings = resolveSmtpSettings(target.config, this.ctx.config.global, this.ctx.config.baseDir);
    const message = buildEmailMessage(notification, target.config, settings.from, this.ctx.templates, `${job.id ?? ''}/${target.name}`);
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
