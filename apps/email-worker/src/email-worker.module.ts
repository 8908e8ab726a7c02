import { BullModule } from '@nestjs/bullmq';
import { Module, OnApplicationShutdown } from '@nestjs/common';
import { DeliveryWorkerModule, QUEUE_SETTINGS } from '@relay/delivery';
import { queueName } from '@relay/models';
import { SmtpClient } from './email.client';
import { EmailProcessor } from './email.processor';

@Module({
  // registerQueue brings @nestjs/bullmq's explorer, which is what starts the @Processor's worker
  // (BullModule.forRootAsync alone does not).
  imports: [DeliveryWorkerModule, BullModule.registerQueue({ name: queueName('email') })],
  providers: [EmailProcessor, { provide: SmtpClient, useFactory: () => new SmtpClient({ timeoutMs: QUEUE_SETTINGS.email.requestTimeoutMs }) }],
})
export class EmailWorkerModule implements OnApplicationShutdown {
  constructor(private readonly client: SmtpClient) {}

  /** Pooled connections would keep the process alive and the relay's sessions open. */
  onApplicationShutdown(): void {
    this.client.close();
  }
}
