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
    if (result.rejected.length) {
      // The relay took the mail for the others: a retry would send them a duplicate, so the
      // refused addresses are reported rather than retried.
      this.ctx.metrics.invalidRecipients.inc({ channel: this.channel, target: target.name }, result.rejected.length);
      this.log.warn(
        { channel: this.channel, target: target.name, jobId: job.id, rejected: result.rejected },
        `${settings.smarthost} refused ${result.rejected.length} of ${result.rejected.length + result.accepted.length} recipients`,
      );
    }
    return { messageId: result.messageId, accepted: result.accepted, rejected: result.rejected, response: result.response };
  }
}
