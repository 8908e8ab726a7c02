import { TargetConfig } from './target.config';

/** Placeholder until its worker lands: the channel spec marks slack as not delivered yet. */
export class SlackConfig extends TargetConfig {}
