import { BullModule } from '@nestjs/bullmq';
import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ReadinessRegistry, withTimeout } from '@relay/observability';
import type { Redis } from 'ioredis';
import { DeliveryContext } from './delivery-context';
import { DigestStore } from './digest-store';
import { bullConnection, createRedisClient } from './redis-connection';
import { RELAY_RUNTIME, RelayRuntime } from './relay-core.module';
import { TargetRateLimiter } from './target-rate-limiter';

/** The worker side's own Redis client (rate windows, token cache); patient through outages. */
export const WORKER_REDIS = Symbol('WORKER_REDIS');

/**
 * Shared by every channel worker module: BullMQ's worker connection, the per-target rate
 * limiter and the delivery context the base processor needs. Imported by each worker module;
 * Nest instantiates it once per process however many workers run there.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RELAY_RUNTIME],
      useFactory: (runtime: RelayRuntime) => ({
        connection: bullConnection(runtime.redisUrl, 'worker', runtime.queuePrefix),
        prefix: runtime.queuePrefix,
      }),
    }),
    // @nestjs/bullmq creates Workers for @Processor classes only once its explorer is registered,
    // which registerQueue does. With no queue named, no Queue (and no connection) is created:
    // workers take their connection from the shared config above, never ingest's fail-fast one.
    BullModule.registerQueue(),
  ],
  providers: [
    {
      provide: WORKER_REDIS,
      inject: [RELAY_RUNTIME, ReadinessRegistry],
      useFactory: (runtime: RelayRuntime, readiness: ReadinessRegistry) => {
        // A Cluster client has the same commands; every key it is given shares QUEUE_PREFIX's hash tag.
        const redis = createRedisClient(runtime.redisUrl, 'worker') as Redis;
        redis.on('error', () => undefined); // reconnects on its own; readiness reports the outage
        readiness.add('redis', async () => {
          await withTimeout(redis.ping(), 1_000, 'Redis');
        });
        return redis;
      },
    },
    {
      provide: TargetRateLimiter,
      inject: [WORKER_REDIS, RELAY_RUNTIME],
      useFactory: (redis: Redis, runtime: RelayRuntime) => new TargetRateLimiter(redis, runtime.queuePrefix),
    },
    {
      provide: DigestStore,
      inject: [WORKER_REDIS, RELAY_RUNTIME],
      useFactory: (redis: Redis, runtime: RelayRuntime) => new DigestStore(redis, runtime.queuePrefix),
    },
    DeliveryContext,
  ],
  exports: [WORKER_REDIS, TargetRateLimiter, DigestStore, DeliveryContext],
})
export class DeliveryWorkerModule implements OnApplicationShutdown {
  constructor(@Inject(WORKER_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
