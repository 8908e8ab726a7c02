import { CHAT_QUEUE_SETTINGS, ChannelDefinition, secretAddressScope } from '@relay/delivery';
import { WecomRobotClient } from './wecom-robot.client';
import { WecomRobotConfig } from './wecom-robot.config';
import { buildWecomRobotDigest, buildWecomRobotMessage, WecomRobotMessage } from './wecom-robot.message';

export const WECOM_ROBOT_CHANNEL: ChannelDefinition<WecomRobotConfig, WecomRobotMessage> = {
  // 20 messages/minute per robot, then 45009 until the minute has passed.
  config: { configClass: WecomRobotConfig, sendResolvedDefault: true, rateLimitDefault: { max: 20, per: '1m', penalty: '1m' } },
  queue: CHAT_QUEUE_SETTINGS,
  // The platform limits the robot, whichever receivers and targets share its URL.
  rateScope: (target) => secretAddressScope('wecom-robot', target.config.url),
  build: (notification, target, { templates, note }) => buildWecomRobotMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildWecomRobotDigest(notifications, target.config, templates, note),
  withDefaultTemplates: (config) => ({ ...config, message: new WecomRobotConfig().message }),
  createSender({ requestTimeoutMs, connections }) {
    const client = new WecomRobotClient(requestTimeoutMs, connections);
    return {
      post: async (message, target) => {
        await client.send(message, target.config.url, target.rateLimit.penaltyMs);
      },
    };
  },
};
