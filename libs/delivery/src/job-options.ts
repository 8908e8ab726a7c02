import type { Channel } from '@relay/models';
import type { JobsOptions } from 'bullmq';
import { QUEUE_SETTINGS, RETENTION } from './queue-settings';

/** The options every job of a channel is stored with. */
export function jobOptions(channel: Channel): JobsOptions {
  const { attempts, backoff } = QUEUE_SETTINGS[channel];
  return { attempts, backoff, ...RETENTION };
}
