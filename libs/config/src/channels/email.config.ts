import { TargetConfig } from './target.config';

/** Placeholder until its worker lands: the channel spec marks email as not delivered yet. */
export class EmailConfig extends TargetConfig {}
