import type { GlobalConfig } from './relay-config.dto';
import type { TargetConfig } from './target.config';

export interface RateLimitDefaults {
  max: number;
  per: string;
  /** How long the target is left alone after the platform said "too fast". */
  penalty: string;
}

/** How one channel's targets are configured: what the loader validates a `<channel>_configs` entry with. */
export interface ChannelConfigSpec<C extends TargetConfig = TargetConfig> {
  configClass: new () => C;
  /** Alertmanager's default where it has the channel; true for the robots it lacks. */
  sendResolvedDefault: boolean;
  /** The platform's published limit, applied when a target sets no `rate_limit`. */
  rateLimitDefault: RateLimitDefaults;
  /**
   * Checks that need the `global` block (a field that may come from either place); returns the
   * reason when the target cannot work, reported at the target's path.
   */
  checkTarget?: (target: C, global: GlobalConfig) => string | undefined;
  /**
   * Fields of a valid target that are accepted (so a pasted Alertmanager block loads) but not acted
   * on: logged at start-up and printed by check-config, each at the target's path.
   */
  warnTarget?: (target: C) => string[];
}

/** Every channel's spec: the loader knows channels only through this record (built in @relay/channels). */
export type ChannelConfigSpecs = Readonly<Record<string, ChannelConfigSpec<any>>>;

/** The block that lists a channel's targets inside a receiver (Alertmanager's naming). */
export function configKey<C extends string>(channel: C): `${C}_configs` {
  return `${channel}_configs`;
}
