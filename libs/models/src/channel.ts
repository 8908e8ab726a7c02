/**
 * The BullMQ queue of a channel. The channels themselves are registered in @relay/channels
 * (CHANNEL_DEFINITIONS, whose keys are the channel names); below it, a channel is its name.
 */
export function queueName<C extends string>(channel: C): `notify-${C}` {
  return `notify-${channel}`;
}
