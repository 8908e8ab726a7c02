import { Processor } from '@nestjs/bullmq';
import type { ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, QUEUE_SETTINGS } from '@relay/delivery';
import { DeliveryJobData, queueName, WebhookPayload } from '@relay/models';
import type { Job } from 'bullmq';
import { credentialsOf } from './wechat.client';
import { buildWechatMessage } from './wechat.message';
import { WechatSender } from './wechat.sender';

@Processor(queueName('wechat'), { concurrency: QUEUE_SETTINGS.wechat.concurrency })
export class WechatProcessor extends DeliveryProcessor<'wechat'> {
  protected readonly channel = 'wechat';

  constructor(
    ctx: DeliveryContext,
    private readonly sender: WechatSender,
  ) {
    super(ctx);
  }

  protected async send(notification: WebhookPayload, target: ResolvedTarget<'wechat'>, job: Job<DeliveryJobData>): Promise<Record<string, unknown>> {
    const message = buildWechatMessage(notification, target.config, this.ctx.templates);
    const delivery = await this.sender.send(message, credentialsOf(target.config, this.ctx.config.global));
    if (delivery.invalid) {
      const { users, parties, tags } = delivery.invalid;
      const recipients = [...users.map((u) => `user:${u}`), ...parties.map((p) => `party:${p}`), ...tags.map((t) => `tag:${t}`)];
      this.reportRefusedRecipients(target, job, recipients, 'WeCom delivered the message but refused some recipients');
    }
    return { ...delivery };
  }
}
