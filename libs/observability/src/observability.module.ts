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
  providers: [
    RelayMetrics,
    ReadinessRegistry,
    {
      // A scrape reads every readiness check, so "Redis unreachable" is alertable from /metrics as from /health/ready.
      provide: 'READINESS_METRICS',
      inject: [RelayMetrics, ReadinessRegistry],
      useFactory: (metrics: RelayMetrics, readiness: ReadinessRegistry) =>
        metrics.onCollect(async () => {
          await Promise.all(readiness.entries().map(async ([check, probe]) => metrics.ready.set({ check }, await probe().then(() => 1, () => 0))));
        }),
    },
  ],
  exports: [RelayMetrics, ReadinessRegistry],
})
export class ObservabilityModule {}
