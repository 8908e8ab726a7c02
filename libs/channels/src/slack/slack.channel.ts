import { parseDuration, RelayConfig, ResolvedTarget } from '@relay/config';
import { CHAT_QUEUE_SETTINGS, ChannelDefinition, secretAddressScope } from '@relay/delivery';
import { resolveSlackDestination, SlackClient } from './slack.client';
import { SlackConfig, slackDestinationIssue, slackRouteOf, SlackSecret, slackWarnings } from './slack.config';
import { buildSlackDigest, buildSlackMessage, SlackMessage } from './slack.message';
import { SlackSendGate } from './slack.send-gate';

/**
 * Slack limits a webhook, or an app's posts to one channel, whichever targets share it: they
 * share one window, one Retry-After pause and one request in flight. Read from the config as
 * written (a secret file by its path), since the secret itself is only read at send time.
 */
function slackScope(target: ResolvedTarget<SlackConfig>, relay: RelayConfig): string {
  const route = slackRouteOf(target.config, relay.global);
  const written = (s: SlackSecret) => ('value' in s ? s.value : `file:${s.file}`);
  const postsTo = !route ? 'nowhere' : route.kind === 'app' ? `app ${route.url} ${written(route.token)} ${target.config.channel ?? ''}` : `webhook ${written(route.url)}`;
  return secretAddressScope('slack', postsTo);
}

export const SLACK_CHANNEL: ChannelDefinition<SlackConfig, SlackMessage> = {
  // Slack allows about one message per second per webhook (and per channel for chat.postMessage)
  // with short bursts: 3 in any 3 s is that average with a burst of 3. Slack always names a
  // Retry-After with its 429, which wins; the 30 s penalty covers a 429 that does not.
  config: { configClass: SlackConfig, sendResolvedDefault: false, rateLimitDefault: { max: 3, per: '3s', penalty: '30s' }, checkTarget: slackDestinationIssue, warnTarget: slackWarnings },
  queue: CHAT_QUEUE_SETTINGS,
  rateScope: slackScope,
  build: (notification, target, { templates, note }) => buildSlackMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildSlackDigest(notifications, target.config, templates, note),
  /** Title, text and the texts around them back to the defaults; channel, username and fields stay. */
  withDefaultTemplates(config) {
    const d = new SlackConfig();
    return { ...config, title: d.title, title_link: d.title_link, pretext: d.pretext, text: d.text, fallback: d.fallback, footer: d.footer, color: d.color, fields: [], actions: [], message_text: d.message_text };
  },
  createSender({ redis, prefix, requestTimeoutMs, connections }) {
    const client = new SlackClient(requestTimeoutMs, connections);
    const gate = new SlackSendGate(redis, prefix);
    return {
      async post(message, target, { relay }) {
        const destination = await resolveSlackDestination(target.config, relay.global, relay.baseDir);
        const timeoutMs = (target.config.timeout && parseDuration(target.config.timeout)) || requestTimeoutMs;
        // The slot outlives the request by a margin, so a crashed holder blocks the target only briefly.
        return gate.exclusive(slackScope(target, relay), timeoutMs + 5_000, () => client.send(message, destination, { penaltyMs: target.rateLimit.penaltyMs, timeoutMs }));
      },
    };
  },
};
