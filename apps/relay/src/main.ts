import 'reflect-metadata';
import { runRelayProcess, workerModules } from '@relay/runtime';
import { IngestModule } from '../../ingest/src/ingest.module';
import { withEmbeddedDefaults } from './embedded-defaults';

/**
 * The single-process relay (`npm start`): ingest and every channel worker in one process, all
 * HTTP (webhook, Bull Board, health, metrics) on PORT. For trying it out and small setups;
 * docker compose runs one app per process.
 */
void withEmbeddedDefaults(() => runRelayProcess(
  () => [IngestModule, ...workerModules()],
  (runtime) => ({ port: Number(process.env.PORT || 8080), bodyLimit: runtime.config.ingest.bodyLimitBytes }),
));
