/**
 * @relay/channels — one folder per channel (its config, default templates, message building,
 * sender and answers), and the record that registers them all (channels.ts).
 */
export * from './channels';
export * from './dingtalk/dingtalk.channel';
export * from './dingtalk/dingtalk.config';
export * from './dingtalk/dingtalk.message';
export * from './email/email.channel';
export * from './email/email.config';
export * from './email/email.message';
export * from './feishu/feishu.channel';
export * from './feishu/feishu.config';
export * from './feishu/feishu.message';
export * from './slack/slack.channel';
export * from './slack/slack.config';
export * from './slack/slack.message';
export * from './wechat/wechat.channel';
export * from './wechat/wechat.config';
export * from './wechat/wechat.message';
export * from './wecom-robot/wecom-robot.channel';
export * from './wecom-robot/wecom-robot.config';
export * from './wecom-robot/wecom-robot.message';
export * from './webhook/webhook.channel';
export * from './webhook/webhook.config';
export * from './webhook/webhook.message';
