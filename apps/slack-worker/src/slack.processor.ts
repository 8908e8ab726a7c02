import { Processor } from '@nestjs/bullmq';
import { parseDuration, ResolvedTarget, SlackConfig } from '@relay/config';
import { DeliveryContext, DeliveryProcessor, DigestMessage, QUEUE_SETTINGS, RenderOptions, secretAddressScope, workerOptions } from '@relay/delivery';
import { queueName, WebhookPayload } from '@relay/models';
import { resolveSlackDestination, SlackClient, SlackReceipt } from './slack.client';
import { buildSlackDigest, buildSlackMessage, SlackMessage } from './slack.message';
import { SlackSendGate } from './slack.send-gate';

@Processor(queueName('slack'), workerOptions('slack'))
export class SlackProcessor extends DeliveryProcessor<'slack', SlackMessage> {
  protected readonly channel = 'slack';

  constructor(
    ctx: DeliveryContext,
    private readonly client: SlackClient,
    private readonly gate: SlackSendGate,
  ) {
    super(ctx);
  }

  /**
   * Slack limits a webhook, or an app's posts to one channel, whichever targets share it: they
   * share one window, one Retry-After pause and one request in flight. Read from the config as
   * written (a secret file by its path), since the secret itself is only read at send time.
   */
  protected override rateScope(target: ResolvedTarget<'slack'>): string {
    const { app_token, app_token_file, app_url, channel, api_url, api_url_file } = target.config;
    const global = this.ctx.config.global;
    const postsTo =
      app_token || app_token_file
        ? `app ${app_url} ${app_token ?? `file:${app_token_file}`} ${channel ?? ''}`
        : `webhook ${api_url ?? (api_url_file ? `file:${api_url_file}` : (global.slack_api_url ?? `file:${global.slack_api_url_file ?? ''}`))}`;
    return secretAddressScope('slack', postsTo);
  }

  protected build(notification: WebhookPayload, target: ResolvedTarget<'slack'>, { templates, note }: RenderOptions): SlackMessage {
    return buildSlackMessage(notification, target.config, templates, note);
  }

  protected override buildDigest(notifications: WebhookPayload[], target: ResolvedTarget<'slack'>, { templates, note }: RenderOptions): DigestMessage<SlackMessage>[] {
    return buildSlackDigest(notifications, target.config, templates, note);
  }

  /** Title, text and the texts around them back to the defaults; channel, username and fields stay. */
  protected withDefaultTemplates(config: SlackConfig): SlackConfig {
    const d = new SlackConfig();
    return { ...config, title: d.title, title_link: d.title_link, pretext: d.pretext, text: d.text, fallback: d.fallback, footer: d.footer, color: d.color, fields: [], actions: [], message_text: d.message_text };
  }

  protected async post(message: SlackMessage, target: ResolvedTarget<'slack'>): Promise<SlackReceipt> {
    const destination = await resolveSlackDestination(target.config, this.ctx.config.global, this.ctx.config.baseDir);
    const timeoutMs = (target.config.timeout && parseDuration(target.config.timeout)) || QUEUE_SETTINGS.slack.requestTimeoutMs;
    // The slot outlives the request by a margin, so a crashed holder blocks the target only briefly.
    return this.gate.exclusive(this.rateScope(target), timeoutMs + 5_000, () =>
      this.client.send(message, destination, { penaltyMs: target.rateLimit.penaltyMs, timeoutMs }),
    );
  }
}
