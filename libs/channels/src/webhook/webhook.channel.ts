import { parseDuration } from '@relay/config';
import { CHAT_QUEUE_SETTINGS, ChannelDefinition, secretAddressScope } from '@relay/delivery';
import { resolveWebhookRequest, WebhookClient } from './webhook.client';
import { WebhookConfig, webhookTargetIssue, webhookWarnings } from './webhook.config';
import { buildWebhookMessage, WebhookMessage } from './webhook.message';

export const WEBHOOK_CHANNEL: ChannelDefinition<WebhookConfig, WebhookMessage> = {
  // A webhook has no published limit, and Alertmanager sends without one; a 429's Retry-After
  // (or the 30 s penalty) still pauses every target posting to that URL.
  config: {
    configClass: WebhookConfig,
    sendResolvedDefault: true,
    rateLimitDefault: { max: Infinity, per: '1s', penalty: '30s' },
    checkTarget: webhookTargetIssue,
    warnTarget: webhookWarnings,
  },
  queue: CHAT_QUEUE_SETTINGS,
  // The receiver behind the URL, whichever targets share it; a URL file by its path, since its content is read only at send time.
  rateScope: (target) => secretAddressScope('webhook', target.config.url ?? `file:${target.config.url_file}`),
  build: (notification, target) => buildWebhookMessage(notification, target.config.max_alerts, target.sendResolved),
  // Nothing in the body is templated.
  withDefaultTemplates: (config) => config,
  createSender({ requestTimeoutMs, connections }) {
    const client = new WebhookClient(requestTimeoutMs, connections);
    return {
      post: (message, target, { relay }) =>
        client.send(message, resolveWebhookRequest(target.config, relay.baseDir), {
          penaltyMs: target.rateLimit.penaltyMs,
          timeoutMs: (target.config.timeout && parseDuration(target.config.timeout)) || requestTimeoutMs,
          target: target.name,
        }),
      close: () => client.close(),
    };
  },
};
