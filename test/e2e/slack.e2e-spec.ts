import { workerModules } from '@relay/runtime';
import { Queue } from 'bullmq';
import { queueName } from '@relay/models';
import { dumpRedis, eventually, InProcessRelay, notification, postJson, startRelay, settledJob } from '@relay/testing';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeSlack } from '../fakes/slack.fake';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Alertmanager notification → ingest → Redis → Slack worker → Slack', () => {
  let fake: FakeSlack;
  let relay: InProcessRelay;
  let queue: Queue;

  beforeAll(async () => {
    fake = await FakeSlack.start();
    const globalHook = fake.webhook('globalhooksecret');
    const archived = fake.webhook('archivedhooksecret', { error: 'channel_is_archived' });
    const flaky = fake.webhook('flakyhooksecret');
    const appUrl = fake.app('xoxb-app-token-secret', { channels: { '#ops': 'ok', '#private': 'not_in_channel' } });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['slack'])],
      env: { SLACK_TOKEN: 'xoxb-app-token-secret' },
      // A user's Alertmanager slack_configs, pasted: the global webhook, send_resolved, fields.
      yaml: `
global:
  slack_api_url: ${globalHook}
receivers:
  - name: ops
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
        fields:
          - { title: Severity, value: '{{ .CommonLabels.severity }}', short: true }
  - name: app
    slack_configs:
      - app_token: \${SLACK_TOKEN}
        app_url: ${appUrl}
        channel: '#ops'
      - app_token: \${SLACK_TOKEN}
        app_url: ${appUrl}
        channel: '#private'
  - name: archived
    slack_configs:
      - api_url: ${archived}
  - name: flaky
    slack_configs:
      - api_url: ${flaky}
  - name: long
    slack_configs:
      - title: '{{ range .Alerts }}{{ .Labels.instance }} {{ end }}'
`,
    });
    queue = new Queue(queueName('slack'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
    await fake.close();
  });

  const settled = (jobId: string) => settledJob(queue, jobId);

  it("posts Alertmanager's default message: one attachment coloured by status, from the slack.default templates", async () => {
    const firing = notification({ groupKey: 'g-default' });
    expect((await postJson(`${relay.url}/webhook/ops`, firing)).status).toBe(202);
    const [message] = await eventually(() => fake.messagesTo('webhook:globalhooksecret').length > 0 && fake.messagesTo('webhook:globalhooksecret'));
    expect(message.channel).toBe('#alerts');
    expect(message.username).toBeTruthy();
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment.color).toBe('danger');
    expect(attachment.title).toContain('FIRING');
    expect(attachment.title).toContain('HighLatency');
    expect(attachment.title_link).toContain('http://alertmanager:9093');
    expect(attachment.fallback).toContain('HighLatency');
    expect(attachment.mrkdwn_in).toEqual(['fallback', 'pretext', 'text']);
    expect(attachment.fields).toEqual([{ title: 'Severity', value: 'critical', short: true }]);

    const resolved = notification({ groupKey: 'g-default', status: 'resolved' });
    expect((await postJson(`${relay.url}/webhook/ops`, resolved)).status).toBe(202);
    const second = await eventually(() => fake.messagesTo('webhook:globalhooksecret')[1]);
    expect(second.attachments[0].color).toBe('good');
    expect(second.attachments[0].title).toContain('RESOLVED');
  });

  it('posts through chat.postMessage with the app token as a Bearer header', async () => {
    const res = await postJson(`${relay.url}/webhook/app`, notification({ groupKey: 'g-app' }));
    expect(res.status).toBe(202);
    const [message] = await eventually(() => fake.messagesTo('app:xoxb-app-token-secret:#ops').length > 0 && fake.messagesTo('app:xoxb-app-token-secret:#ops'));
    expect(message.channel).toBe('#ops');
    const request = fake.requests.find((r) => r.url === '/api/chat.postMessage')!;
    expect(request.headers.authorization).toBe('Bearer xoxb-app-token-secret');
    const delivered = await settled(res.body.jobs.find((j: any) => j.target === 'app/slack/0').jobId);
    expect(delivered.returnvalue).toMatchObject({ detail: { channel: 'COPS' } });
  });

  it('fails permanently after one request when the app is not in the channel, with the error as the reason', async () => {
    const res = await postJson(`${relay.url}/webhook/app`, notification({ groupKey: 'g-private' }));
    const failed = await settled(res.body.jobs.find((j: any) => j.target === 'app/slack/1').jobId);
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).toBe('not_in_channel: Slack API error: not_in_channel');
  });

  it('an archived channel: failed permanently after one request, channel_is_archived as the reason', async () => {
    const res = await postJson(`${relay.url}/webhook/archived`, notification({ groupKey: 'g-archived' }));
    const failed = await settled(res.body.jobs[0].jobId);
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).toBe('channel_is_archived: Slack answered HTTP 410: channel_is_archived');
    await sleep(500);
    expect(fake.requestsTo('/services/T000/B000/archivedhooksecret')).toHaveLength(1);
  });

  it('waits out a 429 Retry-After without spending an attempt, and sends nothing before it ends', async () => {
    fake.failNext(429, 'too_many_requests', { 'Retry-After': '2' });
    const res = await postJson(`${relay.url}/webhook/flaky`, notification({ groupKey: 'g-429' }));
    const done = await settled(res.body.jobs[0].jobId);
    expect(await done.getState()).toBe('completed');
    const [first, second] = fake.requestsTo('/services/T000/B000/flakyhooksecret').map((r) => r.at);
    expect(second - first).toBeGreaterThanOrEqual(2_000);
    expect(fake.early).toEqual([]);
    // Only the delivering run counts as an attempt: the 429 did not spend one.
    expect(done.attemptsMade).toBe(1);
  });

  it('retries a 500 with backoff, spending an attempt', async () => {
    const before = fake.requestsTo('/services/T000/B000/flakyhooksecret').length;
    fake.failNext(500, 'rollup_error');
    const res = await postJson(`${relay.url}/webhook/flaky`, notification({ groupKey: 'g-500' }));
    const done = await settled(res.body.jobs[0].jobId);
    expect(await done.getState()).toBe('completed');
    expect(done.attemptsMade).toBe(2);
    expect(fake.requestsTo('/services/T000/B000/flakyhooksecret').length - before).toBe(2);
  }, 30_000);

  it("keeps a 200-alert notification within Slack's limits: whole alerts dropped with '… and N more', title cut to 1024 runes", async () => {
    const body = notification({ groupKey: 'g-long', alertCount: 200 });
    body.alerts.forEach((a) => (a.annotations.description = '数据库连接池耗尽，'.repeat(10)));
    expect((await postJson(`${relay.url}/webhook/long`, body)).status).toBe(202);
    const message = await eventually(() => fake.messagesTo('webhook:globalhooksecret').find((m) => m.attachments[0].title.includes('api-0:9090')), 10_000);
    const { title, text } = message.attachments[0];
    expect(Array.from(title as string)).toHaveLength(1024);
    expect(title.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(4_000);
    expect(text).toMatch(/… and \d+ more firing alerts$/);
    expect(text).not.toContain('\uFFFD');
  });

  it('keeps no webhook URL or token in Redis', async () => {
    const everything = await dumpRedis(process.env.REDIS_URL!, relay.runtime.queuePrefix);
    expect(everything).toContain('ops/slack/0');
    for (const secret of ['globalhooksecret', 'archivedhooksecret', 'flakyhooksecret', 'xoxb-app-token-secret']) expect(everything).not.toContain(secret);
  });
});
