import type { Type } from '@nestjs/common';
import type { Channel } from '@relay/models';
import { DingtalkWorkerModule } from '../../dingtalk-worker/src/dingtalk-worker.module';
import { EmailWorkerModule } from '../../email-worker/src/email-worker.module';
import { SlackWorkerModule } from '../../slack-worker/src/slack-worker.module';
import { WechatWorkerModule } from '../../wechat-worker/src/wechat-worker.module';

/**
 * The worker module that consumes each channel's queue. The single-process relay runs them all;
 * a channel in use without a worker here stops start-up rather than queueing jobs no one takes.
 */
export const WORKER_MODULES: Record<Channel, Type> = {
  dingtalk: DingtalkWorkerModule,
  wechat: WechatWorkerModule,
  wecom_robot: WechatWorkerModule,
  slack: SlackWorkerModule,
  email: EmailWorkerModule,
};
