import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real redis-server owned by a test: its own port, its own empty data directory. */
export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (for outage-and-recovery tests). */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function findRedisServer(): string {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Tests need a Redis: set REDIS_URL to one, or install redis-server (Debian: apt-get install redis-server) so the tests can start their own.',
    );
  }
  return 'redis-server';
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server exited (${proc.exitCode ?? proc.signalCode})`);
    const ok = await listening(port);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startRedisServer(): Promise<RedisServer> {
  const bin = findRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-redis-'));
  let proc: ChildProcess;

  const launch = async () => {
    proc = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore' },
    );
    await waitForPort(port, proc, 10000);
  };
  const stop = async () => {
    // A process killed by a signal keeps exitCode null and sets signalCode instead.
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc.pid ?? -1;
    },
    stop: async () => {
      await stop();
    },
    restart: async () => {
      await stop();
      await launch();
    },
    // Cleanup of the directory on process exit keeps /tmp tidy without racing a restart.
    ...(process.once('exit', () => rmSync(dir, { recursive: true, force: true })) && {}),
  };
}
