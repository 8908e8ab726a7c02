import { ChannelConfigSpecs, configKey } from './channel-config-spec';
import type { TargetConfig } from './target.config';
import { BasicAuthConfig, DashboardConfig, GlobalConfig, RelayConfigDto, UNUSED_GLOBAL_FIELDS } from './relay-config.dto';
import { parseDuration, parseSize } from './units';
import type { ConfigIssue } from './config-error';

export interface RateLimit {
  max: number;
  perMs: number;
  penaltyMs: number;
}

/** One place a notification goes: a configured channel target, with defaults applied. */
export interface ResolvedTarget<C extends TargetConfig = TargetConfig> {
  /** `<receiver>/<channel>/<index>` or the explicit `name:`; what jobs, logs and metrics say. */
  name: string;
  receiver: string;
  /** The channel's name: a key of CHANNEL_DEFINITIONS (@relay/channels). */
  channel: string;
  index: number;
  sendResolved: boolean;
  rateLimit: RateLimit;
  /** Waiting notifications go out together under throttling (`digest`, default true). */
  digest: boolean;
  /** Transient failures are retried until the notification is this old (ms). */
  maxDeliveryAgeMs: number;
  /** The longest wait between two tries (ms). */
  maxRetryIntervalMs: number;
  /** The validated block; may hold secrets, so it never leaves the process. */
  config: C;
}

export interface ResolvedReceiver {
  name: string;
  targets: ResolvedTarget[];
}

export interface IngestSettings {
  bearerToken?: string;
  basicAuth?: BasicAuthConfig;
  dedupWindowMs: number;
  bodyLimitBytes: number;
  /** Alerts one notification may hold (`ingest.max_alerts`). */
  maxAlerts: number;
}

/** The loaded, validated config: what every app is built from. */
export class RelayConfig {
  readonly global: GlobalConfig;
  readonly ingest: IngestSettings;
  readonly dashboard: DashboardConfig;
  /** Globs as written, relative to `baseDir`. */
  readonly templateGlobs: string[];
  readonly receivers: ReadonlyMap<string, ResolvedReceiver>;
  readonly targets: ReadonlyMap<string, ResolvedTarget>;
  /** Fields accepted and not acted on (UNUSED_GLOBAL_FIELDS, ChannelConfigSpec.warnTarget…), for start-up to log and check-config to print. */
  readonly warnings: ConfigIssue[] = [];

  constructor(
    /** The file it came from, for messages. */
    readonly file: string,
    readonly baseDir: string,
    dto: RelayConfigDto,
    channels: ChannelConfigSpecs,
  ) {
    this.global = dto.global;
    this.dashboard = dto.dashboard;
    this.templateGlobs = dto.templates;
    this.ingest = {
      bearerToken: dto.ingest.auth?.bearer_token,
      basicAuth: dto.ingest.auth?.basic_auth,
      dedupWindowMs: parseDuration(dto.ingest.dedup_window)!,
      bodyLimitBytes: parseSize(dto.ingest.body_limit)!,
      maxAlerts: dto.ingest.max_alerts,
    };
    for (const [field, why] of Object.entries(UNUSED_GLOBAL_FIELDS)) {
      if ((dto.global as unknown as Record<string, unknown>)[field] !== undefined) this.warnings.push({ path: `global.${field}`, message: `accepted, not used: ${why}` });
    }
    const receivers = new Map<string, ResolvedReceiver>();
    const targets = new Map<string, ResolvedTarget>();
    dto.receivers.forEach((receiver, r) => {
      if (receiver.labels !== undefined) this.warnings.push({ path: `receivers[${r}].labels`, message: 'accepted, not used: they find receivers through Alertmanager\'s API, which the relay does not have' });
      const resolved: ResolvedReceiver = { name: receiver.name, targets: [] };
      for (const channel of Object.keys(channels)) {
        (receiver[configKey(channel)] ?? []).forEach((config, index) => {
          const target = resolveTarget(receiver.name, channel, index, config, channels, dto.global);
          resolved.targets.push(target);
          targets.set(target.name, target);
          const path = `receivers[${r}].${configKey(channel)}[${index}]`;
          for (const message of channels[channel].warnTarget?.(config) ?? []) this.warnings.push({ path, message });
        });
      }
      receivers.set(receiver.name, resolved);
    });
    this.receivers = receivers;
    this.targets = targets;
  }

  receiver(name: string): ResolvedReceiver | undefined {
    return this.receivers.get(name);
  }

  target(name: string): ResolvedTarget | undefined {
    return this.targets.get(name);
  }

  /** A channel's targets, typed as the caller knows that channel's config to be. */
  targetsOf<C extends TargetConfig = TargetConfig>(channel: string): ResolvedTarget<C>[] {
    return [...this.targets.values()].filter((t): t is ResolvedTarget<C> => t.channel === channel);
  }

  channelsInUse(): Set<string> {
    return new Set([...this.targets.values()].map((t) => t.channel));
  }
}

export function defaultTargetName(receiver: string, channel: string, index: number): string {
  return `${receiver}/${channel}/${index}`;
}

function resolveTarget(receiver: string, channel: string, index: number, config: TargetConfig, channels: ChannelConfigSpecs, global: GlobalConfig): ResolvedTarget {
  const spec = channels[channel];
  const limit = config.rate_limit;
  const defaults = spec.rateLimitDefault;
  return {
    name: config.name ?? defaultTargetName(receiver, channel, index),
    receiver,
    channel,
    index,
    sendResolved: config.send_resolved ?? spec.sendResolvedDefault,
    rateLimit: {
      max: limit?.max ?? defaults.max,
      perMs: parseDuration(limit?.per ?? defaults.per)!,
      penaltyMs: parseDuration(limit?.penalty ?? defaults.penalty)!,
    },
    digest: config.digest ?? true,
    maxDeliveryAgeMs: parseDuration(config.max_delivery_age ?? global.max_delivery_age)!,
    maxRetryIntervalMs: parseDuration(config.max_retry_interval ?? global.max_retry_interval)!,
    config,
  };
}
