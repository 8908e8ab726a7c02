import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jobOptions } from '@relay/delivery';
import { DeliveryJobData, queueName } from '@relay/models';
import { eventually, freePort, notification, uniquePrefix } from '@relay/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeWecom } from '../fakes/wecom.fake';

const ROOT = resolve(__dirname, '../..');
const SECRET = 'wecom-app-secret-for-processes-0123456789abcd';

// Runs apps/wechat-worker/src/main.ts as `npm run start:wechat-worker` would run its build, compiling
// TypeScript on load with swc (the build of the whole tree may be broken by work in progress elsewhere).
const BOOT = `
const swc = require('@swc/core');
const fs = require('fs');
const swcrc = JSON.parse(fs.readFileSync(${JSON.stringify(join(ROOT, '.swcrc'))}, 'utf8'));
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename, sourceMaps: false });
  module._compile(code, filename);
};
const { compilerOptions } = require(${JSON.stringify(join(ROOT, 'tsconfig.json'))});
require('tsconfig-paths').register({ baseUrl: ${JSON.stringify(ROOT)}, paths: compilerOptions.paths });
require(${JSON.stringify(join(ROOT, 'apps/wechat-worker/src/main.ts'))});
`;

interface WorkerProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Two real worker processes, each its own Node with its own Redis connections and token single-flight. */
describe('wechat worker as two separate processes', () => {
  let wecom: FakeWecom;
  let workers: WorkerProcess[];
  let redis: Redis;
  let queue: Queue<DeliveryJobData>;

  async function startWorker(configFile: string, prefix: string): Promise<WorkerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['-e', BOOT], {
      cwd: ROOT,
      env: { ...process.env, RELAY_CONFIG: configFile, QUEUE_PREFIX: prefix, HEALTH_PORT: String(port), WECHAT_SECRET: SECRET, LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const worker = { child, port, output: () => output };
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited: ${output}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
      },
      30_000,
      200,
    );
    return worker;
  }

  beforeAll(async () => {
    wecom = await FakeWecom.start();
    wecom.app({ corpId: 'ww-corp', secret: SECRET, agentId: 1000002, users: ['alice', 'bob'] });
    const dir = mkdtempSync(join(tmpdir(), 'wechat-processes-'));
    const configFile = join(dir, 'relay.yml');
    writeFileSync(
      configFile,
      `
global:
  wechat_api_url: ${wecom.apiUrl}
  wechat_api_corp_id: ww-corp
  wechat_api_secret: \${WECHAT_SECRET}
receivers:
  - name: ops
    wechat_configs:
      - name: ops-app
        agent_id: 1000002
        to_user: 'alice|bob'
        rate_limit: { max: 100000, per: 1s }   # this file counts tokens, not pacing
`,
    );
    const prefix = uniquePrefix();
    workers = await Promise.all([startWorker(configFile, prefix), startWorker(configFile, prefix)]);
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue(queueName('wechat'), { connection: redis, prefix });
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await Promise.all(
      (workers ?? []).map(
        (w) =>
          new Promise<void>((done) => {
            if (w.child.exitCode !== null) return done();
            w.child.once('exit', () => done());
            w.child.kill('SIGTERM');
          }),
      ),
    );
    await wecom?.close();
  });

  let batch = 0;
  async function deliver(count: number, midway?: () => void): Promise<void> {
    batch++;
    const before = wecom.delivered.length;
    const jobs = await queue.addBulk(
      Array.from({ length: count }, (_, i) => ({
        name: 'deliver',
        data: { receiver: 'ops', channel: 'wechat' as const, target: 'ops-app', notification: { ...notification(), groupKey: `p${batch}-${i}` }, receivedAt: Date.now() },
        opts: { ...jobOptions('wechat'), jobId: `p${batch}-${i}` },
      })),
    );
    if (midway) {
      await eventually(() => wecom.delivered.length >= before + 20, 20_000, 2);
      midway();
    }
    await eventually(async () => (await Promise.all(jobs.map((j) => queue.getJob(j.id!).then((x) => x!.getState())))).every((s) => s === 'completed'), 30_000, 100);
  }

  it('delivers 200 messages with exactly one gettoken call, then exactly one more when the token expires mid-stream', async () => {
    await deliver(200);
    expect(wecom.delivered).toHaveLength(200);
    expect(wecom.gettokenCalls).toBe(1);

    await deliver(200, () => wecom.expireTokens(42001));
    expect(wecom.delivered).toHaveLength(400);
    expect(wecom.gettokenCalls).toBe(2);
    expect(wecom.requests.some((r) => r.url.startsWith('/cgi-bin/message/send'))).toBe(true);

    // Both processes worked, and neither logged the secret or a token.
    const logs = workers.map((w) => w.output());
    for (const log of logs) expect(log).toMatch(/"msg":"delivered"/);
    const tokens = new Set(wecom.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('access_token')).filter(Boolean) as string[]);
    expect(tokens.size).toBe(2);
    for (const secret of [SECRET, ...tokens]) for (const log of logs) expect(log).not.toContain(secret);
  }, 90_000);
});
