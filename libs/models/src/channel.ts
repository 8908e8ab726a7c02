/** Every delivery channel the relay knows. Adding one here forces every Record<Channel, …> to follow. */
export const CHANNELS = ['dingtalk', 'wechat', 'wecom_robot', 'slack', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The config block that lists a channel's targets inside a receiver (Alertmanager's naming). */
export const CHANNEL_CONFIG_KEYS: Record<Channel, `${Channel}_configs`> = {
  dingtalk: 'dingtalk_configs',
  wechat: 'wechat_configs',
  wecom_robot: 'wecom_robot_configs',
  slack: 'slack_configs',
  email: 'email_configs',
};

export function queueName(channel: Channel): `notify-${Channel}` {
  return `notify-${channel}`;
}

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}
