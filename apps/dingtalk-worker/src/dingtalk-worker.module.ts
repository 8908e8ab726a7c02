import { Module } from '@nestjs/common';
import { DeliveryWorkerModule, QUEUE_SETTINGS } from '@relay/delivery';
import { DingtalkClient } from './dingtalk.client';
import { DingtalkProcessor } from './dingtalk.processor';

@Module({
  imports: [DeliveryWorkerModule],
  providers: [DingtalkProcessor, { provide: DingtalkClient, useFactory: () => new DingtalkClient(QUEUE_SETTINGS.dingtalk.requestTimeoutMs) }],
})
export class DingtalkWorkerModule {}
