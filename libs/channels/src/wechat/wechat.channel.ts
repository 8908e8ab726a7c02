import { CHAT_QUEUE_SETTINGS, ChannelDefinition } from '@relay/delivery';
import { credentialsOf, WechatClient } from './wechat.client';
import { WechatConfig, wechatCredentialsIssue, wechatWarnings } from './wechat.config';
import { buildWechatDigest, buildWechatMessage, WechatMessage } from './wechat.message';
import { WechatSender } from './wechat.sender';
import { WechatTokenStore } from './wechat.token-store';

export const WECHAT_CHANNEL: ChannelDefinition<WechatConfig, WechatMessage> = {
  // WeCom silently drops messages beyond 30/minute and 1000/hour to one member. 15 a minute keeps a
  // target under 1000/hour sustained and leaves half the minute's allowance to other targets
  // reaching the same people. WeCom answers no "too fast" here, so the penalty rarely applies.
  config: { configClass: WechatConfig, sendResolvedDefault: false, rateLimitDefault: { max: 15, per: '1m', penalty: '1m' }, checkTarget: wechatCredentialsIssue, warnTarget: wechatWarnings },
  queue: CHAT_QUEUE_SETTINGS,
  build: (notification, target, { templates, note }) => buildWechatMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildWechatDigest(notifications, target.config, templates, note),
  withDefaultTemplates: (config) => ({ ...config, message: new WechatConfig().message }),
  createSender({ redis, prefix, metrics, requestTimeoutMs, connections }) {
    const client = new WechatClient(requestTimeoutMs, connections);
    // The access_token is cached in Redis and shared by every replica (wechat.token-store.ts).
    const tokens = new WechatTokenStore(redis, prefix, (credentials) => client.fetchToken(credentials), {
      fetchTimeoutMs: requestTimeoutMs,
      onFetch: (reason, outcome) => metrics.wecomTokenFetches.inc({ reason, outcome }),
    });
    const sender = new WechatSender(client, tokens);
    return {
      async post(message, target, { relay, reportRefusedRecipients }) {
        const delivery = await sender.send(message, credentialsOf(target.config, relay.global, relay.baseDir));
        if (delivery.invalid) {
          const { users, parties, tags } = delivery.invalid;
          const recipients = [...users.map((u) => `user:${u}`), ...parties.map((p) => `party:${p}`), ...tags.map((t) => `tag:${t}`)];
          reportRefusedRecipients(recipients, 'WeCom delivered the message but refused some recipients');
        }
        return { ...delivery };
      },
    };
  },
};
