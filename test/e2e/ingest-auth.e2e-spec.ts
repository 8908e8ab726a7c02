import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { queueName } from '@relay/models';
import { Queue } from 'bullmq';
import { GUARDED_INGEST, InProcessRelay, notification, postJson, startRelay } from '@relay/testing';


/**
 * The router decodes percent-escapes and ignores what the raw URL looks like; the guards must
 * follow the route a request reaches, or `/%77ebhook` is the webhook without its token.
 */
describe('ingest credentials hold for every spelling of a guarded path', () => {
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    relay = await startRelay({ yaml: GUARDED_INGEST.yaml, env: GUARDED_INGEST.env, features: [IngestModule] });
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
    const res = await postJson(`${relay.url}/%77ebhook/%6Fps`, notification({ groupKey: 'escaped-with-token' }), { Authorization: `Bearer ${GUARDED_INGEST.token}` });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ receiver: 'ops' });
  });

  it.each(['/%71ueues', '/%71ueues/api/queues', '/queues/%61pi/queues', '/QUEUES/api/queues'])('keeps Bull Board at %s behind basic auth', async (path) => {
    const res = await fetch(`${relay.url}${path}`);
    expect([401, 404]).toContain(res.status);
    expect(await res.text()).not.toContain('notify-dingtalk');
  });
});
