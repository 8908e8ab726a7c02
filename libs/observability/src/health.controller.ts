import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { RelayMetrics } from './metrics';
import { ReadinessRegistry } from './readiness';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: RelayMetrics,
  ) {}

  /** The process answers: nothing else is checked, so a Redis outage never gets it restarted. */
  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.readiness.entries().map(([name, probe]) => async () => {
        const indicator = this.indicators.check(name);
        try {
          await probe();
          return indicator.up();
        } catch (e) {
          return indicator.down({ message: (e as Error).message });
        }
      }),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.render();
  }
}
