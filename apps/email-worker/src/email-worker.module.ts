import { Module, OnApplicationShutdown } from '@nestjs/common';
import { DeliveryWorkerModule, QUEUE_SETTINGS } from '@relay/delivery';
import { SmtpClient } from './email.client';
import { EmailProcessor } from './email.processor';

@Module({
  imports: [DeliveryWorkerModule],
  providers: [EmailProcessor, { provide: SmtpClient, useFactory: () => new SmtpClient({ timeoutMs: QUEUE_SETTINGS.email.requestTimeoutMs }) }],
})
export class EmailWorkerModule implements OnApplicationShutdown {
  constructor(private readonly client: SmtpClient) {}

  /** Pooled connections would keep the process alive and the relay's sessions open. */
  onApplicationShutdown(): void {
    this.client.close();
  }
}
