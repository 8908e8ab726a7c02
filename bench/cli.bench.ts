/**
 * Start-up of what people run by hand: `alert-relay template render` beside `amtool template
 * render` on the same case, `alert-relay check-config` of the example config (each the median
 * wall time of 10 runs of the bin, `node dist/apps/cli/src/main.js`, without npm's own ~0.45 s),
 * and `npm start` with nothing changed since the last build: the time until /health/ready
 * answers 200.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { eventually, freePort, startRedisServer } from '../test/support';
import { fmt, median } from './bench-support';

// This file runs from dist/bench/ once built; the fixtures and scripts stay in the source tree.
const ROOT = join(__dirname, __dirname.includes(join('dist', 'bench')) ? '../..' : '..');
const CLI = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');
const GOLDEN = join(ROOT, 'libs', 'templates', 'test', 'golden');
const RUNS = 10;
const START_RUNS = 3;
const RENDER_ARGS = ['template', 'render', '--template.glob=templates/*.tmpl', '--template.text={{ template "ding.markdown" . }}', '--template.data=data/five-firing.json'];

/** CPU time (user + system, ms) of this process's reaped children, from /proc (10 ms ticks); NaN elsewhere. */
function childrenCpuMs(): number {
  try {
    // Fields after the ")" that ends the command name: cutime and cstime are the 14th and 15th.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return NaN;
  }
}

interface Timing {
  ms: number;
  cpuMs: number;
  stdout: string;
  status: number | null;
}

function timed(cmd: string, args: string[], cwd: string): Timing {
  const cpu = childrenCpuMs();
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { ms: performance.now() - t, cpuMs: childrenCpuMs() - cpu, stdout: r.stdout, status: r.status };
}

/** Median wall and CPU time of RUNS runs; CPU time says more than wall time on a busy machine. */
function medianOf(cmd: string, args: string[], cwd: string): Timing {
  const first = timed(cmd, args, cwd); // warms the page cache; not counted
  const runs = Array.from({ length: RUNS }, () => timed(cmd, args, cwd));
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), stdout: first.stdout, status: first.status };
}

const figures = (t: Timing) => `${fmt(t.ms)} ms (CPU ${fmt(t.cpuMs)} ms)`;

async function npmStartReadyMs(redisUrl: string): Promise<number> {
  const port = await freePort();
  const npm = process.env.npm_execpath;
  const t = performance.now();
  const child = spawn(npm ? process.execPath : 'npm', [...(npm ? [npm] : []), 'start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), REDIS_URL: redisUrl, RELAY_CONFIG: join(ROOT, 'config', 'relay.example.yml'), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
    // Its own group: npm, its shell and node all get the SIGTERM below.
    detached: true,
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
      },
      60_000,
      20,
    );
    return performance.now() - t;
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

export async function run(): Promise<void> {
  const node = medianOf(process.execPath, ['-e', '0'], ROOT);
  const ours = medianOf(process.execPath, [CLI, ...RENDER_ARGS], GOLDEN);
  const amtool = spawnSync('amtool', ['--version']).error ? undefined : medianOf('amtool', RENDER_ARGS, GOLDEN);
  const check = medianOf(process.execPath, [CLI, 'check-config', join(ROOT, 'config', 'relay.example.yml')], ROOT);
  console.log(`cli: wall time, median of ${RUNS} runs (node itself, \`node -e 0\`: ${figures(node)})`);
  console.log(`  alert-relay template render:  ${figures(ours)} (ding.markdown, 5 alerts; exit ${ours.status})`);
  if (amtool) console.log(`  amtool template render:       ${figures(amtool)} (same case; ${amtool.stdout === ours.stdout ? 'same output' : 'OUTPUT DIFFERS'})`);
  else console.log('  amtool template render:       (no amtool on PATH)');
  console.log(`  alert-relay check-config:     ${figures(check)} (config/relay.example.yml; exit ${check.status})`);

  // "Nothing changed": the build is fresh before the first timed start.
  const fresh = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.js')], { cwd: ROOT, stdio: 'inherit' });
  if (fresh.status !== 0) throw new Error('build failed');
  const redis = await startRedisServer();
  try {
    const ready: number[] = [];
    for (let i = 0; i < START_RUNS; i++) ready.push(await npmStartReadyMs(redis.url));
    console.log(`  npm start, nothing changed:   ${fmt(median(ready))} ms until /health/ready is 200 (median of ${START_RUNS}: ${ready.map((x) => fmt(x)).join(', ')})`);
  } finally {
    await redis.stop();
  }
}
