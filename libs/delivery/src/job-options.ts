import type { JobsOptions } from 'bullmq';
import { RETENTION, RETRY_JOB_OPTIONS } from './queue-settings';

/** The options every delivery job is stored with. */
export function jobOptions(): JobsOptions {
  return { ...RETRY_JOB_OPTIONS, ...RETENTION };
}
