import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { eventually } from './payloads';
import { freePort } from './redis-server';

const ROOT = resolve(__dirname, '../..');

// Runs an app's main.ts in a real Node process, as `npm run start:<app>` runs its build, compiling
// TypeScript on load with swc so the tests need no prior `npm run build`.
const boot = (main: string) => `
const swc = require('@swc/core');
const fs = require('fs');
const swcrc = JSON.parse(fs.readFileSync(${JSON.stringify(join(ROOT, '.swcrc'))}, 'utf8'));
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename, sourceMaps: false });
  module._compile(code, filename);
};
const { compilerOptions } = require(${JSON.stringify(join(ROOT, 'tsconfig.json'))});
require('tsconfig-paths').register({ baseUrl: ${JSON.stringify(ROOT)}, paths: compilerOptions.paths });
require(${JSON.stringify(join(ROOT, main))});
`;

export interface AppProcess {
  child: ChildProcess;
  /** HEALTH_PORT (workers) or PORT (ingest, relay). */
  port: number;
  url: string;
  output(): string;
  /** Sends the signal and resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs an app that is expected to stop on its own (e.g. refusing a bad config): its exit code and output. */
export async function runAppToExit(app: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-e', boot(`apps/${app}/src/main.ts`)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, output };
}

/** Starts `apps/<app>/src/main.ts` in its own process and waits for /health/ready. */
export async function startAppProcess(app: string, env: NodeJS.ProcessEnv): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', boot(`apps/${app}/src/main.ts`)], {
    cwd: ROOT,
    env: { ...process.env, HEALTH_PORT: String(port), PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return whenReady(app, child, port);
}

/**
 * Starts the app as `npm run start:<app>` does: `node dist/apps/<app>/src/main.js`, building
 * first when a source is newer than dist/ (scripts/build-if-stale.js), so what runs is the build
 * an image ships, its copied assets included.
 */
export async function startBuiltAppProcess(app: string, env: NodeJS.ProcessEnv): Promise<AppProcess> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.js')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, HEALTH_PORT: String(port), PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return whenReady(app, child, port);
}

/** Collects the process's output and resolves once it answers /health/ready. */
async function whenReady(app: string, child: ChildProcess, port: number): Promise<AppProcess> {
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} exited: ${output}`);
      return (await fetch(`${url}/health/ready`)).ok;
    },
    30_000,
    200,
  );
  return {
    child,
    port,
    url,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
