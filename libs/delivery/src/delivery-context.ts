import { Inject, Injectable } from '@nestjs/common';
import { ReadinessRegistry, RelayMetrics } from '@relay/observability';
import { DigestStore } from './digest-store';
import { LoadedConfig, loadedConfigOf, RELAY_RUNTIME, RelayRuntime } from './relay-core.module';
import { TargetRateLimiter } from './target-rate-limiter';

/** Everything the base processor needs, injected once so channel processors pass one thing to super(). */
@Injectable()
export class DeliveryContext {
  constructor(
    readonly limiter: TargetRateLimiter,
    readonly digests: DigestStore,
    readonly metrics: RelayMetrics,
    readonly readiness: ReadinessRegistry,
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
  ) {}

  /**
   * The config and templates in force, taken once per job: a job keeps the ones it started with
   * to the end, however a reload lands while it renders or sends.
   */
  loaded(): LoadedConfig {
    return loadedConfigOf(this.runtime);
  }
}
