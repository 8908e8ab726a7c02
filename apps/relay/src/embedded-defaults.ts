/**
 * What lets `npm start` run in a fresh checkout with nothing set up: the example config when
 * there is no config/relay.yml, and a redis-server of its own when there is no REDIS_URL and
 * nothing answers on the default address. Only the single-process relay does this; the apps
 * docker compose and Kubernetes run are told where Redis is.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '@relay/config';
import { rootLogger } from '@relay/observability';

export const EXAMPLE_CONFIG_FILE = 'config/relay.example.yml';
const DEFAULT_REDIS_PORT = 6379;

export const noRedisMessage = (port: number) =>
  `no Redis answers at redis://127.0.0.1:${port} and there is no redis-server on PATH: install one (apt-get install redis-server), run everything with docker compose up, or set REDIS_URL`;

/** Sets RELAY_CONFIG and REDIS_URL for what is missing, then starts the relay. */
export async function withEmbeddedDefaults(start: () => Promise<unknown>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await applyDefaults(env);
  } catch (e) {
    process.stderr.write(`alert-relay: ${(e as Error).message}\n`);
    process.exit(1);
  }
  await start();
}

async function applyDefaults(env: NodeJS.ProcessEnv): Promise<void> {
  const log = rootLogger();
  if (!env.REDIS_URL) {
    const port = Number(env.EMBEDDED_REDIS_PORT || DEFAULT_REDIS_PORT);
    if (!(await answers(port))) {
      const bin = onPath('redis-server', env.PATH ?? '');
      if (!bin) throw new Error(noRedisMessage(port));
      const dir = resolve(env.RELAY_DATA_DIR || 'data', 'redis');
      await startRedis(bin, port, dir);
      env.REDIS_URL = `redis://127.0.0.1:${port}`;
      log.info({ redis: env.REDIS_URL, dir }, `no REDIS_URL and no Redis at 127.0.0.1:${port}: started redis-server from PATH, append-only, stopped with the relay`);
    }
  }
  if (!env.RELAY_CONFIG && !existsSync(DEFAULT_CONFIG_FILE) && existsSync(EXAMPLE_CONFIG_FILE)) {
    env.RELAY_CONFIG = EXAMPLE_CONFIG_FILE;
    log.warn({ file: EXAMPLE_CONFIG_FILE }, `no ${DEFAULT_CONFIG_FILE}: starting on the example config (copy it to ${DEFAULT_CONFIG_FILE} to make your own)`);
  }
}

/** Whether something accepts a TCP connection on 127.0.0.1:port. */
function answers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.connect(port, '127.0.0.1');
  });
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Runs redis-server durably (AOF, as docker compose runs it) under a shell that stops it when
 * the relay's end of its stdin closes: that happens however the relay ends (a signal after
 * Nest's shutdown, process.exit, a crash, SIGKILL), and only after the relay's own connections
 * are closed. Its own process group, so a Ctrl-C in the terminal reaches the relay alone and
 * Redis outlives the workers' shutdown.
 */
async function startRedis(bin: string, port: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--logfile', join(dir, 'redis.log')];
  // The shell ends when redis-server does (so a failed start is seen at once); the reader it
  // leaves behind ends with the relay.
  const script = 'exec 3<&0; "$0" "$@" <&- & pid=$!; { read _ <&3; kill "$pid" 2>/dev/null; } & wait "$pid"';
  const child = spawn('/bin/sh', ['-c', script, bin, ...args], { detached: true, stdio: ['pipe', 'ignore', 'inherit'] });
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  const deadline = Date.now() + 10_000;
  while (!(await answers(port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on 127.0.0.1:${port} (see ${join(dir, 'redis.log')})`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
