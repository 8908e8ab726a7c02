import { TargetConfig } from './target.config';

/** Placeholder until its worker lands: the channel spec marks wechat as not delivered yet. */
export class WechatConfig extends TargetConfig {}
