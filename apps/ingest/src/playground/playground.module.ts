import { Module } from '@nestjs/common';
import { IngestQueuesModule } from '../ingest-queues';
import { PlaygroundController } from './playground.controller';
import { PlaygroundService } from './playground.service';

/** The template playground and delivery view at `/ui`, beside Bull Board at `/queues`. */
@Module({
  imports: [IngestQueuesModule],
  controllers: [PlaygroundController],
  providers: [PlaygroundService],
})
export class PlaygroundModule {}
