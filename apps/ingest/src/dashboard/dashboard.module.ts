import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardInstance, BullBoardModule, InjectBullBoard } from '@bull-board/nestjs';
import { Module, OnModuleInit } from '@nestjs/common';
import { IngestQueues, IngestQueuesModule } from '../ingest-queues';

export const DASHBOARD_ROUTE = '/queues';

/**
 * Bull Board over every channel queue: inspect, retry and clean jobs. Its access is guarded by
 * `dashboard.basic_auth` in IngestModule's request hook, before Bull Board sees the request.
 */
@Module({
  imports: [
    IngestQueuesModule,
    BullBoardModule.forRoot({ route: DASHBOARD_ROUTE, adapter: FastifyAdapter, boardOptions: { uiConfig: { boardTitle: 'alert-relay' } } })],
})
export class DashboardModule implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly queues: IngestQueues,
  ) {}

  onModuleInit(): void {
    for (const queue of this.queues.all()) this.board.addQueue(new BullMQAdapter(queue));
  }
}
