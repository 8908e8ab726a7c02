import { Processor } from '@nestjs/bullmq';
import { parseDuration, ResolvedTarget } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, QUEUE_SETTINGS } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
import { resolveSlackDestination, SlackClient, SlackReceipt } from './slack.client';
import { buildSlackMessage } from './slack.message';
import { SlackSendGate } from './slack.send-gate';

@Processor(queueName('slack'), { concurrency: QUEUE_SETTINGS.slack.concurrency })
export class SlackProcessor extends DeliveryProcessor<'slack'> {
  protected readonly channel = 'slack';

  constructor(
    ctx: DeliveryContext,
    private readonly client: SlackClient,
    private readonly gate: SlackSendGate,
  ) {
    super(ctx);
  }

  protected async send(notification: WebhookPayload, target: ResolvedTarget<'slack'>): Promise<SlackReceipt> {
    const message = buildSlackMessage(notification, target.config, this.ctx.templates);
    const destination = await resolveSlackDestination(target.config, this.ctx.config.global);
    const timeoutMs = (target.config.timeout && parseDuration(target.config.timeout)) || QUEUE_SETTINGS.slack.requestTimeoutMs;
    // The slot outlives the request by a margin, so a crashed holder blocks the target only briefly.
    return this.gate.exclusive(target.name, timeoutMs + 5_000, () =>
      this.client.send(message, destination, { penaltyMs: target.rateLimit.penaltyMs, timeoutMs }),
    );
  }
}
