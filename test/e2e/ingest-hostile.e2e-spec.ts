import { workerModules } from '@relay/runtime';
import { queueName } from '@relay/models';
import { rootLogger } from '@relay/observability';
import { GUARDED_INGEST, eventually, InProcessRelay, metricValue, notification, postJson, startRelay } from '@relay/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { gzipSync } from 'node:zlib';
import { IngestQueues } from '../../apps/ingest/src/ingest-queues';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';

const AUTH = { Authorization: `Bearer ${GUARDED_INGEST.token}` };

/** `value` wrapped in `depth` arrays, built as text: no recursion on our side either. */
const nestedArraysJson = (depth: number, value = '1') => '['.repeat(depth) + value + ']'.repeat(depth);
/** A valid notification whose `field` is the raw JSON text given (added, or replacing the field). */
const withRawField = (groupKey: string, field: string, json: string) => JSON.stringify({ ...notification({ groupKey }), [field]: '<raw>' }).replace('"<raw>"', json);

/**
 * Issue 13, part 1: input that can never succeed is refused with a 4xx naming the rule, in time
 * proportional to its size; only a Redis that cannot take the jobs is a 503; an unexpected error
 * is a logged 500. Each case here was answered otherwise before (noted per test).
 */
describe('ingest refuses hostile input cleanly, and cheaply', () => {
  let relay: InProcessRelay;
  let queue: Queue;
  const webhook = () => `${relay.url}/webhook`;
  const storedFor = async (groupKey: string) =>
    (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized'])).filter((j) => j.data.notification.groupKey === groupKey);

  beforeAll(async () => {
    relay = await startRelay({ yaml: GUARDED_INGEST.yaml, env: GUARDED_INGEST.env, features: [IngestModule] });
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix: relay.runtime.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await relay.close();
  });

  describe('times are real RFC 3339 instants', () => {
    // Each was a 202, and the templates showed another day (1 March, a date in 2025).
    it.each([
      ['2024-02-30T10:00:00Z', '30 February'],
      ['2023-02-29T10:00:00Z', '29 February of a common year'],
      ['2024-13-45T99:99:99Z', 'nothing in range'],
      ['2026-01-01T24:00:00Z', 'hour 24'],
      ['2026-01-01T10:60:00Z', 'minute 60'],
      ['2026-12-31T23:59:60Z', 'a leap second'],
      ['2026-01-01T10:00:00+99:99', 'offset +99:99'],
      ['2026-01-01T10:00:00-24:00', 'offset -24:00'],
      ['2026-01-01T10:00:00.1234567891Z', '10 fraction digits'],
    ])('answers 400 naming alerts[0].startsAt for %s (%s), and stores nothing', async (startsAt) => {
      const groupKey = `g-time-${startsAt}`;
      const body = notification({ groupKey });
      body.alerts[0].startsAt = startsAt;
      const res = await postJson(webhook(), body, AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['alerts[0].startsAt must be an RFC3339 time']);
      expect(await storedFor(groupKey)).toHaveLength(0);
    });

    it('answers 400 naming alerts[1].endsAt for an impossible end', async () => {
      const body = notification({ groupKey: 'g-time-ends', status: 'resolved', alertCount: 2 });
      body.alerts[1].endsAt = '2026-04-31T08:30:00Z';
      const res = await postJson(webhook(), body, AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['alerts[1].endsAt must be an RFC3339 time']);
    });

    it('accepts real instants at the edges and stores them as sent', async () => {
      const times = ['2024-02-29T23:59:59.999999999+23:59', '2000-02-29T00:00:00-23:59', '2026-11-20T08:00:00-00:00', '0001-01-01T00:00:00Z'];
      const body = notification({ groupKey: 'g-time-edges', alertCount: times.length });
      times.forEach((t, i) => (body.alerts[i].startsAt = t));
      const res = await postJson(webhook(), body, AUTH);
      expect(res.status).toBe(202);
      const job = await queue.getJob(res.body.jobs[0].jobId);
      expect(job!.data.notification.alerts.map((a: any) => a.startsAt)).toEqual(times);
    });
  });

  describe('shape bounded before any recursive work', () => {
    it('answers 400 naming the depth rule for alerts nested 10,000 arrays deep (was a 500: class-validator overflowed)', async () => {
      const started = Date.now();
      const res = await postJson(webhook(), withRawField('g-deep-alerts', 'alerts', nestedArraysJson(10_000)), AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['alerts is nested too deep: arrays and objects may nest at most 32 levels (the body being the first)']);
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('answers 400, not 503, for an unknown field nested 10,000 deep while Redis is up (was a 503 Alertmanager retried for ever)', async () => {
      const res = await postJson(webhook(), withRawField('g-deep-extra', 'extra', nestedArraysJson(10_000)), AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['extra is nested too deep: arrays and objects may nest at most 32 levels (the body being the first)']);
      expect(await storedFor('g-deep-extra')).toHaveLength(0);
      expect((await fetch(`${relay.url}/health/ready`)).status).toBe(200);
    });

    it('stores an unknown field 32 levels deep (the body being level 1) and refuses 33', async () => {
      const ok = await postJson(webhook(), withRawField('g-depth-32', 'extra', nestedArraysJson(31)), AUTH);
      expect(ok.status).toBe(202);
      const job = await queue.getJob(ok.body.jobs[0].jobId);
      expect(JSON.stringify(job!.data.notification.extra)).toBe(nestedArraysJson(31));
      const over = await postJson(webhook(), withRawField('g-depth-33', 'extra', nestedArraysJson(32)), AUTH);
      expect(over.status).toBe(400);
      expect(over.body.message[0]).toMatch(/^extra is nested too deep/);
    });

    it('answers 400 naming ingest.max_alerts for 100,000 empty alerts, fast and without growing memory (was a 500 after 3 s, +210 MB each)', async () => {
      const body = JSON.stringify({ ...notification({ groupKey: 'g-100k' }), alerts: Array.from({ length: 100_000 }, () => ({})) });
      expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
      const rssBefore = process.memoryUsage().rss;
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const res = await postJson(webhook(), body, AUTH);
        expect(res.status).toBe(400);
        expect(res.body.message).toEqual(['alerts must hold at most 10000 alerts (ingest.max_alerts); this notification has 100000']);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    });

    it('takes 10,000 alerts by default (ingest.max_alerts) and refuses 10,001', async () => {
      const minimal = (count: number, groupKey: string) =>
        JSON.stringify({ ...notification({ groupKey }), alerts: '<alerts>' }).replace(
          '"<alerts>"',
          `[${Array.from({ length: count }, (_, i) => `{"status":"firing","labels":{"i":"${i}"},"startsAt":"2026-11-20T08:00:00Z"}`).join(',')}]`,
        );
      const atLimit = await postJson(webhook(), minimal(10_000, 'g-10k'), AUTH);
      expect(atLimit.status).toBe(202);
      // Stored whole: 10,000 alerts of at least 60 bytes each (read by size; a read of the job itself is slow to release).
      const redis = (await queue.client) as unknown as Redis;
      const storedBytes = await redis.hstrlen(queue.toKey(atLimit.body.jobs[0].jobId), 'data');
      expect(storedBytes).toBeGreaterThan(10_000 * 60);
      const over = await postJson(webhook(), minimal(10_001, 'g-10k-1'), AUTH);
      expect(over.status).toBe(400);
      expect(over.body.message).toEqual(['alerts must hold at most 10000 alerts (ingest.max_alerts); this notification has 10001']);
    });

    it('refuses 10,000 broken alerts (within max_alerts) with at most 100 reasons, fast', async () => {
      const started = Date.now();
      const res = await postJson(webhook(), { ...notification({ groupKey: 'g-10k-broken' }), alerts: Array.from({ length: 10_000 }, () => ({})) }, AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toHaveLength(101);
      expect(res.body.message[0]).toBe('alerts[0].status must be "firing" or "resolved"');
      expect(res.body.message[100]).toBe('… and possibly more: only the first 100 problems are listed');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('takes 256 labels, a 1024-character name and a 16 KiB value, and refuses one more of each, naming the rule', async () => {
      const labels = (n: number) => ({ alertname: 'Wide', ...Object.fromEntries(Array.from({ length: n - 1 }, (_, i) => [`label_${i}`, 'v'])) });
      const post = (groupKey: string, change: (a: any) => void) => {
        const body = notification({ groupKey });
        change(body.alerts[0]);
        return postJson(webhook(), body, AUTH);
      };
      expect((await post('g-wide-ok', (a) => (a.labels = labels(256)))).status).toBe(202);
      expect((await post('g-name-ok', (a) => (a.labels['n'.repeat(1024)] = 'v'))).status).toBe(202);
      expect((await post('g-value-ok', (a) => (a.annotations.description = '描'.repeat(16 * 1024)))).status).toBe(202);

      const wide = await post('g-wide', (a) => (a.labels = labels(257)));
      expect([wide.status, wide.body.message]).toEqual([400, ['alerts[0].labels must have at most 256 entries']]);
      const name = await post('g-name', (a) => (a.labels['n'.repeat(1025)] = 'v'));
      expect([name.status, name.body.message]).toEqual([400, ['alerts[0].labels names must be at most 1024 characters long']]);
      const value = await post('g-value', (a) => (a.annotations.description = 'd'.repeat(16 * 1024 + 1)));
      expect([value.status, value.body.message]).toEqual([400, ['alerts[0].annotations.description must be at most 16384 characters long']]);
      for (const groupKey of ['g-wide', 'g-name', 'g-value']) expect(await storedFor(groupKey)).toHaveLength(0);
    });

    it('refuses alerts within alerts (`[[alert]]` was let through, then a 503 building the jobs)', async () => {
      const body = { ...notification({ groupKey: 'g-nested-alerts' }), alerts: [notification().alerts] };
      const res = await postJson(webhook(), body, AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['alerts[0] must be an object']);
    });

    it('cannot be talked out of validation by a top-level constructor field (was let through, then a 503 building the jobs)', async () => {
      const res = await postJson(webhook(), '{"constructor": {}, "receiver": "ops", "groupKey": "g-ctor", "status": "burning", "alerts": "none"}', AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['status must be "firing" or "resolved"', 'alerts must be an array']);
    });
  });

  describe('__proto__, constructor and prototype are ordinary names', () => {
    it('accepts them as label and annotation names and as unknown fields, stores them as sent, and pollutes nothing', async () => {
      // Fastify's default parser refused these with 400 "Body is not valid JSON".
      const text = JSON.stringify(notification({ groupKey: 'g-proto', commonLabels: { alertname: 'HighLatency' } }))
        .replace('"labels":{', '"labels":{"__proto__":"proto-label","constructor":"ctor-label","prototype":"prototype-label",')
        .replace('"annotations":{', '"annotations":{"__proto__":"proto-annotation","constructor":"ctor-annotation",')
        .replace('"commonLabels":{', '"commonLabels":{"__proto__":"proto-common",')
        .replace('"version":"4"', '"version":"4","__proto__":{"polluted":"top"},"constructor":{"prototype":{"polluted":"ctor"}}');
      const res = await postJson(webhook(), text, AUTH);
      expect(res.status).toBe(202);
      // The job's data as Redis holds it, read back the way a worker reads it (JSON.parse).
      const raw = await (await queue.client).hget(queue.toKey(res.body.jobs[0].jobId), 'data');
      expect(raw).toContain('"__proto__":"proto-label"');
      const { notification: n } = JSON.parse(raw!);
      expect(Object.entries(n.alerts[0].labels)).toEqual(
        expect.arrayContaining([
          ['__proto__', 'proto-label'],
          ['constructor', 'ctor-label'],
          ['prototype', 'prototype-label'],
        ]),
      );
      expect(Object.entries(n.alerts[0].annotations)).toEqual(expect.arrayContaining([['__proto__', 'proto-annotation'], ['constructor', 'ctor-annotation']]));
      expect(Object.entries(n.commonLabels)).toEqual(expect.arrayContaining([['__proto__', 'proto-common']]));
      expect(Object.entries(n)).toEqual(expect.arrayContaining([['__proto__', { polluted: 'top' }], ['constructor', { prototype: { polluted: 'ctor' } }]]));
      // Ingest runs in this process: no object here gained a property from the body.
      expect(({} as any).polluted).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
    });

    it('still refuses a label whose value is not a string, whatever its name', async () => {
      const text = JSON.stringify(notification({ groupKey: 'g-proto-object' })).replace('"labels":{', '"labels":{"__proto__":{"polluted":"yes"},');
      const res = await postJson(webhook(), text, AUTH);
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['alerts[0].labels must be an object of string values']);
      expect(({} as any).polluted).toBeUndefined();
    });
  });

  describe('Content-Encoding', () => {
    it.each(['gzip', 'br', 'deflate', 'zstd', 'x-snappy', 'identity, gzip'])('answers 415 naming "%s" (was 400 "Body is not valid JSON"), and stores nothing', async (encoding) => {
      const groupKey = `g-encoding-${encoding}`;
      const res = await postJson(webhook(), notification({ groupKey }), { ...AUTH, 'Content-Encoding': encoding });
      expect(res.status).toBe(415);
      expect(res.body.message).toContain(`Content-Encoding "${encoding.replace('identity, ', '')}" is not supported`);
      expect(res.headers.get('accept-encoding')).toBe('identity');
      expect(await storedFor(groupKey)).toHaveLength(0);
    });

    it('answers 415 for a really gzipped body, and 202 for identity', async () => {
      const gzipped = await fetch(webhook(), {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: gzipSync(JSON.stringify(notification({ groupKey: 'g-gzip' }))),
      });
      expect(gzipped.status).toBe(415);
      expect(((await gzipped.json()) as any).message).toContain('"gzip"');
      expect((await postJson(webhook(), notification({ groupKey: 'g-identity' }), { ...AUTH, 'Content-Encoding': 'identity' })).status).toBe(202);
    });

    it('answers 401 before 415 to a caller without credentials', async () => {
      expect((await postJson(webhook(), notification(), { 'Content-Encoding': 'gzip' })).status).toBe(401);
    });
  });

  describe('unexpected errors', () => {
    let queues: IngestQueues;
    beforeAll(() => {
      queues = relay.app.get(IngestQueues);
    });
    afterEach(() => jest.restoreAllMocks());

    it('answers 500 with a JSON reason, never 503, when storing fails for a reason other than Redis, and logs its message and stack', async () => {
      // What BullMQ's JSON.stringify threw for deep job data before depth was bounded.
      jest.spyOn(queues.byChannel.dingtalk, 'add').mockRejectedValueOnce(new RangeError('Maximum call stack size exceeded'));
      const logged = jest.spyOn(rootLogger(), 'error');
      const res = await postJson(webhook(), notification({ groupKey: 'g-code-error' }), AUTH);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.body).toMatchObject({ statusCode: 500, error: 'Internal Server Error', message: expect.stringContaining('in its log') });
      const [fields, message] = logged.mock.calls.find(([, m]) => typeof m === 'string' && m.startsWith('unexpected error')) as [any, string];
      expect(message).toContain('Maximum call stack size exceeded');
      expect(fields).toMatchObject({ method: 'POST', route: '/webhook', err: { type: 'RangeError', message: 'Maximum call stack size exceeded' } });
      expect(fields.err.stack).toContain('RangeError: Maximum call stack size exceeded\n    at ');
      expect(JSON.stringify(logged.mock.calls)).not.toContain(GUARDED_INGEST.token);
      const metrics = await (await fetch(`${relay.url}/metrics`)).text();
      expect(metricValue(metrics, 'alert_relay_notifications_received_total', { receiver: '', outcome: 'error' })).toBeGreaterThan(0);
    });

    it('still answers 503 when it is Redis that cannot take the jobs', async () => {
      jest.spyOn(queues.byChannel.dingtalk, 'add').mockRejectedValueOnce(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
      const res = await postJson(webhook(), notification({ groupKey: 'g-redis-error' }), AUTH);
      expect(res.status).toBe(503);
      expect(res.body.message).toContain('Redis');
    });
  });
});

describe('ingest.max_alerts', () => {
  let relay: InProcessRelay;
  beforeAll(async () => {
    relay = await startRelay({
      yaml: `
ingest:
  max_alerts: 3
receivers:
  - name: ops
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=opsrobottoken
`,
      features: [IngestModule],
    });
  });
  afterAll(() => relay.close());

  it('takes as many alerts as it allows and refuses one more, naming the setting', async () => {
    expect((await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-max-3', alertCount: 3 }))).status).toBe(202);
    const over = await postJson(`${relay.url}/webhook`, notification({ groupKey: 'g-max-4', alertCount: 4 }));
    expect(over.status).toBe(400);
    expect(over.body.message).toEqual(['alerts must hold at most 3 alerts (ingest.max_alerts); this notification has 4']);
  });
});

describe('labels named __proto__, constructor and prototype reach the message', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const robot = fake.robot('prototoken');
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      yaml: `
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${robot}
        text: '{{ range .Alerts }}{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}|{{ index .Annotations "constructor" }}{{ end }}'
`,
    });
  });
  afterAll(async () => {
    await relay.close();
    await fake.close();
  });

  it('renders them as the labels they are', async () => {
    const text = JSON.stringify(notification({ groupKey: 'g-proto-render' })).replace(
      '"labels":{',
      '"labels":{"__proto__":"proto-value","constructor":"ctor-value","prototype":"prototype-value",',
    ).replace('"annotations":{', '"annotations":{"constructor":"ctor-annotation",');
    expect((await postJson(`${relay.url}/webhook`, text)).status).toBe(202);
    const [message] = await eventually(() => fake.messagesTo('prototoken').length > 0 && fake.messagesTo('prototoken'));
    expect(message.markdown.text).toContain('__proto__=proto-value;');
    expect(message.markdown.text).toContain('constructor=ctor-value;');
    expect(message.markdown.text).toContain('prototype=prototype-value;');
    expect(message.markdown.text).toContain('|ctor-annotation');
  });
});
