import 'reflect-metadata';
import { runWorkerApp } from '@relay/runtime';

void runWorkerApp('wechat-worker');
