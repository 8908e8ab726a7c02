import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, busiestWindow, eventually, notification, postJson, startAppProcess, uniquePrefix } from '@relay/testing';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { FakeWecom } from '../fakes/wecom.fake';
import { killStrayNodeChildren, RedisClusterNodes, startRedisCluster } from '../support/redis-topologies';

const SECRET = 'wecom-app-secret-for-the-cluster-0123456789ab';
const marker = (kind: string, i: number) => `${kind}-${String(i).padStart(3, '0')}`;

/** A single-alert notification of its own group, told apart by its instance and summary. */
function markedNotification(receiver: string, kind: string, i: number) {
  const body = notification({ receiver, groupKey: `{}:{instance="${marker(kind, i)}"}`, groupLabels: { instance: marker(kind, i) } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: marker(kind, i) };
  body.alerts[0].annotations = { summary: `[${marker(kind, i)}] disk almost full` };
  body.alerts[0].fingerprint = (0x7000 + i).toString(16).padStart(16, '0');
  return body;
}

const markersIn = (texts: string[], kind: string) => new Set(texts.flatMap((t) => t.match(new RegExp(`${kind}-\\d{3}`, 'g')) ?? []));

describe('Redis Cluster (three masters): ingest, a DingTalk worker and two WeCom workers', () => {
  let cluster: RedisClusterNodes;
  let dingtalk: FakeDingtalk;
  let wecom: FakeWecom;
  let ingest: AppProcess;
  let workers: AppProcess[];
  const prefix = uniquePrefix();

  // Generous: the Redis processes and the relay's Node processes (TypeScript compiled on load)
  // took over 35 s to come up on a two-core machine busy with other test runs.
  beforeAll(async () => {
    dingtalk = await FakeDingtalk.start();
    // DingTalk's real limits: 20 a minute, then 130101 for 10 minutes.
    const robot = dingtalk.robot('clustertoken');
    wecom = await FakeWecom.start();
    wecom.app({ corpId: 'ww-cluster', secret: SECRET, agentId: 1000002, users: ['alice'] });
    cluster = await startRedisCluster(3);
    const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-e2e-'));
    const config = join(dir, 'relay.yml');
    writeFileSync(
      config,
      `
global:
  wechat_api_url: ${wecom.apiUrl}
  wechat_api_corp_id: ww-cluster
  wechat_api_secret: \${WECHAT_SECRET}
receivers:
  - name: storm
    dingtalk_configs:
      - url: ${robot}
  - name: app
    wechat_configs:
      - agent_id: 1000002
        to_user: alice
        rate_limit: { max: 100000, per: 1s }   # this part counts gettoken calls, not pacing
        digest: false
`,
    );
    // info: the test reads the workers' "delivered" lines to know both WeCom workers sent.
    const env = { REDIS_URL: cluster.url, RELAY_CONFIG: config, QUEUE_PREFIX: prefix, WECHAT_SECRET: SECRET, LOG_LEVEL: 'info' };
    const started = await Promise.allSettled([
      startAppProcess('ingest', env),
      startAppProcess('dingtalk-worker', env),
      startAppProcess('wechat-worker', env),
      startAppProcess('wechat-worker', env),
    ]);
    const up = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    [ingest, ...workers] = up;
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled([ingest, ...(workers ?? [])].filter(Boolean).map((p) => p.stop('SIGKILL')));
    killStrayNodeChildren();
    await cluster?.stop();
    await dingtalk?.close();
    await wecom?.close();
  });

  it('holds a DingTalk robot to 20 a minute: 40 notifications, all shown (first singly, then in digests), none throttled', async () => {
    for (let i = 0; i < 40; i++) expect((await postJson(`${ingest.url}/webhook`, markedNotification('storm', 'storm', i))).status).toBe(202);
    const shown = () => markersIn(dingtalk.messagesTo('clustertoken').map((m) => m.markdown?.text ?? m.text?.content ?? ''), 'storm');
    await eventually(() => shown().size === 40, 30_000, 100);
    expect(dingtalk.throttled).toBe(0);
    expect(busiestWindow(dingtalk.delivered.map((m) => m.at), 60_000)).toBeLessThanOrEqual(20);
    // Fewer messages than notifications: the digest store's scripts ran on the Cluster too.
    expect(dingtalk.delivered.length).toBeLessThan(40);
  }, 40_000);

  it('shares one WeCom access token between two worker processes: 30 messages, one gettoken', async () => {
    for (let i = 0; i < 30; i++) expect((await postJson(`${ingest.url}/webhook`, markedNotification('app', 'app', i))).status).toBe(202);
    const shown = () => markersIn(wecom.delivered.map((m) => m.body.text?.content ?? m.body.markdown?.content ?? ''), 'app');
    await eventually(() => shown().size === 30, 20_000, 100);
    expect(wecom.gettokenCalls).toBe(1);
    const logs = workers.slice(1).map((w) => w.output());
    for (const log of logs) expect(log).toMatch(/"msg":"delivered"/);
  }, 30_000);

  it('keeps every key of the relay in the one slot of its QUEUE_PREFIX hash tag', async () => {
    const owner = await cluster.ownerOf(prefix.slice(1, -1));
    const keys = await cluster.keysPerNode();
    expect(keys.get(owner)).toBeGreaterThan(0);
    for (const [port, count] of keys) if (port !== owner) expect(count).toBe(0);
  });

  it('stops every process on SIGTERM', async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise((r) => (timer = setTimeout(() => r('still running after 15 s'), 15_000)));
    const exits = await Promise.all([ingest, ...workers].map((p) => Promise.race([p.stop('SIGTERM'), deadline])));
    clearTimeout(timer);
    expect(exits).toEqual(exits.map(() => 'SIGTERM'));
  }, 20_000);
});
