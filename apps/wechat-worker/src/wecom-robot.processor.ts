import { Processor } from '@nestjs/bullmq';
import { ResolvedTarget, WecomRobotConfig } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, DigestMessage, RenderOptions, secretAddressScope, workerOptions } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
import { WecomRobotClient } from './wecom-robot.client';
import { buildWecomRobotDigest, buildWecomRobotMessage, WecomRobotMessage } from './wecom-robot.message';

@Processor(queueName('wecom_robot'), workerOptions('wecom_robot'))
export class WecomRobotProcessor extends DeliveryProcessor<'wecom_robot', WecomRobotMessage> {
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

  protected build(notification: WebhookPayload, target: ResolvedTarget<'wecom_robot'>, { templates, note }: RenderOptions): WecomRobotMessage {
    return buildWecomRobotMessage(notification, target.config, templates, note);
  }

  protected override buildDigest(notifications: WebhookPayload[], target: ResolvedTarget<'wecom_robot'>, { templates, note }: RenderOptions): DigestMessage<WecomRobotMessage>[] {
    return buildWecomRobotDigest(notifications, target.config, templates, note);
  }

  protected withDefaultTemplates(config: WecomRobotConfig): WecomRobotConfig {
    return { ...config, message: new WecomRobotConfig().message };
  }

  protected async post(message: WecomRobotMessage, target: ResolvedTarget<'wecom_robot'>): Promise<void> {
    await this.client.send(message, target.config.url, target.rateLimit.penaltyMs);
  }
}
