import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { jobOptions, RELAY_RUNTIME, RelayRuntime, redisOptions } from '@relay/delivery';
import { Channel, CHANNELS, queueName } from '@relay/models';
import { ReadinessRegistry, RelayMetrics, withTimeout } from '@relay/observability';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized'] as const;

/**
 * Ingest's own handles on the channel queues. Their connection fails fast (no offline queue),
 * so a Redis outage turns into a 503 that Alertmanager retries, never into a hung request.
 */
@Injectable()
export class IngestQueues implements OnApplicationShutdown {
  readonly byChannel: Record<Channel, Queue>;

  constructor(@Inject(RELAY_RUNTIME) runtime: RelayRuntime, readiness: ReadinessRegistry, metrics: RelayMetrics) {
    const connection = redisOptions(runtime.redisUrl, 'ingest');
    this.byChannel = Object.fromEntries(
      CHANNELS.map((channel) => [
        channel,
        new Queue(queueName(channel), { connection, prefix: runtime.queuePrefix, defaultJobOptions: jobOptions(channel) }),
      ]),
    ) as Record<Channel, Queue>;
    for (const queue of this.all()) queue.on('error', () => undefined); // surfaced as 503 and readiness instead
    readiness.add('redis', async () => {
      await withTimeout(this.byChannel.dingtalk.client.then((c) => (c as unknown as Redis).ping()), 1_000, 'Redis');
    });
    metrics.onCollect(async () => {
      await Promise.all(
        this.all().map(async (queue) => {
          const counts = await withTimeout(queue.getJobCounts(...JOB_STATES), 1_000, 'Redis');
          for (const state of JOB_STATES) metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
        }),
      );
    });
  }

  all(): Queue[] {
    return Object.values(this.byChannel);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.all().map((q) => q.close()));
  }
}

@Module({ providers: [IngestQueues], exports: [IngestQueues] })
export class IngestQueuesModule {}
