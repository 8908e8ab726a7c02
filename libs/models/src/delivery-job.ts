import type { WebhookPayload } from './webhook-payload.dto';

/**
 * What ingest stores in Redis for one (receiver, target). It names the target and never holds
 * its secrets: the worker resolves URL, token and password from its own config by `target`.
 */
export interface DeliveryJobData {
  receiver: string;
  /** A key of CHANNEL_DEFINITIONS (@relay/channels). */
  channel: string;
  /** `<receiver>/<channel>/<index>` or the target's explicit `name`. */
  target: string;
  notification: WebhookPayload;
  /** ms since epoch when ingest accepted the notification; the delivery latency starts here. */
  receivedAt: number;
  /**
   * A test send from the template playground (/ui): template text for this job's content fields
   * (`title`, `text`, `message`, `headers.Subject` …) in place of the target's. Never a secret; the
   * worker applies only fields that are content templates (withTemplateOverrides), never an address.
   */
  templateOverrides?: Record<string, string>;
}

/** What a worker returns for a delivered job (visible in Bull Board). */
export interface DeliveryResult {
  deliveredAt: number;
  /** Whatever the platform said worth keeping (message id, partly invalid recipients …), never a secret. */
  detail?: Record<string, unknown>;
  /**
   * This job sent a digest: how many messages, how many jobs' notifications they completed (this
   * one's included), the other jobs it carried, and those of them (or this one) whose notification
   * a newer one of the same group replaced.
   */
  digest?: { messages: number; notifications: number; carried: string[]; superseded: string[] };
  /** This job's notification went out in another job's digest message. */
  carriedBy?: string;
  /** A newer notification of the same group was shown in this one's place. */
  superseded?: boolean;
  /** The target's template failed on this notification; the built-in one was used (its error). */
  templateFallback?: string;
}
