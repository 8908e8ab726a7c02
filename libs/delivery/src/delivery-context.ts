import { Inject, Injectable } from '@nestjs/common';
import { RelayConfig } from '@relay/config';
import { ReadinessRegistry, RelayMetrics } from '@relay/observability';
import { TemplateSet } from '@relay/templates';
import { DigestStore } from './digest-store';
import { RELAY_RUNTIME, RelayRuntime } from './relay-core.module';
import { TargetRateLimiter } from './target-rate-limiter';

/** Everything the base processor needs, injected once so channel processors pass one thing to super(). */
@Injectable()
export class DeliveryContext {
  /** What a message falls back to when the target's own templates fail on its data. */
  readonly builtinTemplates: TemplateSet;

  constructor(
    readonly config: RelayConfig,
    readonly templates: TemplateSet,
    readonly limiter: TargetRateLimiter,
    readonly digests: DigestStore,
    readonly metrics: RelayMetrics,
    readonly readiness: ReadinessRegistry,
    @Inject(RELAY_RUNTIME) runtime: RelayRuntime,
  ) {
    this.builtinTemplates = runtime.builtinTemplates;
  }
}
