import 'reflect-metadata';
import { runRelayProcess } from '@relay/delivery';
import { EmailWorkerModule } from './email-worker.module';

void runRelayProcess(() => [EmailWorkerModule], () => ({ port: Number(process.env.HEALTH_PORT || 8084) }));
