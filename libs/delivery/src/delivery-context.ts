import { Injectable } from '@nestjs/common';
import { RelayConfig } from '@relay/config';
import { ReadinessRegistry, RelayMetrics } from '@relay/observability';
import { TemplateSet } from '@relay/templates';
import { TargetRateLimiter } from './target-rate-limiter';

/** Everything the base processor needs, injected once so channel processors pass one thing to super(). */
@Injectable()
export class DeliveryContext {
  constructor(
    readonly config: RelayConfig,
    readonly templates: TemplateSet,
    readonly limiter: TargetRateLimiter,
    readonly metrics: RelayMetrics,
    readonly readiness: ReadinessRegistry,
  ) {}
}
