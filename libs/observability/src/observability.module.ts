import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { RelayMetrics } from './metrics';
import { ReadinessRegistry } from './readiness';

/** Health probes and /metrics, the same on ingest and on every worker's HEALTH_PORT. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RelayMetrics, ReadinessRegistry],
  exports: [RelayMetrics, ReadinessRegistry],
})
export class ObservabilityModule {}
