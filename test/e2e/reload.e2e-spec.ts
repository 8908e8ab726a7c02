import { queueName } from '@relay/models';
import { workerModules } from '@relay/runtime';
import { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { AppProcess, eventually, InProcessRelay, metricValue, notification, postJson, settledJob, startAppProcess, startRelay, uniquePrefix } from '@relay/testing';

const TOKEN = 'reload-ingest-token';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** The relay's config: `ops` goes to the given robot; `paced` is a robot of 2 a minute that stays; `gone` is there while `withGone`. */
const relayYml = (opsRobot: string, pacedRobot: string, { token = TOKEN, withGone = '' } = {}) => `
ingest:
  auth: { bearer_token: ${token} }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${opsRobot}
  - name: paced
    dingtalk_configs:
      - url: ${pacedRobot}
        rate_limit: { max: 2, per: 1m, penalty: 1m }
        digest: false
${withGone ? `  - name: gone\n    dingtalk_configs:\n      - url: ${withGone}\n` : ''}`;

/** The file with `ops` on `robot`, broken twice: a negative rate limit, and a receiver without a name. */
const brokenYml = (robot: string, pacedRobot: string) =>
  relayYml(robot, pacedRobot).replace(`      - url: ${robot}\n`, `      - url: ${robot}\n        rate_limit: { max: -1 }\n  - dingtalk_configs: []\n`);

let group = 0;
const nextGroup = () => `g-reload-${++group}`;

async function reloadTimestamp(url: string): Promise<number> {
  return metricValue(await (await fetch(`${url}/metrics`)).text(), 'alert_relay_config_last_reload_success_timestamp_seconds')!;
}

describe('config reload without restart: POST /-/reload (in-process relay)', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let queue: Queue;
  let configFile: string;
  let first: string;
  let second: string;
  let paced: string;

  const write = (text: string) => writeFileSync(configFile, text);
  // As `curl -X POST` sends it: no body.
  const reload = async (headers: Record<string, string> = auth) => {
    const res = await fetch(`${relay.url}/-/reload`, { method: 'POST', headers });
    return { status: res.status, body: (await res.json()) as any };
  };
  const metrics = async () => (await fetch(`${relay.url}/metrics`)).text();
  const send = async (receiver: string) => {
    const res = await postJson(`${relay.url}/webhook/${receiver}`, notification({ groupKey: nextGroup() }), auth);
    expect(res.status).toBe(202);
    return res.body.jobs[0].jobId as string;
  };

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    first = fake.robot('firstrobot');
    second = fake.robot('secondrobot');
    paced = fake.robot('pacedrobot');
    configFile = join(mkdtempSync(join(tmpdir(), 'reload-')), 'relay.yml');
    write(relayYml(first, paced, { withGone: fake.robot('gonerobot') }));
    relay = await startRelay({ configFile, features: [IngestModule, ...workerModules(['dingtalk'])] });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue?.close();
    await relay?.close();
    await fake?.close();
  });

  it('refuses a reload without the ingest credentials', async () => {
    expect((await reload({})).status).toBe(401);
    expect((await reload({ Authorization: 'Bearer wrong' })).status).toBe(401);
    expect([401, 404]).toContain((await fetch(`${relay.url}/%2D/reload`, { method: 'POST' })).status);
  });

  it('sends the next notification to the robot the reloaded file names', async () => {
    await send('ops');
    await eventually(() => fake.messagesTo('firstrobot').length === 1);
    write(relayYml(second, paced));

    const res = await reload();

    // Ingest and the workers in one process, as in `npm start`: reloaded by the POST itself, no other process to ask.
    expect(res).toEqual({ status: 200, body: { status: 'success', workersNotified: 0 } });
    await send('ops');
    await eventually(() => fake.messagesTo('secondrobot').length === 1);
    expect(fake.messagesTo('firstrobot')).toHaveLength(1);
    expect(metricValue(await metrics(), 'alert_relay_config_last_reload_successful')).toBe(1);
  });

  it('fails a job already queued for a target the reload removed as unknown_target', async () => {
    const job = await queue.add('gone/dingtalk/0', {
      receiver: 'gone',
      channel: 'dingtalk',
      target: 'gone/dingtalk/0',
      notification: notification({ groupKey: nextGroup(), receiver: 'gone' }),
      receivedAt: Date.now(),
    });
    const settled = await settledJob(queue, job.id!);
    expect(await settled.getState()).toBe('failed');
    expect(metricValue(await metrics(), 'alert_relay_deliveries_total', { target: 'gone/dingtalk/0', reason: 'unknown_target' })).toBe(1);
    expect(fake.messagesTo('gonerobot')).toHaveLength(0);
  });

  it('refuses a broken file with every reason (500), and the robot in force gets the next notification', async () => {
    const succeededAt = await reloadTimestamp(relay.url);
    write(brokenYml(first, paced));

    const res = await reload();

    expect(res.status).toBe(500);
    expect(res.body.status).toBe('error');
    expect(res.body.error).toMatch(/relay\.yml: receivers\[0\]\.dingtalk_configs\[0\]\.rate_limit\.max: /);
    expect(res.body.error).toMatch(/relay\.yml: receivers\[1\]\.name: /);
    const text = await metrics();
    expect(metricValue(text, 'alert_relay_config_last_reload_successful')).toBe(0);
    expect(metricValue(text, 'alert_relay_config_last_reload_success_timestamp_seconds')).toBe(succeededAt);

    await send('ops');
    await eventually(() => fake.messagesTo('secondrobot').length === 2);
    expect(fake.messagesTo('firstrobot')).toHaveLength(1);

    write(relayYml(second, paced));
    expect((await reload()).status).toBe(200);
    expect(metricValue(await metrics(), 'alert_relay_config_last_reload_successful')).toBe(1);
    expect(await reloadTimestamp(relay.url)).toBeGreaterThan(succeededAt);
  });

  it('keeps the rate window of a target that stays: a robot that used its 2 a minute is still held after a reload', async () => {
    await send('paced');
    await send('paced');
    await eventually(() => fake.messagesTo('pacedrobot').length === 2);
    write(relayYml(first, paced));
    expect((await reload()).status).toBe(200);

    const held = await send('paced');
    await eventually(async () => (await queue.getJobState(held)) === 'delayed');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fake.messagesTo('pacedrobot')).toHaveLength(2);
    expect(await queue.getJobState(held)).toBe('delayed');
    expect(metricValue(await metrics(), 'alert_relay_rate_limit_deferrals_total', { target: 'paced/dingtalk/0', reason: 'window' })).toBeGreaterThan(0);
  });

  it('checks the credentials of the config in force: a reload that changes the token takes effect on the next request', async () => {
    write(relayYml(first, paced, { token: 'the-new-token' }));
    expect((await reload()).status).toBe(200);
    expect((await postJson(`${relay.url}/webhook/ops`, notification({ groupKey: nextGroup() }), auth)).status).toBe(401);
    expect((await postJson(`${relay.url}/webhook/ops`, notification({ groupKey: nextGroup() }), { Authorization: 'Bearer the-new-token' })).status).toBe(202);
    expect((await reload()).status).toBe(401);
    await eventually(() => fake.messagesTo('firstrobot').length === 2);
  });

  it('sends a job queued before the reload to the robot the reloaded file names', async () => {
    const newToken = { Authorization: 'Bearer the-new-token' };
    const [firstBefore, secondBefore] = [fake.messagesTo('firstrobot').length, fake.messagesTo('secondrobot').length];
    const job = await queue.add(
      'ops/dingtalk/0',
      { receiver: 'ops', channel: 'dingtalk', target: 'ops/dingtalk/0', notification: notification({ groupKey: nextGroup() }), receivedAt: Date.now() },
      { delay: 1_500 },
    );
    write(relayYml(second, paced, { token: 'the-new-token' }));
    expect((await reload(newToken)).status).toBe(200);
    expect(await queue.getJobState(job.id!)).toBe('delayed');

    expect(await (await settledJob(queue, job.id!)).getState()).toBe('completed');
    expect(fake.messagesTo('secondrobot')).toHaveLength(secondBefore + 1);
    expect(fake.messagesTo('firstrobot')).toHaveLength(firstBefore);
  });
});

