import { Processor } from '@nestjs/bullmq';
import { ResolvedTarget, WechatConfig } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, DigestMessage, RenderOptions, workerOptions } from '@relay/delivery';
import { DeliveryJobData, queueName, WebhookPayload } from '@relay/models';
import type { Job } from 'bullmq';
import { credentialsOf } from './wechat.client';
import { buildWechatDigest, buildWechatMessage, WechatMessage } from './wechat.message';
import { WechatSender } from './wechat.sender';

@Processor(queueName('wechat'), workerOptions('wechat'))
export class WechatProcessor extends DeliveryProcessor<'wechat', WechatMessage> {
  protected readonly channel = 'wechat';

  constructor(
    ctx: DeliveryContext,
    private readonly sender: WechatSender,
  ) {
    super(ctx);
  }

  protected build(notification: WebhookPayload, target: ResolvedTarget<'wechat'>, { templates, note }: RenderOptions): WechatMessage {
    return buildWechatMessage(notification, target.config, templates, note);
  }

  protected override buildDigest(notifications: WebhookPayload[], target: ResolvedTarget<'wechat'>, { templates, note }: RenderOptions): DigestMessage<WechatMessage>[] {
    return buildWechatDigest(notifications, target.config, templates, note);
  }

  protected withDefaultTemplates(config: WechatConfig): WechatConfig {
    return { ...config, message: new WechatConfig().message };
  }

  protected async post(message: WechatMessage, target: ResolvedTarget<'wechat'>, job: Job<DeliveryJobData>): Promise<Record<string, unknown>> {
    const delivery = await this.sender.send(message, credentialsOf(target.config, this.ctx.config.global));
    if (delivery.invalid) {
      const { users, parties, tags } = delivery.invalid;
      const recipients = [...users.map((u) => `user:${u}`), ...parties.map((p) => `party:${p}`), ...tags.map((t) => `tag:${t}`)];
      this.reportRefusedRecipients(target, job, recipients, 'WeCom delivered the message but refused some recipients');
    }
    return { ...delivery };
  }
}
