import 'reflect-metadata';
import { runRelayProcess } from '@relay/delivery';
import { SlackWorkerModule } from './slack-worker.module';

void runRelayProcess(() => [SlackWorkerModule], () => ({ port: Number(process.env.HEALTH_PORT || 8083) }));
