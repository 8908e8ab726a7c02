import { CHAT_QUEUE_SETTINGS, ChannelDefinition, secretAddressScope } from '@relay/delivery';
import { DingtalkClient } from './dingtalk.client';
import { DingtalkConfig } from './dingtalk.config';
import { buildDingtalkDigest, buildDingtalkMessage, DingtalkMessage } from './dingtalk.message';

export const DINGTALK_CHANNEL: ChannelDefinition<DingtalkConfig, DingtalkMessage> = {
  // 20 messages/minute per robot; beyond that DingTalk throttles the robot for 10 minutes.
  config: { configClass: DingtalkConfig, sendResolvedDefault: true, rateLimitDefault: { max: 20, per: '1m', penalty: '10m' } },
  queue: CHAT_QUEUE_SETTINGS,
  // The platform limits the robot, whichever receivers and targets share its URL.
  rateScope: (target) => secretAddressScope('dingtalk-robot', target.config.url),
  build: (notification, target, { templates, note }) => buildDingtalkMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildDingtalkDigest(notifications, target.config, templates, note),
  withDefaultTemplates(config) {
    const defaults = new DingtalkConfig();
    return { ...config, title: defaults.title, text: defaults.text, message_url: defaults.message_url, pic_url: defaults.pic_url };
  },
  createSender({ requestTimeoutMs, connections }) {
    const client = new DingtalkClient(requestTimeoutMs, connections);
    return {
      post: async (message, target) => {
        await client.send(message, { url: target.config.url, secret: target.config.secret, penaltyMs: target.rateLimit.penaltyMs });
      },
    };
  },
};