describe('config reload without restart: SIGHUP to real ingest and worker processes', () => {
  let fake: FakeDingtalk;
  let processes: AppProcess[] = [];
  let configFile: string;
  let first: string;
  let second: string;
  let paced: string;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    first = fake.robot('firstrobot');
    second = fake.robot('secondrobot');
    paced = fake.robot('pacedrobot');
    configFile = join(mkdtempSync(join(tmpdir(), 'reload-processes-')), 'relay.yml');
    writeFileSync(configFile, relayYml(first, paced));
    const env = { RELAY_CONFIG: configFile, QUEUE_PREFIX: uniquePrefix(), LOG_LEVEL: 'info' };
    processes = await Promise.all([startAppProcess('ingest', env), startAppProcess('dingtalk-worker', env)]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await fake?.close();
  });

  it('re-reads the file in each process on SIGHUP, stays up, and the next notification reaches the new robot', async () => {
    const [ingest] = processes;
    expect((await postJson(`${ingest.url}/webhook/ops`, notification({ groupKey: nextGroup() }), auth)).status).toBe(202);
    await eventually(() => fake.messagesTo('firstrobot').length === 1, 15_000);

    const before = await Promise.all(processes.map((p) => reloadTimestamp(p.url)));
    writeFileSync(configFile, relayYml(second, paced));
    for (const p of processes) p.child.kill('SIGHUP');
    await eventually(async () => (await Promise.all(processes.map((p) => reloadTimestamp(p.url)))).every((at, i) => at > before[i]), 15_000, 100);

    for (const p of processes) {
      expect(p.child.exitCode).toBeNull();
      expect(p.child.signalCode).toBeNull();
      expect((await fetch(`${p.url}/health/live`)).status).toBe(200);
      expect(p.output()).toContain('config reloaded');
    }
    expect((await postJson(`${ingest.url}/webhook/ops`, notification({ groupKey: nextGroup() }), auth)).status).toBe(202);
    await eventually(() => fake.messagesTo('secondrobot').length === 1, 15_000);
    expect(fake.messagesTo('firstrobot')).toHaveLength(1);
  }, 60_000);

  it('refuses a broken file on SIGHUP in each process, which keep the robot in force', async () => {
    const [ingest] = processes;
    writeFileSync(configFile, brokenYml(first, paced));
    for (const p of processes) p.child.kill('SIGHUP');
    const successful = async (p: AppProcess) => metricValue(await (await fetch(`${p.url}/metrics`)).text(), 'alert_relay_config_last_reload_successful');
    // The log line reaches our pipe a moment after the metric changes: wait for both.
    const refused = async (p: AppProcess) => (await successful(p)) === 0 && p.output().includes('config reload refused, the config in force stays');
    await eventually(async () => (await Promise.all(processes.map(refused))).every(Boolean), 15_000, 100);

    for (const p of processes) {
      expect(p.child.exitCode).toBeNull();
      expect(p.output()).toContain('config reload refused, the config in force stays');
      expect(p.output()).toContain('receivers[1].name');
    }
    expect((await postJson(`${ingest.url}/webhook/ops`, notification({ groupKey: nextGroup() }), auth)).status).toBe(202);
    await eventually(() => fake.messagesTo('secondrobot').length === 2, 15_000);
    expect(fake.messagesTo('firstrobot')).toHaveLength(1);
  }, 60_000);
});
