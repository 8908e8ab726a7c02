import { Processor } from '@nestjs/bullmq';
import type { ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, QUEUE_SETTINGS, secretAddressScope } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
import { WecomRobotClient } from './wecom-robot.client';
import { buildWecomRobotMessage } from './wecom-robot.message';

@Processor(queueName('wecom_robot'), { concurrency: QUEUE_SETTINGS.wecom_robot.concurrency })
export class WecomRobotProcessor extends DeliveryProcessor<'wecom_robot'> {
  protected readonly channel = 'wecom_robot';

  constructor(
    ctx: DeliveryContext,
    private readonly client: WecomRobotClient,
  ) {
    super(ctx);
  }

  /** The platform limits the robot, whichever receivers and targets share its URL. */
  protected override rateScope(target: ResolvedTarget<'wecom_robot'>): string {
    return secretAddressScope('wecom-robot', target.config.url);
  }

  protected async send(notification: WebhookPayload, target: ResolvedTarget<'wecom_robot'>): Promise<void> {
    const message = buildWecomRobotMessage(notification, target.config, this.ctx.templates);
    await this.client.send(message, target.config.url, target.rateLimit.penaltyMs);
  }
}
