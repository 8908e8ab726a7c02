/**
 * `npm run bench`: every benchmark in one run, printing its figures. Nothing here asserts on time;
 * the figures go into the README with this command.
 */
import { cpus } from 'node:os';
import { run as templates } from './templates.bench';
import { run as ingest } from './ingest.bench';
import { run as delivery } from './delivery.bench';
import { run as digest } from './digest.bench';
import { run as throughput } from './throughput.bench';
import { run as cli } from './cli.bench';

const BENCHES: Record<string, () => Promise<void>> = { templates, ingest, delivery, throughput, digest, cli };

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  console.log(`alert-relay benchmarks — node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (only.length && !only.includes(name)) continue;
    await bench();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
