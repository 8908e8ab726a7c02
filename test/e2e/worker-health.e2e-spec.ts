import { workerModules } from '@relay/runtime';
import { processorOf } from '@relay/delivery';
import { eventually, InProcessRelay, RedisServer, startRedisServer, startRelay } from '@relay/testing';

const CONFIG = `
receivers:
  - name: ops
    dingtalk_configs:
      - url: http://127.0.0.1:9/robot/send?access_token=health
`;

/** What an orchestrator reads from a worker's /health/ready: it takes jobs, or it says why not. */
describe('a worker is ready only while it takes jobs', () => {
  let redis: RedisServer;
  let relay: InProcessRelay;
  let redisDown = false;
  const [dingtalkWorker] = workerModules(['dingtalk']);

  beforeAll(async () => {
    redis = await startRedisServer();
    relay = await startRelay({ yaml: CONFIG, features: [dingtalkWorker], redisUrl: redis.url });
  });
  afterAll(async () => {
    // A worker waits out a Redis outage forever, closing too: bring Redis back before closing it.
    if (redisDown) await redis.restart();
    await relay.close();
    await redis.stop();
  });

  const ready = async () => {
    const res = await fetch(`${relay.url}/health/ready`);
    return { status: res.status, body: (await res.json()) as { info?: Record<string, unknown>; error?: Record<string, { message?: string }> } };
  };

  const readyGauge = async (check: string) => {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`alert_relay_ready{check="${check}"} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('is not ready while Redis is away or once its BullMQ worker has stopped; stays live', async () => {
    await eventually(async () => (await ready()).status === 200, 10_000, 100);
    expect((await ready()).body.info).toMatchObject({ 'worker:dingtalk': { status: 'up' }, redis: { status: 'up' } });

    await redis.stop();
    redisDown = true;
    const outage = await ready();
    expect(outage.status).toBe(503);
    expect(outage.body.error?.['worker:dingtalk']?.message).toMatch(/Redis \(worker connection\)|Connection|closed|ECONNREFUSED/i);
    expect((await fetch(`${relay.url}/health/live`)).status).toBe(200);
    // …and /metrics says so too, for alerting rules (deploy/monitoring).
    expect(await readyGauge('redis')).toBe(0);
    expect(await readyGauge('config')).toBe(1);

    await redis.restart();
    redisDown = false;
    await eventually(async () => (await ready()).status === 200, 15_000, 200);
    expect(await readyGauge('redis')).toBe(1);

    await relay.app.get(processorOf(dingtalkWorker)).worker.close();
    const stopped = await ready();
    expect(stopped.status).toBe(503);
    expect(stopped.body.error?.['worker:dingtalk']?.message).toBe('the dingtalk worker is not running');
  }, 40_000);
});
