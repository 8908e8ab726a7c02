import type { Channel } from './channel';
import type { WebhookPayload } from './webhook-payload.dto';

/**
 * What ingest stores in Redis for one (receiver, target). It names the target and never holds
 * its secrets: the worker resolves URL, token and password from its own config by `target`.
 */
export interface DeliveryJobData {
  receiver: string;
  channel: Channel;
  /** `<receiver>/<channel>/<index>` or the target's explicit `name`. */
  target: string;
  notification: WebhookPayload;
  /** ms since epoch when ingest accepted the notification; the delivery latency starts here. */
  receivedAt: number;
}

/** What a worker returns for a delivered job (visible in Bull Board). */
export interface DeliveryResult {
  deliveredAt: number;
  /** Whatever the platform said worth keeping (message id, partly invalid recipients …), never a secret. */
  detail?: Record<string, unknown>;
}
