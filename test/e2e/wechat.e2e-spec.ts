import { workerModules } from '@relay/runtime';
import { jobOptions } from '@relay/delivery';
import { DeliveryJobData, queueName, WebhookPayload } from '@relay/models';
import { eventually, InProcessRelay, notification, startRelay, uniquePrefix } from '@relay/testing';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeWecom } from '../fakes/wecom.fake';

const SECRET = 'wecom-app-secret-0123456789abcdefghijklmnop';
const WRONG_SECRET = 'wecom-wrong-secret-zyxwvutsrqponmlkjihgfedcba';

const config = (apiUrl: string) => `
global:
  wechat_api_url: ${apiUrl}
  wechat_api_corp_id: ww-corp
  wechat_api_secret: \${WECHAT_SECRET}
receivers:
  - name: ops
    wechat_configs:
      - name: ops-app
        agent_id: 1000002
        to_user: 'alice|bob'
        rate_limit: { max: 100000, per: 1s }   # this file counts tokens, not pacing
      - name: ops-wrong-secret
        api_secret: \${WRONG_SECRET}
        agent_id: 1000002
        rate_limit: { max: 100000, per: 1s }
      - name: ops-partly-invalid
        agent_id: '1000002'
        to_user: 'carol|ghost'
        to_party: '99'
        message_type: markdown
`;

/**
 * "Two worker processes" are two Nest applications in this process, each with its own Redis
 * connections, BullMQ worker and token store (so its own in-process single flight), sharing
 * one Redis and queue prefix exactly as two replicas would.
 */
