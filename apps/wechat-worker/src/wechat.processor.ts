import { Processor } from '@nestjs/bullmq';
import type { ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, QUEUE_SETTINGS } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
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

  protected async send(notification: WebhookPayload, target: ResolvedTarget<'wechat'>): Promise<Record<string, unknown>> {
    const message = buildWechatMessage(notification, target.config, this.ctx.templates);
    const delivery = await this.sender.send(message, credentialsOf(target.config, this.ctx.config.global));
    if (delivery.invalid) {
      const { users, parties, tags } = delivery.invalid;
      const recipients = [...users.map((u) => `user:${u}`), ...parties.map((p) => `party:${p}`), ...tags.map((t) => `tag:${t}`)];
      for (const recipient of recipients) this.ctx.metrics.invalidRecipients.inc({ channel: this.channel, target: target.name, recipient });
      // Delivered to the rest, so not a failure; but someone's alerts are going nowhere.
      this.log.warn({ channel: this.channel, target: target.name, invalidRecipients: recipients }, 'WeCom delivered the message but refused some recipients');
    }
    return { ...delivery };
  }
}
