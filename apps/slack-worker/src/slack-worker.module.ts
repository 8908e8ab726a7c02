import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DeliveryWorkerModule, QUEUE_SETTINGS, RELAY_RUNTIME, RelayRuntime, WORKER_REDIS } from '@relay/delivery';
import { queueName } from '@relay/models';
import type { Redis } from 'ioredis';
import { SlackClient } from './slack.client';
import { SlackProcessor } from './slack.processor';
import { SlackSendGate } from './slack.send-gate';

@Module({
  // registerQueue brings @nestjs/bullmq's explorer, which is what starts the @Processor's worker
  // (BullModule.forRootAsync alone does not).
  imports: [DeliveryWorkerModule, BullModule.registerQueue({ name: queueName('slack') })],
  providers: [
    SlackProcessor,
    { provide: SlackClient, useFactory: () => new SlackClient(QUEUE_SETTINGS.slack.requestTimeoutMs) },
    {
      provide: SlackSendGate,
      inject: [WORKER_REDIS, RELAY_RUNTIME],
      useFactory: (redis: Redis, runtime: RelayRuntime) => new SlackSendGate(redis, runtime.queuePrefix),
    },
  ],
})
export class SlackWorkerModule {}
