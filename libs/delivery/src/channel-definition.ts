import type { ChannelConfigSpec, RelayConfig, ResolvedTarget, TargetConfig } from '@relay/config';
import type { DeliveryJobData, WebhookPayload } from '@relay/models';
import type { RelayMetrics } from '@relay/observability';
import type { TemplateSet } from '@relay/templates';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueSettings } from './queue-settings';

/** How a channel renders: the template set to use, and a line to put first when the target's own templates failed. */
export interface RenderOptions {
  templates: TemplateSet;
  note?: string;
  /** Stable per message across retries (e.g. an email's Message-Id): the job id, and the part of a digest. */
  key: string;
  /** The config in force: `global` and the config file's folder (for `*_file` paths). */
  relay: RelayConfig;
}

/** One message of a digest and the notifications (indexes into those given) it is the last to show. */
export interface DigestMessage<M> {
  message: M;
  completes: number[];
}

/** What a send may use besides the message: the config in force, the job, and a way to report refused recipients. */
export interface SendContext {
  relay: RelayConfig;
  job: Job<DeliveryJobData>;
  /**
   * The platform delivered to some recipients and refused others: not a failure (a retry would
   * send the others a duplicate), but someone's alerts are going nowhere, so each is counted and logged.
   */
  reportRefusedRecipients(recipients: string[], detail: string): void;
}

/** Posts a channel's messages; one per worker process, built from the shared clients below. */
export interface ChannelSender<C extends TargetConfig, M> {
  /** Posts one message; throws DeliveryFailure (anything else is taken as transient). Returns what the job's result shows. */
  post(message: M, target: ResolvedTarget<C>, send: SendContext): Promise<Record<string, unknown> | void>;
  /** Pooled connections would keep the process alive. */
  close?(): void | Promise<void>;
}

/** What a sender is built from: the worker's patient Redis client and key prefix, metrics, the channel's timeout and pool size. */
export interface SenderDeps {
  redis: Redis;
  prefix: string;
  metrics: RelayMetrics;
  requestTimeoutMs: number;
  /** Keep-alive connections per platform origin (PlatformHttpOptions.connections). */
  connections?: number;
}

/**
 * Everything the relay knows about one channel, in that channel's folder: how its targets are
 * configured, its queue, its default templates, how a message is built and posted. The shared
 * machinery (DeliveryProcessor, channelWorkerModule) does the rest the same way for every channel.
 */
export interface ChannelDefinition<C extends TargetConfig = any, M = any> {
  config: ChannelConfigSpec<C>;
  queue: QueueSettings;
  /**
   * What the platform counts sends against, for the rate window and the penalty. The target when
   * left out; a channel whose platform limits a robot or webhook names that instead, so two
   * receivers pointing at one robot share its 20 a minute rather than getting 20 each.
   */
  rateScope?(target: ResolvedTarget<C>, relay: RelayConfig): string;
  /** The platform message for one notification; throws TemplateExecError when a template fails on its data. */
  build(notification: WebhookPayload, target: ResolvedTarget<C>, render: RenderOptions): M;
  /** The messages of a digest of several notifications; a channel without digests leaves it out. */
  buildDigest?(notifications: WebhookPayload[], target: ResolvedTarget<C>, render: RenderOptions): DigestMessage<M>[];
  /**
   * The target's block with every content template (title, text, message …) put back to the
   * channel's default, for the fallback render; recipients and addresses stay as configured.
   */
  withDefaultTemplates(config: C): C;
  createSender(deps: SenderDeps): ChannelSender<C, M>;
}
