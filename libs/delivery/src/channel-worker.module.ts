import { Processor } from '@nestjs/bullmq';
import { DynamicModule, Inject, Module, OnApplicationShutdown, Type } from '@nestjs/common';
import { queueName } from '@relay/models';
import { RelayMetrics } from '@relay/observability';
import type { Redis } from 'ioredis';
import type { ChannelDefinition, ChannelSender } from './channel-definition';
import { DeliveryContext } from './delivery-context';
import { DeliveryProcessor } from './delivery.processor';
import { DeliveryWorkerModule, WORKER_REDIS } from './delivery-worker.module';
import { queueSettingsFor, workerOptions } from './queue-settings';
import { RELAY_RUNTIME, RelayRuntime } from './relay-core.module';

/**
 * The processor class a channelWorkerModule made, for whoever must reach its BullMQ worker
 * (`app.get(processorOf(module)).worker`). Not a second provider token: @nestjs/bullmq would
 * find the processor under both and start two BullMQ workers, each with the full concurrency.
 */
const processors = new WeakMap<DynamicModule, Type<DeliveryProcessor>>();
export function processorOf(module: DynamicModule): Type<DeliveryProcessor> {
  const processor = processors.get(module);
  if (!processor) throw new Error('not a module made by channelWorkerModule');
  return processor;
}

/**
 * The worker of one channel, built from its definition: a BullMQ processor on the channel's
 * queue (DeliveryProcessor does the life of every job), the channel's sender, and its readiness
 * check. Every channel's worker is made here, so they cannot drift apart.
 */
export function channelWorkerModule(channel: string, definition: ChannelDefinition): DynamicModule {
  const SENDER = Symbol(`${channel} sender`);
  const name = channel.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
  const queue = queueSettingsFor(channel, definition.queue);

  @Processor(queueName(channel), workerOptions(queue))
  class ChannelProcessor extends DeliveryProcessor {
    constructor(ctx: DeliveryContext, @Inject(SENDER) sender: ChannelSender<never, unknown>) {
      super(ctx, channel, definition, sender);
    }
  }
  Object.defineProperty(ChannelProcessor, 'name', { value: `${name}Processor` });

  @Module({})
  class ChannelWorkerModule implements OnApplicationShutdown {
    constructor(@Inject(SENDER) private readonly sender: ChannelSender<never, unknown>) {}

    async onApplicationShutdown(): Promise<void> {
      await this.sender.close?.();
    }
  }
  Object.defineProperty(ChannelWorkerModule, 'name', { value: `${name}WorkerModule` });

  const module: DynamicModule = {
    module: ChannelWorkerModule,
    imports: [DeliveryWorkerModule],
    providers: [
      ChannelProcessor,
      {
        provide: SENDER,
        inject: [WORKER_REDIS, RELAY_RUNTIME, RelayMetrics],
        useFactory: (redis: Redis, runtime: RelayRuntime, metrics: RelayMetrics) =>
          definition.createSender({ redis, prefix: runtime.queuePrefix, metrics, requestTimeoutMs: queue.requestTimeoutMs, connections: queue.connections }),
      },
    ],
  };
  processors.set(module, ChannelProcessor);
  return module;
}
