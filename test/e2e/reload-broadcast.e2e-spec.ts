import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reloadChannel } from '@relay/runtime';
import { Redis } from 'ioredis';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { AppProcess, eventually, metricValue, notification, postJson, startAppProcess, uniquePrefix } from '@relay/testing';

const TOKEN = 'reload-broadcast-token';
const auth = { Authorization: `Bearer ${TOKEN}` };

const relayYml = (robot: string, extra = '') => `
ingest:
  auth: { bearer_token: ${TOKEN} }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${robot}
${extra}`;

let group = 0;
const nextGroup = () => `g-reload-broadcast-${++group}`;

const metric = async (p: AppProcess, name: string) => metricValue(await (await fetch(`${p.url}/metrics`)).text(), name)!;
const reloadedAt = (p: AppProcess) => metric(p, 'alert_relay_config_last_reload_success_timestamp_seconds');
const count = (text: string, line: string) => text.split(line).length - 1;

describe('POST /-/reload on ingest reloads the worker processes too (real processes, no SIGHUP)', () => {
  let fake: FakeDingtalk;
  let ingest: AppProcess;
  let worker: AppProcess;
  let redis: Redis;
  let ingestFile: string;
  let workerFile: string;
  const prefix = uniquePrefix();

  const write = (text: string) => [ingestFile, workerFile].forEach((file) => writeFileSync(file, text));
  const reload = async () => {
    const res = await fetch(`${ingest.url}/-/reload`, { method: 'POST', headers: auth });
    return { status: res.status, body: (await res.json()) as any };
  };
  const send = async () => expect((await postJson(`${ingest.url}/webhook/ops`, notification({ groupKey: nextGroup() }), auth)).status).toBe(202);

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const dir = mkdtempSync(join(tmpdir(), 'reload-broadcast-'));
    [ingestFile, workerFile] = [join(dir, 'ingest.yml'), join(dir, 'worker.yml')];
    write(relayYml(fake.robot('firstrobot')));
    const env = { QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' };
    [ingest, worker] = await Promise.all([
      startAppProcess('ingest', { ...env, RELAY_CONFIG: ingestFile }),
      startAppProcess('dingtalk-worker', { ...env, RELAY_CONFIG: workerFile }),
    ]);
    redis = new Redis(process.env.REDIS_URL!);
    // Ready says the worker consumes its queue; its subscription is sent at the same start-up, not awaited by it.
    await eventually(async () => ((await redis.call('PUBSUB', 'NUMSUB', reloadChannel(prefix))) as [string, number])[1] === 1, 10_000);
  }, 90_000);
  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([ingest, worker].filter(Boolean).map((p) => p.stop()));
    await fake?.close();
  });

  it('the worker process re-reads the file: the next notification reaches the new robot, and the answer counts 1 worker', async () => {
    await send();
    await eventually(() => fake.messagesTo('firstrobot').length === 1, 15_000);
    const before = await reloadedAt(worker);
    write(relayYml(fake.robot('secondrobot')));

    const res = await reload();

    expect(res).toEqual({ status: 200, body: { status: 'success', workersNotified: 1 } });
    await eventually(async () => (await reloadedAt(worker)) > before, 15_000, 100);
    expect(await metric(worker, 'alert_relay_config_last_reload_successful')).toBe(1);
    expect(worker.output()).toContain('config reload requested through Redis');
    expect(count(worker.output(), 'config reloaded')).toBe(1);
    expect(count(ingest.output(), 'config reloaded')).toBe(1);

    await send();
    await eventually(() => fake.messagesTo('secondrobot').length === 1, 15_000);
    expect(fake.messagesTo('firstrobot')).toHaveLength(1);
  }, 60_000);

  it('a file ingest refuses is not passed on: 500, and the worker keeps its config and its metrics', async () => {
    const before = await reloadedAt(worker);
    const requests = count(worker.output(), 'config reload requested through Redis');
    write(relayYml(fake.robot('thirdrobot'), '  - dingtalk_configs: []\n'));

    const res = await reload();

    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/receivers\[1\]\.name/);
    await new Promise((r) => setTimeout(r, 500));
    expect(count(worker.output(), 'config reload requested through Redis')).toBe(requests);
    expect(await reloadedAt(worker)).toBe(before);
    expect(await metric(worker, 'alert_relay_config_last_reload_successful')).toBe(1);
    await send();
    await eventually(() => fake.messagesTo('secondrobot').length === 2, 15_000);
  }, 30_000);

  it("a worker's own refusal is in its log and metrics, not in ingest's answer", async () => {
    // Each process reads its own file, as pods with a ConfigMap each: here only the worker's is broken.
    writeFileSync(ingestFile, relayYml(fake.robot('secondrobot')));
    writeFileSync(workerFile, relayYml(fake.robot('thirdrobot'), '  - dingtalk_configs: []\n'));
    const before = await reloadedAt(worker);

    expect(await reload()).toEqual({ status: 200, body: { status: 'success', workersNotified: 1 } });

    await eventually(async () => (await metric(worker, 'alert_relay_config_last_reload_successful')) === 0, 15_000, 100);
    expect(await reloadedAt(worker)).toBe(before);
    expect(worker.output()).toContain('config reload refused, the config in force stays');
    await send();
    await eventually(() => fake.messagesTo('secondrobot').length === 3, 15_000);
    expect(fake.messagesTo('thirdrobot')).toHaveLength(0);
  }, 30_000);
});
