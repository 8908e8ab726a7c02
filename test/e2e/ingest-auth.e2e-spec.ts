import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { queueName } from '@relay/models';
import { Queue } from 'bullmq';
import { InProcessRelay, notification, postJson, startRelay } from '@relay/testing';

const CONFIG = `
ingest:
  auth: { bearer_token: \${INGEST_TOKEN} }
dashboard:
  basic_auth: { username: admin, password: \${DASHBOARD_PASSWORD} }
receivers:
  - name: ops
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=opsrobottoken
`;
const ENV = { INGEST_TOKEN: 'ingest-s3cret', DASHBOARD_PASSWORD: 'dash-s3cret' };

/**
 * The router decodes percent-escapes and ignores what the raw URL looks like; the guards must
 * follow the route a request reaches, or `/%77ebhook` is the webhook without its token.
 */
describe('ingest credentials hold for every spelling of a guarded path', () => {
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    relay = await startRelay({ yaml: CONFIG, env: ENV, features: [IngestModule] });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
  });

  it.each(['/%77ebhook', '/webhook%2Fops', '/%77ebhook/ops', '/webhook/%6Fps'])('refuses POST %s without the token and stores nothing', async (path) => {
    const before = await queue.count();
    const res = await postJson(`${relay.url}${path}`, notification({ groupKey: `bypass-${path}` }));
    expect(res.status).not.toBe(202);
    expect([401, 404]).toContain(res.status);
    expect(await queue.count()).toBe(before);
  });

  it('still routes an escaped path for a caller with the token', async () => {
    const res = await postJson(`${relay.url}/%77ebhook/%6Fps`, notification({ groupKey: 'escaped-with-token' }), { Authorization: 'Bearer ingest-s3cret' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ receiver: 'ops' });
  });

  it.each(['/%71ueues', '/%71ueues/api/queues', '/queues/%61pi/queues', '/QUEUES/api/queues'])('keeps Bull Board at %s behind basic auth', async (path) => {
    const res = await fetch(`${relay.url}${path}`);
    expect([401, 404]).toContain(res.status);
    expect(await res.text()).not.toContain('notify-dingtalk');
  });
});
