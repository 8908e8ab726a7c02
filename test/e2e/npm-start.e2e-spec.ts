/**
 * `npm start` in a fresh checkout: no REDIS_URL and nothing on the default address starts a
 * redis-server of its own (stopped with the relay), no config/relay.yml runs the example config,
 * and with no Redis to be had it stops with one line saying how to get one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { eventually, freePort, runAppToExit, startAppProcess } from '@relay/testing';

const ROOT = join(__dirname, '..', '..');
const hasRedisServer = !spawnSync('redis-server', ['--version']).error;
const hasOwnConfig = existsSync(join(ROOT, 'config', 'relay.yml'));

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = new Socket();
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
    s.connect(port, '127.0.0.1');
  });
}

describe('npm start with nothing set up', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  (hasRedisServer ? it : it.skip)('starts its own redis-server, append-only in the data folder, and stops it with the relay', async () => {
    const redisPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'alert-relay-data-'));
    dirs.push(dataDir);
    // REDIS_URL empty is unset (the suite's own Redis is in the environment).
    const app = await startAppProcess('relay', { REDIS_URL: '', EMBEDDED_REDIS_PORT: String(redisPort), RELAY_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      expect(app.output()).toContain(`started redis-server from PATH`);
      expect(app.output()).toContain(`"redis":"redis://127.0.0.1:${redisPort}"`);
      expect(existsSync(join(dataDir, 'redis', 'appendonlydir'))).toBe(true);
      // Without config/relay.yml it runs, and says it runs, on the example config (a checkout
      // with its own config/relay.yml runs that; embedded-defaults.spec.ts covers both).
      if (!hasOwnConfig) expect(app.output()).toContain('no config/relay.yml: starting on the example config');
      expect(await answers(redisPort)).toBe(true);
    } finally {
      await app.stop('SIGTERM');
    }
    await eventually(async () => !(await answers(redisPort)), 10_000, 50);
  });

  it('with a REDIS_URL, never starts one', async () => {
    const redisPort = await freePort();
    const app = await startAppProcess('relay', { EMBEDDED_REDIS_PORT: String(redisPort), LOG_LEVEL: 'info' });
    try {
      expect(app.output()).not.toContain('started redis-server');
      expect(await answers(redisPort)).toBe(false);
    } finally {
      await app.stop('SIGTERM');
    }
  });

  it('with no Redis and no redis-server on PATH, stops with one line saying how to get Redis', async () => {
    const redisPort = await freePort();
    // node is run by its full path; only the search for redis-server reads PATH.
    const { code, output } = await runAppToExit('relay', { REDIS_URL: '', EMBEDDED_REDIS_PORT: String(redisPort), PATH: '/nonexistent' });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      `alert-relay: no Redis answers at redis://127.0.0.1:${redisPort} and there is no redis-server on PATH: install one (apt-get install redis-server), run everything with docker compose up, or set REDIS_URL`,
    ]);
  });
});
