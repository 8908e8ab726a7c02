import { Module } from '@nestjs/common';
import { DeliveryWorkerModule, QUEUE_SETTINGS, RELAY_RUNTIME, RelayRuntime, WORKER_REDIS } from '@relay/delivery';
import { RelayMetrics } from '@relay/observability';
import type { Redis } from 'ioredis';
import { WechatClient } from './wechat.client';
import { WechatProcessor } from './wechat.processor';
import { WechatSender } from './wechat.sender';
import { WechatTokenStore } from './wechat.token-store';
import { WecomRobotClient } from './wecom-robot.client';
import { WecomRobotProcessor } from './wecom-robot.processor';

/** Both WeCom channels: app messages (`wechat`) and group robots (`wecom_robot`). */
@Module({
  imports: [DeliveryWorkerModule],
  providers: [
    WechatProcessor,
    WecomRobotProcessor,
    { provide: WechatClient, useFactory: () => new WechatClient(QUEUE_SETTINGS.wechat.requestTimeoutMs) },
    {
      provide: WechatTokenStore,
      inject: [WORKER_REDIS, RELAY_RUNTIME, WechatClient, RelayMetrics],
      useFactory: (redis: Redis, runtime: RelayRuntime, client: WechatClient, metrics: RelayMetrics) =>
        new WechatTokenStore(redis, runtime.queuePrefix, (credentials) => client.fetchToken(credentials), {
          fetchTimeoutMs: QUEUE_SETTINGS.wechat.requestTimeoutMs,
          onFetch: (reason, outcome) => metrics.wecomTokenFetches.inc({ reason, outcome }),
        }),
    },
    { provide: WechatSender, inject: [WechatClient, WechatTokenStore], useFactory: (client: WechatClient, tokens: WechatTokenStore) => new WechatSender(client, tokens) },
    { provide: WecomRobotClient, useFactory: () => new WecomRobotClient(QUEUE_SETTINGS.wecom_robot.requestTimeoutMs) },
  ],
})
export class WechatWorkerModule {}
