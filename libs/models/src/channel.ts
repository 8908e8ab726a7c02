/** Every delivery channel the relay knows. Adding one here forces every Record<Channel, …> to follow. */
export const CHANNELS = ['dingtalk', 'wechat', 'wecom_robot', 'slack', 'email', 'feishu', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export function queueName(channel: Channel): `notify-${Channel}` {
  return `notify-${channel}`;
}

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}
