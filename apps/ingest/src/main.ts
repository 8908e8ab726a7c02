import 'reflect-metadata';
import { runRelayProcess } from '@relay/runtime';
import { IngestModule } from './ingest.module';

void runRelayProcess(
  () => [IngestModule],
  (runtime) => ({ port: Number(process.env.PORT || 8080), bodyLimit: runtime.config.ingest.bodyLimitBytes }),
);
