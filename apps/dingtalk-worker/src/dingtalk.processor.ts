import { Processor } from '@nestjs/bullmq';
import type { ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, QUEUE_SETTINGS, secretAddressScope } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
import { DingtalkClient } from './dingtalk.client';
import { buildDingtalkMessage } from './dingtalk.message';

@Processor(queueName('dingtalk'), { concurrency: QUEUE_SETTINGS.dingtalk.concurrency })
export class DingtalkProcessor extends DeliveryProcessor<'dingtalk'> {
  protected readonly channel = 'dingtalk';

  constructor(
    ctx: DeliveryContext,
    private readonly client: DingtalkClient,
  ) {
    super(ctx);
  }

  /** The platform limits the robot, whichever receivers and targets share its URL. */
  protected override rateScope(target: ResolvedTarget<'dingtalk'>): string {
    return secretAddressScope('dingtalk-robot', target.config.url);
  }

  protected async send(notification: WebhookPayload, target: ResolvedTarget<'dingtalk'>): Promise<void> {
    const message = buildDingtalkMessage(notification, target.config, this.ctx.templates);
    await this.client.send(message, { url: target.config.url, secret: target.config.secret, penaltyMs: target.rateLimit.penaltyMs });
  }
}
