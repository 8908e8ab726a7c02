import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobOptions } from '@relay/delivery';
import { DeliveryJobData, queueName } from '@relay/models';
import { AppProcess, eventually, notification, startAppProcess, uniquePrefix } from '@relay/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeWecom } from '../fakes/wecom.fake';

const SECRET = 'wecom-app-secret-for-processes-0123456789abcd';

/** Two real worker processes, each its own Node with its own Redis connections and token single-flight. */
describe('wechat worker as two separate processes', () => {
  let wecom: FakeWecom;
  let workers: AppProcess[];
  let redis: Redis;
  let queue: Queue<DeliveryJobData>;

  const startWorker = (configFile: string, prefix: string) =>
    startAppProcess('wechat-worker', { RELAY_CONFIG: configFile, QUEUE_PREFIX: prefix, WECHAT_SECRET: SECRET, LOG_LEVEL: 'debug' });

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
    await Promise.all((workers ?? []).map((w) => w.stop()));
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
        opts: { ...jobOptions(), jobId: `p${batch}-${i}` },
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
