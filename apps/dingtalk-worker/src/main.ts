import 'reflect-metadata';
import { runRelayProcess } from '@relay/delivery';
import { DingtalkWorkerModule } from './dingtalk-worker.module';

void runRelayProcess(() => [DingtalkWorkerModule], () => ({ port: Number(process.env.HEALTH_PORT || 8081) }));
