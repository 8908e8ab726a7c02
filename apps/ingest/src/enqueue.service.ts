import { Injectable } from '@nestjs/common';
import type { ResolvedReceiver } from '@relay/config';
import { RelayMetrics, withTimeout } from '@relay/observability';
import type { DeliveryJobData, WebhookPayload } from '@relay/models';
import { IngestQueues } from './ingest-queues';
import { deliveryIdentity } from './job-identity';

export interface EnqueuedJob {
  channel: string;
  target: string;
  jobId: string;
}

export interface EnqueueResult {
  receiver: string;
  jobs: EnqueuedJob[];
  /** Every job already existed within the dedup window: nothing new was stored. */
  deduplicated: boolean;
}

/**
 * Job ids must be unique per store, not per millisecond: with dedup_window 0, identical
 * notifications arriving in one millisecond (at one replica or two) are each their own job, and a
 * shared id would have BullMQ keep one and drop the rest.
 */
const storeSuffix = () => Math.floor(Math.random() * 2 ** 32).toString(36);

/** Redis must take the jobs within this time or ingest answers 503 (Alertmanager then retries). */
const ENQUEUE_TIMEOUT_MS = 3_000;

/** Redis could not take the jobs (down, unreachable, too slow, refusing writes): the one cause of a 503. */
export class QueueUnavailableError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'QueueUnavailableError';
  }
}

/**
 * JavaScript's own error classes come from code, ours or BullMQ's (a TypeError on bad data, a
 * RangeError from JSON.stringify overflowing its stack), not from the connection: ioredis and
 * BullMQ report a closed stream, a refused write or a Redis reply as plain Errors (or their
 * subclasses), and the timeout above is one too. Answering 503 to a code error made a poison
 * notification that Alertmanager retried for ever; it is a 500 now, logged with its stack.
 */
const isCodeError = (e: unknown) =>
  e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError || e instanceof EvalError || e instanceof URIError;

@Injectable()
export class EnqueueService {
  constructor(
    private readonly queues: IngestQueues,
    private readonly metrics: RelayMetrics,
  ) {}

  /**
   * One job per target of the receiver (resolved notifications only for send_resolved targets),
   * deduplicated for `dedupWindowMs` (`ingest.dedup_window` of the config the receiver came from).
   * Resolves only once Redis has stored them all; rejects with QueueUnavailableError when Redis
   * could not take them, and with the error itself when something else failed.
   */
  async enqueue(receiver: ResolvedReceiver, payload: WebhookPayload, dedupWindowMs: number): Promise<EnqueueResult> {
    try {
      return await this.store(receiver, payload, dedupWindowMs);
    } catch (e) {
      throw isCodeError(e) ? e : new QueueUnavailableError(e);
    }
  }

  private async store(receiver: ResolvedReceiver, payload: WebhookPayload, ttl: number): Promise<EnqueueResult> {
    const receivedAt = Date.now();
    const targets = receiver.targets.filter((t) => payload.status === 'firing' || t.sendResolved);

    for (const target of targets) this.queues.holdWritesForThisTurn(target.channel);
    // One add per job, all in flight at once, rather than addBulk: BullMQ's addBulk builds an
    // ioredis pipeline, which copies every Lua command onto itself and costs more than it saves.
    // Each add is atomic; if one fails the answer is 503, Alertmanager retries, and deduplication
    // keeps the jobs that were stored from being stored twice.
    const jobs = await withTimeout(
      Promise.all(
        targets.map(async (target) => {
          const identity = deliveryIdentity(receiver.name, target.name, payload);
          const jobId = `${identity}-${receivedAt.toString(36)}-${storeSuffix()}`;
          const data: DeliveryJobData = { receiver: receiver.name, channel: target.channel, target: target.name, notification: payload, receivedAt };
          // The job id is unique per store (a retained job must not block a later, legitimate
          // resend); the deduplication id is the delivery's identity, for the dedup window.
          const job = await this.queues.byChannel[target.channel].add(target.name, data, {
            jobId,
            deduplication: ttl > 0 ? { id: identity, ttl } : undefined,
          });
          return { channel: target.channel, target: target.name, jobId: job.id!, fresh: job.id === jobId };
        }),
      ),
      ENQUEUE_TIMEOUT_MS,
      'Redis',
    );
    for (const job of jobs) if (job.fresh) this.metrics.jobsEnqueued.inc({ channel: job.channel });
    return {
      receiver: receiver.name,
      jobs: jobs.map(({ channel, target, jobId }) => ({ channel, target, jobId })),
      deduplicated: jobs.length > 0 && jobs.every((j) => !j.fresh),
    };
  }
}