describe('wechat worker (two replicas, real Redis, fake WeCom)', () => {
  let wecom: FakeWecom;
  let replicas: InProcessRelay[];
  let redis: Redis;
  let queue: Queue<DeliveryJobData>;

  beforeAll(async () => {
    wecom = await FakeWecom.start();
    wecom.app({ corpId: 'ww-corp', secret: SECRET, agentId: 1000002, users: ['alice', 'bob', 'carol'], parties: ['2'] });
    const prefix = uniquePrefix();
    const start = () =>
      startRelay({ yaml: config(wecom.apiUrl), features: [...workerModules(['wechat', 'wecom_robot'])], env: { WECHAT_SECRET: SECRET, WRONG_SECRET }, queuePrefix: prefix });
    replicas = await Promise.all([start(), start()]);
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue(queueName('wechat'), { connection: redis, prefix });
  });
  afterAll(async () => {
    await queue.close();
    await Promise.all(replicas.map((r) => r.close()));
    redis.disconnect();
    await wecom.close();
  });

  let batch = 0;
  async function enqueue(target: string, count: number, payload: (i: number) => WebhookPayload = () => notification()): Promise<Job<DeliveryJobData>[]> {
    batch++;
    return queue.addBulk(
      Array.from({ length: count }, (_, i) => ({
        name: 'deliver',
        data: { receiver: 'ops', channel: 'wechat' as const, target, notification: { ...payload(i), groupKey: `batch-${batch}-${i}` }, receivedAt: Date.now() },
        opts: { ...jobOptions(), jobId: `batch-${batch}-${i}` },
      })),
    );
  }

  async function settled(jobs: Job[], state: 'completed' | 'failed', timeoutMs = 20_000): Promise<Job<DeliveryJobData>[]> {
    // The states first, then the jobs: a copy read before the move lacks its result and reason.
    await eventually(async () => (await Promise.all(jobs.map((j) => queue.getJobState(j.id!)))).every((s) => s === state), timeoutMs, 100);
    return Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!)) as Job<DeliveryJobData>));
  }

  const metricsOf = async (replica: InProcessRelay) => (await fetch(`${replica.url}/metrics`)).text();
  const sumOf = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
  const issuedTokens = () => new Set(wecom.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('access_token')).filter((t): t is string => !!t));

  it('delivers 200 messages through two replicas with exactly one gettoken call', async () => {
    const jobs = await enqueue('ops-app', 200);
    await settled(jobs, 'completed');
    expect(wecom.delivered).toHaveLength(200);
    expect(wecom.gettokenCalls).toBe(1);
    expect(wecom.delivered.every((d) => d.body.touser === 'alice|bob' && d.body.agentid === 1000002 && d.body.msgtype === 'text')).toBe(true);

    // Both replicas did part of the work, sharing the one token.
    const metrics = await Promise.all(replicas.map(metricsOf));
    const delivered = metrics.map((m) => sumOf(m, /alert_relay_deliveries_total\{[^}]*target="ops-app",outcome="delivered"[^}]*\} (\d+)/g));
    expect(delivered[0] + delivered[1]).toBe(200);
    expect(delivered[0]).toBeGreaterThan(0);
    expect(delivered[1]).toBeGreaterThan(0);
    expect(sumOf(metrics.join('\n'), /alert_relay_wecom_token_fetches_total\{reason="missing",outcome="ok"\} (\d+)/g)).toBe(1);
  });

  it.each([
    [42001, 'expired'],
    [40014, 'rejected'],
  ] as const)('fetches exactly one more token when WeCom ends it mid-stream with %i, and delivers every message', async (errcode, reason) => {
    const before = { gettoken: wecom.gettokenCalls, delivered: wecom.delivered.length };
    const jobs = await enqueue('ops-app', 200);
    await eventually(() => wecom.delivered.length >= before.delivered + 20, 10_000, 2);
    wecom.expireTokens(errcode);
    expect(wecom.delivered.length - before.delivered).toBeLessThan(200); // truly mid-stream
    await settled(jobs, 'completed');
    expect(wecom.delivered.length - before.delivered).toBe(200);
    expect(wecom.gettokenCalls - before.gettoken).toBe(1);
    const metrics = (await Promise.all(replicas.map(metricsOf))).join('\n');
    expect(sumOf(metrics, new RegExp(`alert_relay_wecom_token_fetches_total\\{reason="${reason}",outcome="ok"\\} (\\d+)`, 'g'))).toBe(1);
  });

  it("fails a wrong secret's jobs permanently with WeCom's reason, calling gettoken once for all of them", async () => {
    const before = wecom.gettokenCalls;
    const sendsBefore = wecom.sendCalls;
    const jobs = await settled(await enqueue('ops-wrong-secret', 20), 'failed');
    expect(wecom.gettokenCalls - before).toBe(1);
    for (const job of jobs) {
      expect(job.failedReason).toMatch(/^errcode_40001: WeCom gettoken errcode 40001: invalid credential.*\(the api_secret is wrong/);
      expect(job.attemptsMade).toBe(1);
    }
    expect(wecom.sendCalls).toBe(sendsBefore);
  });

  it('keeps a 20 KB alert within 2048 bytes of valid UTF-8, dropping whole alerts', async () => {
    const huge = '磁盘🔥'.repeat(2_000); // 14 KB of 3- and 4-byte characters
    const payload = (): WebhookPayload => {
      const base = notification({ alertCount: 3 });
      base.alerts[2].annotations = { summary: huge, description: huge.slice(0, 2_000) };
      return base;
    };
    expect(Buffer.byteLength(JSON.stringify(payload()))).toBeGreaterThan(20_000);
    const before = wecom.delivered.length;
    await settled(await enqueue('ops-app', 1, payload), 'completed');
    const content: string = wecom.delivered[before].body.text.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(content).not.toContain('\uFFFD');
    expect(content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(content).toMatch(/… and 1 more firing alert$/);
    expect(content).toContain('api-0');
  });

  it('delivers to the valid recipients, warning with a metric that names the invalid ones', async () => {
    const [job] = await settled(await enqueue('ops-partly-invalid', 1), 'completed');
    expect(job.returnvalue.detail).toMatchObject({ invalid: { users: ['ghost'], parties: ['99'], tags: [] } });
    expect(wecom.delivered.at(-1)).toMatchObject({ reached: ['carol'], body: { msgtype: 'markdown', touser: 'carol|ghost', toparty: '99' } });
    const metrics = (await Promise.all(replicas.map(metricsOf))).join('\n');
    expect(metrics).toContain('alert_relay_invalid_recipients_total{channel="wechat",target="ops-partly-invalid",recipient="user:ghost"} 1');
    expect(metrics).toContain('alert_relay_invalid_recipients_total{channel="wechat",target="ops-partly-invalid",recipient="party:99"} 1');
  });

  it('keeps the secret and the token out of Redis keys, job data, failed reasons and metrics', async () => {
    const tokens = issuedTokens();
    expect(tokens.size).toBeGreaterThan(0);
    const keys = await redis.keys('*');
    const jobs = await queue.getJobs(['completed', 'failed']);
    const visible = [keys.join('\n'), JSON.stringify(jobs.map((j) => j.asJSON())), ...(await Promise.all(replicas.map(metricsOf)))].join('\n');
    for (const secret of [SECRET, WRONG_SECRET, ...tokens]) expect(visible).not.toContain(secret);
  });
});
