import { CHAT_QUEUE_SETTINGS, ChannelDefinition, secretAddressScope } from '@relay/delivery';
import { FeishuClient } from './feishu.client';
import { FeishuConfig } from './feishu.config';
import { buildFeishuDigest, buildFeishuMessage, FeishuMessage } from './feishu.message';

export const FEISHU_CHANNEL: ChannelDefinition<FeishuConfig, FeishuMessage> = {
  // Feishu allows a bot 5 a second and 100 a minute. The rate gate holds one rolling window, and
  // 5 in any 3 s holds both: never 6 within a second, never more than 20 × 5 = 100 within a
  // minute, and it spends the full 100. (100 a minute alone would let all 100 go in one second;
  // 5 a second alone, 300 a minute.) One window also keeps the gate's digest pacing and fair
  // order intact, which a second gate in the sender would bypass. No penalty is documented:
  // 10 s outlasts the second window and Feishu's busy moments, and the window does the rest.
  config: { configClass: FeishuConfig, sendResolvedDefault: true, rateLimitDefault: { max: 5, per: '3s', penalty: '10s' } },
  queue: CHAT_QUEUE_SETTINGS,
  // The platform limits the bot, whichever receivers and targets share its URL.
  rateScope: (target) => secretAddressScope('feishu-bot', target.config.url),
  build: (notification, target, { templates, note }) => buildFeishuMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildFeishuDigest(notifications, target.config, templates, note),
  withDefaultTemplates(config) {
    const defaults = new FeishuConfig();
    return { ...config, title: defaults.title, text: undefined };
  },
  createSender({ requestTimeoutMs, connections }) {
    const client = new FeishuClient(requestTimeoutMs, connections);
    return {
      post: async (message, target) => {
        await client.send(message, { url: target.config.url, secret: target.config.secret, penaltyMs: target.rateLimit.penaltyMs });
      },
      close: () => client.close(),
    };
  },
};
