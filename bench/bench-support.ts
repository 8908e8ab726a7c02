import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** With `captureOutput`: the last lines the process wrote (its logs go to stdout, at `logLevel`). */
  output(): string;
  stop(): Promise<void>;
}

export interface RelayProcessOptions {
  /** LOG_LEVEL of the process (default error). */
  logLevel?: string;
  /** Keep the tail of its stdout and stderr for `output()` (stderr is still shown). */
  captureOutput?: boolean;
  /** Arguments for node itself, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

/** How much of a process's output `output()` keeps. */
const OUTPUT_TAIL_BYTES = 256 * 1024;

/**
 * Runs a built relay app (dist/) in its own process, as production does, so the load generator
 * in this process does not share its event loop.
 */
export async function startRelayProcess(app: 'relay' | 'ingest' | 'dingtalk-worker', yaml: string, redisUrl: string, prefix: string, options: RelayProcessOptions = {}): Promise<RelayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-'));
  writeFileSync(join(dir, 'relay.yml'), yaml);
  const port = await freePort();
  return startBenchProcess(process.execPath, [...(options.nodeArgs ?? []), join(__dirname, '..', 'apps', app, 'src', 'main.js')], {
    // PORT for ingest and the relay, HEALTH_PORT for a worker's probes.
    env: { ...process.env, RELAY_CONFIG: join(dir, 'relay.yml'), REDIS_URL: redisUrl, PORT: String(port), HEALTH_PORT: String(port), QUEUE_PREFIX: prefix, LOG_LEVEL: options.logLevel ?? 'error', ...options.env },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health/ready',
    captureOutput: options.captureOutput,
  });
}

/** Where scripts/build-go-relay.sh puts prometheus-webhook-dingtalk unless told otherwise. */
export const GO_RELAY_DEFAULT_PATH = '/tmp/alert-relay-bench/prometheus-webhook-dingtalk';

/**
 * Runs prometheus-webhook-dingtalk (the Go relay alert-relay replaces; scripts/build-go-relay.sh
 * builds it) with `configYaml` as its config.yml, in a directory of its own, listening on a free
 * loopback port: Alertmanager posts to `${url}/dingtalk/<target>/send`. Its logs (stderr, logfmt)
 * are kept for `output()`, not shown: at `logLevel` info it logs a line per request.
 */
export async function startGoRelayProcess(binary: string, configYaml: string, options: { logLevel?: string } = {}): Promise<RelayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-go-'));
  writeFileSync(join(dir, 'config.yml'), configYaml);
  const port = await freePort();
  return startBenchProcess(binary, [`--web.listen-address=127.0.0.1:${port}`, '--config.file=config.yml', `--log.level=${options.logLevel ?? 'warn'}`], {
    cwd: dir,
    env: process.env,
    url: `http://127.0.0.1:${port}`,
    readyPath: '/-/ready',
    captureOutput: true,
    quiet: true,
  });
}

/**
 * Spawns a server process and waits until `readyPath` answers 2xx. With `captureOutput` the tail
 * of its stdout and stderr is kept for `output()`; its stderr is shown too, unless `quiet`.
 */
async function startBenchProcess(
  command: string,
  args: string[],
  o: { env: NodeJS.ProcessEnv; cwd?: string; url: string; readyPath: string; captureOutput?: boolean; quiet?: boolean },
): Promise<RelayProcess> {
  const proc = spawn(command, args, { env: o.env, cwd: o.cwd, stdio: ['ignore', o.captureOutput ? 'pipe' : 'ignore', o.captureOutput ? 'pipe' : o.quiet ? 'ignore' : 'inherit'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail += chunk.toString('utf8');
    if (tail.length > 2 * OUTPUT_TAIL_BYTES) tail = tail.slice(-OUTPUT_TAIL_BYTES);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', (chunk: Buffer) => {
    keep(chunk);
    if (!o.quiet) process.stderr.write(chunk);
  });
  let exitedEarly: (() => void) | undefined;
  const earlyExit = new Promise<never>((_, reject) => {
    exitedEarly = () => reject(new Error(`${command} exited before it was ready (exit ${proc.exitCode ?? proc.signalCode}):\n${tail.slice(-4_000)}`));
    proc.once('exit', exitedEarly);
  });
  try {
    await Promise.race([eventually(async () => (await fetch(`${o.url}${o.readyPath}`)).ok, 30_000, 100), earlyExit]);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  } finally {
    proc.off('exit', exitedEarly!);
  }
  return {
    url: o.url,
    proc,
    output: () => tail.slice(-OUTPUT_TAIL_BYTES),
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      // A shutdown that hangs must not hang the run.
      const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** One process's memory from /proc/<pid>/status, in kB: resident now (VmRSS) and its peak so far (VmHWM). */
export function processMemoryKb(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return undefined; // gone, or no /proc (not Linux)
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat; NaN when gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux Node runs on. */
const CLOCK_TICKS_PER_S = 100;

export interface MemorySampler {
  /** The largest VmRSS sampled and the last VmHWM read, in kB (NaN when never read). */
  peak(): { rssKb: number; hwmKb: number; samples: number };
  stop(): void;
}

/** Samples a process's memory every `everyMs` until stopped (VmHWM is the kernel's own peak, so nothing between samples is missed). */
export function sampleMemory(pid: number, everyMs = 250): MemorySampler {
  let rssKb = NaN;
  let hwmKb = NaN;
  let samples = 0;
  const sample = () => {
    const now = processMemoryKb(pid);
    if (!now) return;
    samples++;
    rssKb = Number.isNaN(rssKb) ? now.rssKb : Math.max(rssKb, now.rssKb);
    hwmKb = Number.isNaN(hwmKb) ? now.hwmKb : Math.max(hwmKb, now.hwmKb);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peak: () => {
      sample();
      return { rssKb, hwmKb, samples };
    },
    stop: () => clearInterval(timer),
  };
}

