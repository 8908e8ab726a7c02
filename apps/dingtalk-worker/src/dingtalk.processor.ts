import { Processor } from '@nestjs/bullmq';
import { DingtalkConfig, ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, DigestMessage, RenderOptions, secretAddressScope, workerOptions } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
import { DingtalkClient } from './dingtalk.client';
import { buildDingtalkDigest, buildDingtalkMessage, DingtalkMessage } from './dingtalk.message';

@Processor(queueName('dingtalk'), workerOptions('dingtalk'))
export class DingtalkProcessor extends DeliveryProcessor<'dingtalk', DingtalkMessage> {
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

  protected build(notification: WebhookPayload, target: ResolvedTarget<'dingtalk'>, { templates, note }: RenderOptions): DingtalkMessage {
    return buildDingtalkMessage(notification, target.config, templates, note);
  }

  protected override buildDigest(notifications: WebhookPayload[], target: ResolvedTarget<'dingtalk'>, { templates, note }: RenderOptions): DigestMessage<DingtalkMessage>[] {
    return buildDingtalkDigest(notifications, target.config, templates, note);
  }

  protected withDefaultTemplates(config: DingtalkConfig): DingtalkConfig {
    const defaults = new DingtalkConfig();
    return { ...config, title: defaults.title, text: defaults.text, message_url: defaults.message_url, pic_url: defaults.pic_url };
  }

  protected async post(message: DingtalkMessage, target: ResolvedTarget<'dingtalk'>): Promise<void> {
    await this.client.send(message, { url: target.config.url, secret: target.config.secret, penaltyMs: target.rateLimit.penaltyMs });
  }
}
