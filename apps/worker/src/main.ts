import 'reflect-metadata';
import { channelsFrom, GENERIC_WORKER_HEALTH_PORT, runWorkers } from '@relay/runtime';

/** The generic worker: the channels named in RELAY_CHANNELS (all when unset), for Kubernetes and custom layouts. */
let channels: ReturnType<typeof channelsFrom>;
try {
  channels = channelsFrom(process.env.RELAY_CHANNELS);
} catch (e) {
  process.stderr.write(`alert-relay: ${(e as Error).message}\n`);
  process.exit(1);
}
void runWorkers(channels, GENERIC_WORKER_HEALTH_PORT);
