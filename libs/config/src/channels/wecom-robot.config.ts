import { TargetConfig } from './target.config';

/** Placeholder until its worker lands: the channel spec marks wecom_robot as not delivered yet. */
export class WecomRobotConfig extends TargetConfig {}
