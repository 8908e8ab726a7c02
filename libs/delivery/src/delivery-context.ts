import { Injectable } from '@nestjs/common';
import { RelayConfig } from '@relay/config';
import { ReadinessRegistry, RelayMetrics } from '@relay/observability';
import { TemplateSet } from '@relay/templates';
import { DigestStore } from './digest-store';
import { TargetRateLimiter } from './target-rate-limiter';

/** Everything the base processor needs, injected once so channel processors pass one thing to super(). */
@Injectable()
export class DeliveryContext {
  /**
   * The built-in templates alone: what a message falls back to when the target's own templates
   * fail on a notification's data. A user file may redefine the default names in `templates`,
   * so the fallback cannot be read from there.
   */
  readonly builtinTemplates: TemplateSet;

  constructor(
    readonly config: RelayConfig,
    readonly templates: TemplateSet,
    readonly limiter: TargetRateLimiter,
    readonly digests: DigestStore,
    readonly metrics: RelayMetrics,
    readonly readiness: ReadinessRegistry,
  ) {
    this.builtinTemplates = TemplateSet.fromSources([], { timezone: config.global.timezone });
  }
}
