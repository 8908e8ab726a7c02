import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from '../test/support';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
export const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface RelayProcess {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs a built relay app (dist/) in its own process, as production does, so the load generator
 * in this process does not share its event loop.
 */
export async function startRelayProcess(app: 'relay' | 'ingest', yaml: string, redisUrl: string, prefix: string): Promise<RelayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-'));
  writeFileSync(join(dir, 'relay.yml'), yaml);
  const port = await freePort();
  const proc = spawn(process.execPath, [join(__dirname, '..', 'apps', app, 'src', 'main.js')], {
    env: { ...process.env, RELAY_CONFIG: join(dir, 'relay.yml'), REDIS_URL: redisUrl, PORT: String(port), QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/health/ready`)).ok, 30_000, 100);
  return {
    url,
    proc,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
