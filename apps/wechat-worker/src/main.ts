import 'reflect-metadata';
import { runRelayProcess } from '@relay/delivery';
import { WechatWorkerModule } from './wechat-worker.module';

void runRelayProcess(() => [WechatWorkerModule], () => ({ port: Number(process.env.HEALTH_PORT || 8082) }));
