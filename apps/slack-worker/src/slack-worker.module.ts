import { Module } from '@nestjs/common';
import { DeliveryWorkerModule, QUEUE_SETTINGS, RELAY_RUNTIME, RelayRuntime, WORKER_REDIS } from '@relay/delivery';
import type { Redis } from 'ioredis';
import { SlackClient } from './slack.client';
import { SlackProcessor } from './slack.processor';
import { SlackSendGate } from './slack.send-gate';

@Module({
  imports: [DeliveryWorkerModule],
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
