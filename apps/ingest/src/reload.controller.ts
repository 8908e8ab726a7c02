import { Controller, HttpCode, Inject, InternalServerErrorException, Post } from '@nestjs/common';
import { RELAY_RUNTIME, RelayRuntime } from '@relay/delivery';
import { rootLogger } from '@relay/observability';
import { ConfigReloader, publishReload } from '@relay/runtime';
import type { Redis } from 'ioredis';
import { IngestQueues } from './ingest-queues';

export const RELOAD_ROUTE = '/-/reload';

export interface ReloadAnswer {
  status: 'success';
  /** Worker processes Redis handed the reload request to; each reports its own outcome in its log and metrics. */
  workersNotified: number;
  /** Set when the request could not be published: this process reloaded, the workers were not asked. */
  warning?: string;
}

/**
 * Alertmanager's reload endpoint, behind the ingest credentials (IngestModule's request hook): it
 * reloads this process (in `npm start` the whole relay), then asks the worker processes through
 * Redis (ReloadSubscriber) to reload theirs. A refused file asks nobody: it is the same file.
 */
@Controller()
export class ReloadController {
  constructor(
    private readonly reloader: ConfigReloader,
    private readonly queues: IngestQueues,
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
  ) {}

  @Post(RELOAD_ROUTE.slice(1))
  @HttpCode(200)
  async reload(): Promise<ReloadAnswer> {
    try {
      await this.reloader.reload();
    } catch (e) {
      // As Alertmanager answers: the caller (who holds the ingest credentials) learns what the log says.
      throw new InternalServerErrorException({ status: 'error', error: (e as Error).message });
    }
    try {
      // Ingest's own connection: it fails fast, so a Redis outage cannot hang the answer.
      const workersNotified = await publishReload((await this.queues.byChannel.dingtalk.client) as unknown as Redis, this.runtime);
      rootLogger().info({ workersNotified }, 'config reload requested of the worker processes');
      return { status: 'success', workersNotified };
    } catch (e) {
      // This process did reload, so not a 500; but the caller must learn the workers kept theirs.
      const warning = `this process reloaded, but the worker processes could not be asked (${(e as Error).message}): send them SIGHUP, or POST again`;
      rootLogger().warn(warning);
      return { status: 'success', workersNotified: 0, warning };
    }
  }
}
