import { WorkerHost } from '@nestjs/bullmq';
import { OnModuleInit } from '@nestjs/common';
import type { ResolvedTarget } from '@relay/config';
import type { Channel, DeliveryJobData, DeliveryResult, WebhookPayload } from '@relay/models';
import { rootLogger, withTimeout } from '@relay/observability';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryContext } from './delivery-context';
import { DeliveryFailure } from './delivery-failure';

/**
 * The life of one delivery job, the same for every channel: resolve the target from config
 * (secrets never travel in job data), pass the per-target rate gate, send, and turn the
 * sender's DeliveryFailure into BullMQ's retry, delay or fail. Channel processors only send.
 */
export abstract class DeliveryProcessor<C extends Channel = Channel> extends WorkerHost implements OnModuleInit {
  protected abstract readonly channel: C;
  protected readonly log = rootLogger();

  constructor(protected readonly ctx: DeliveryContext) {
    super();
  }

  /** Delivers one notification to one target; throws DeliveryFailure (or anything, taken as transient). */
  protected abstract send(notification: WebhookPayload, target: ResolvedTarget<C>, job: Job<DeliveryJobData>): Promise<Record<string, unknown> | void>;

  /**
   * What the platform counts sends against, for the rate window and the penalty. A target by
   * default; a channel whose platform limits a robot or webhook names that instead, so two
   * receivers pointing at one robot share its 20 a minute rather than getting 20 each.
   */
  protected rateScope(target: ResolvedTarget<C>): string {
    return target.name;
  }

  /**
   * Ready means this worker takes jobs: its BullMQ worker runs, and the connection it fetches
   * jobs over (not just some other client of the process) answers a ping.
   */
  onModuleInit(): void {
    this.ctx.readiness.add(`worker:${this.channel}`, async () => {
      let running = false;
      try {
        running = this.worker.isRunning();
      } catch {
        // the worker is created after module init; until then it is not running
      }
      if (!running) throw new Error(`the ${this.channel} worker is not running`);
      await withTimeout(
        this.worker.client.then((client) => (client as unknown as Redis).ping()),
        1_000,
        'Redis (worker connection)',
      );
    });
  }

  async process(job: Job<DeliveryJobData>, token?: string): Promise<DeliveryResult> {
    const { metrics, limiter } = this.ctx;
    const target = this.ctx.config.target(job.data.target) as ResolvedTarget<C> | undefined;
    if (!target || target.channel !== this.channel) {
      metrics.deliveries.inc({ channel: this.channel, target: job.data.target, outcome: 'failed', reason: 'unknown_target' });
      throw new UnrecoverableError(`target "${job.data.target}" is not in this worker's ${this.channel} config`);
    }
    const labels = { channel: this.channel, target: target.name };

    const scope = this.rateScope(target);
    const admission = await limiter.acquire(scope, target.rateLimit, job.id);
    if (!admission.allowed) {
      metrics.rateLimitDeferrals.inc({ ...labels, reason: admission.reason });
      return this.delay(job, Date.now() + admission.waitMs, token);
    }

    try {
      const detail = (await this.send(job.data.notification, target, job)) ?? undefined;
      metrics.deliveries.inc({ ...labels, outcome: 'delivered', reason: 'ok' });
      metrics.deliveryLatency.observe({ channel: this.channel }, (Date.now() - job.data.receivedAt) / 1000);
      this.log.info({ ...labels, jobId: job.id, attempt: job.attemptsMade + 1 }, 'delivered');
      return { deliveredAt: Date.now(), detail };
    } catch (error) {
      const failure = DeliveryFailure.from(error);
      const context = { ...labels, jobId: job.id, attempt: job.attemptsMade + 1, reason: failure.reason };
      if (failure.kind === 'rate_limited') {
        const until = failure.retryAt ?? Date.now() + target.rateLimit.penaltyMs;
        await limiter.pause(scope, until);
        metrics.rateLimitDeferrals.inc({ ...labels, reason: 'penalty' });
        this.log.warn({ ...context, retryAt: new Date(until).toISOString() }, `platform throttled the target: ${failure.message}`);
        return this.delay(job, until, token);
      }
      if (failure.kind === 'permanent') {
        metrics.deliveries.inc({ ...labels, outcome: 'failed', reason: failure.reason });
        this.log.error(context, `delivery failed permanently: ${failure.message}`);
        throw new UnrecoverableError(`${failure.reason}: ${failure.message}`);
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      metrics.deliveries.inc({ ...labels, outcome: lastAttempt ? 'failed' : 'retry', reason: failure.reason });
      this.log.warn(context, `delivery failed${lastAttempt ? ', no attempts left' : ', will retry'}: ${failure.message}`);
      throw new Error(`${failure.reason}: ${failure.message}`);
    }
  }

  /**
   * The platform delivered to some recipients and refused others: not a failure (a retry would
   * send the others a duplicate), but someone's alerts are going nowhere, so it is counted per
   * recipient and logged.
   */
  protected reportRefusedRecipients(target: ResolvedTarget<C>, job: Job<DeliveryJobData>, recipients: string[], detail: string): void {
    if (!recipients.length) return;
    for (const recipient of recipients) this.ctx.metrics.invalidRecipients.inc({ channel: this.channel, target: target.name, recipient });
    this.log.warn({ channel: this.channel, target: target.name, jobId: job.id, refusedRecipients: recipients }, detail);
  }

  /** Waits for the target without spending an attempt: the job goes back to delayed until `until`. */
  private async delay(job: Job<DeliveryJobData>, until: number, token?: string): Promise<never> {
    await job.moveToDelayed(until, token);
    throw new DelayedError();
  }
}
