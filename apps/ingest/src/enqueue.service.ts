import { Injectable } from '@nestjs/common';
import { RelayConfig, ResolvedReceiver } from '@relay/config';
import { RelayMetrics, withTimeout } from '@relay/observability';
import type { Channel, DeliveryJobData, WebhookPayload } from '@relay/models';
import { IngestQueues } from './ingest-queues';
import { deliveryIdentity } from './job-identity';

export interface EnqueuedJob {
  channel: Channel;
  target: string;
  jobId: string;
}

export interface EnqueueResult {
  receiver: string;
  jobs: EnqueuedJob[];
  /** Every job already existed within the dedup window: nothing new was stored. */
  deduplicated: boolean;
}

/** Redis must take the jobs within this time or ingest answers 503 (Alertmanager then retries). */
const ENQUEUE_TIMEOUT_MS = 3_000;

@Injectable()
export class EnqueueService {
  constructor(
    private readonly config: RelayConfig,
    private readonly queues: IngestQueues,
    private readonly metrics: RelayMetrics,
  ) {}

  /**
   * One job per target of the receiver (resolved notifications only for send_resolved targets),
   * stored in one round trip per channel. Resolves only once Redis has stored them all.
   */
  async enqueue(receiver: ResolvedReceiver, payload: WebhookPayload): Promise<EnqueueResult> {
    const receivedAt = Date.now();
    const targets = receiver.targets.filter((t) => payload.status === 'firing' || t.sendResolved);
    const byChannel = new Map<Channel, Array<{ target: string; identity: string }>>();
    for (const target of targets) {
      const list = byChannel.get(target.channel) ?? [];
      list.push({ target: target.name, identity: deliveryIdentity(receiver.name, target.name, payload) });
      byChannel.set(target.channel, list);
    }

    const ttl = this.config.ingest.dedupWindowMs;
    const stored = await withTimeout(
      Promise.all(
        [...byChannel].map(async ([channel, entries]) => {
          const jobs = await this.queues.byChannel[channel].addBulk(
            entries.map(({ target, identity }) => {
              const data: DeliveryJobData = { receiver: receiver.name, channel, target, notification: payload, receivedAt };
              return {
                name: target,
                data,
                // The job id is unique per store (a retained job must not block a later, legitimate
                // resend); the deduplication id is the delivery's identity, for the dedup window.
                opts: { jobId: `${identity}-${receivedAt.toString(36)}`, deduplication: ttl > 0 ? { id: identity, ttl } : undefined },
              };
            }),
          );
          return jobs.map((job, i) => ({ channel, target: entries[i].target, jobId: job.id!, fresh: job.id!.startsWith(`${entries[i].identity}-${receivedAt.toString(36)}`) }));
        }),
      ),
      ENQUEUE_TIMEOUT_MS,
      'Redis',
    );
    const jobs = stored.flat();
    for (const job of jobs) if (job.fresh) this.metrics.jobsEnqueued.inc({ channel: job.channel });
    return {
      receiver: receiver.name,
      jobs: jobs.map(({ channel, target, jobId }) => ({ channel, target, jobId })),
      deduplicated: jobs.length > 0 && jobs.every((j) => !j.fresh),
    };
  }
}
