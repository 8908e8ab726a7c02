import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { DeliveryJobData, queueName } from '@relay/models';
import { AppProcess, busiestWindow, eventually, notification, postJson, sleep, startAppProcess } from '@relay/testing';
import { killStrayNodeChildren } from '../support/redis-topologies';
import { FakeDingtalk } from '../fakes/dingtalk.fake';

const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
/** A small concurrency, so both workers are full after a handful of notifications. */
const CONCURRENCY = 4;
/**
 * How long the slow robot takes to answer: longer than filling both workers takes, so the kill
 * lands mid-send, and short enough that a resend fits the 35 s budget after the locks lapse.
 */
const SLOW_MS = 6_000;
const TAKEOVER_BUDGET_MS = 35_000;

const textOf = (message: any): string => message.markdown?.text ?? message.text?.content ?? '';

/** A one-alert notification of its own group, told apart by the `[label]` in its summary. */
function labelled(receiver: string, label: string, n: number) {
  const body = notification({ receiver, groupKey: `{}:{instance="${label}"}`, groupLabels: { instance: label } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: label };
  body.alerts[0].annotations = { summary: `[${label}] disk almost full` };
  body.alerts[0].fingerprint = (0x5000 + n).toString(16).padStart(16, '0');
  return body;
}

/**
 * Posts as Alertmanager does: a 503 (Redis could not take it) or a refused connection is tried
 * again until the relay answers 202, which is the relay's promise to deliver.
 */
async function postAsAlertmanager(url: string, body: unknown): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let status: number | string;
    try {
      const res = await postJson(url, body);
      if (res.status === 202) return res.body.jobs[0].jobId;
      status = res.status;
      if (status !== 503) throw new Error(`ingest answered ${status}: ${JSON.stringify(res.body)}`);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // fetch's connection errors are TypeErrors
      status = e.message;
    }
    if (Date.now() > deadline) throw new Error(`no 202 from ${url} within 20 s (last: ${status})`);
    await sleep(200);
  }
}

/**
 * Replicas on one Redis: two ingest processes and two DingTalk worker processes share one config
 * and one queue prefix. The robot's rate limit holds across the workers, and when one worker is
 * SIGKILLed mid-send the other finishes what it held, with every accepted alert shown.
 */
describe('two ingests and two DingTalk workers on one Redis', () => {
  let fake: FakeDingtalk;
  let ingests: AppProcess[] = [];
  let workers: AppProcess[] = [];
  let queue: Queue<DeliveryJobData>;
  let posted = 0;
  /** Alternates between the two ingests, as a load balancer in front of them would. */
  const post = (receiver: string, body: unknown) => postAsAlertmanager(`${ingests[posted++ % 2].url}/webhook/${receiver}`, body);

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const burst = fake.robot('bursttoken', { secret: SECRET }); // DingTalk's own 20 a minute, then 10 minutes of 130101
    const slow = fake.robot('slowtoken', { delayMs: SLOW_MS, max: 1_000 });
    const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
    const configFile = join(dir, 'relay.yml');
    writeFileSync(
      configFile,
      `
receivers:
  - name: burst
    dingtalk_configs:
      - url: ${burst}
        secret: \${DINGTALK_SECRET}
  - name: slow
    dingtalk_configs:
      - url: ${slow}
        rate_limit: { max: 1000, per: 1m }   # this robot is about a crash, not pacing
`,
    );
    const prefix = `{relay-replicas-${randomBytes(4).toString('hex')}}`;
    const env = { RELAY_CONFIG: configFile, QUEUE_PREFIX: prefix, DINGTALK_SECRET: SECRET, LOG_LEVEL: 'info' };
    const workerEnv = { ...env, RELAY_DINGTALK_CONCURRENCY: String(CONCURRENCY) };
    const started = await Promise.allSettled([
      startAppProcess('ingest', env),
      startAppProcess('ingest', env),
      startAppProcess('dingtalk-worker', workerEnv),
      startAppProcess('dingtalk-worker', workerEnv),
    ]);
    const up = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    ingests = up.slice(0, 2);
    workers = up.slice(2);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.allSettled(up.map((p) => p.stop('SIGKILL')));
      throw failed.reason;
    }
    expect(new Set([...ingests, ...workers].map((p) => p.port)).size).toBe(4);
    queue = new Queue(queueName('dingtalk'), { connection: { url: process.env.REDIS_URL } as any, prefix });
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await Promise.allSettled([...ingests, ...workers].map((p) => p.stop('SIGKILL')));
    killStrayNodeChildren(); // any child that never became ready
    await fake?.close();
  });

  it('a burst to one robot through both ingests: never over 20 a minute across both workers, never "too fast", every alert shown', async () => {
    const labels = Array.from({ length: 50 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
    const jobIds: string[] = [];
    // 50 over 20 s, through both ingests to both workers: enough to fill most of one robot's
    // minute, so two workers each keeping a window of their own would have gone past 20.
    for (const [i, label] of labels.entries()) {
      jobIds.push(await post('burst', labelled('burst', label, i)));
      await sleep(400);
    }

    const shown = () => new Set(fake.messagesTo('bursttoken').flatMap((m) => [...textOf(m).matchAll(/\[(burst-\d{2})\]/g)].map((x) => x[1])));
    await eventually(() => shown().size === labels.length, 20_000, 100);

    const times = fake.delivered.filter((m) => m.token === 'bursttoken').map((m) => m.at);
    const busiest = busiestWindow(times, 60_000);
    console.log(`burst: ${labels.length} alerts in ${times.length} messages, busiest minute ${busiest}, throttled ${fake.throttled}`);
    expect(fake.answersTo('bursttoken').filter((a) => a.errcode === 130101)).toEqual([]);
    expect(busiest).toBeLessThanOrEqual(20);
    expect(fake.messagesTo('bursttoken').some((m) => textOf(m).includes('[DIGEST]') || m.markdown?.title?.startsWith('[DIGEST]'))).toBe(true);

    // Both workers sent to the robot, so the 20 held across processes, not within one.
    for (const worker of workers) expect(worker.output()).toMatch(/"target":"burst\/dingtalk\/0"[^\n]*"msg":"delivered"/);
    await eventually(async () => (await Promise.all(jobIds.map((id) => queue.getJobState(id)))).every((s) => s === 'completed'), 15_000, 200);
  }, 60_000);

  it('a SIGKILLed worker: the other completes the sends it held within 35 s, and every accepted alert reaches DingTalk', async () => {
    const label = (i: number) => `slow-${String(i).padStart(2, '0')}`;
    const posted: string[] = [];
    const postSlow = async () => posted.push(await post('slow', labelled('slow', label(posted.length), 100 + posted.length)));
    const requests = () => fake.requestsTo('slowtoken');

    // Until both workers are full: a job then stays waiting, every other one has its send in
    // flight, and the worker to be killed surely holds some. Counted rather than computed from
    // the concurrency setting, so the test holds whatever each process really takes on.
    while (posted.length < 2 * CONCURRENCY) await postSlow();
    for (;;) {
      const full = async () => {
        const waiting = await queue.getWaitingCount();
        return waiting > 0 && requests().length + waiting === posted.length;
      };
      // A free worker takes a waiting job within milliseconds: one still waiting a moment later means none is free.
      if ((await full()) && (await sleep(500).then(full))) break;
      expect(posted.length).toBeLessThan(64);
      await postSlow();
    }
    const inFlight = (await queue.getActive()).map((j) => j.id!);
    expect(inFlight).toHaveLength(requests().length);
    expect(Date.now() - requests()[0].at).toBeLessThan(SLOW_MS - 1_000); // none answered yet

    const [victim, survivor] = workers;
    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');

    // Alertmanager keeps sending through both ingests while the takeover runs.
    for (let i = 0; i < 3; i++) await postSlow();

    // The survivor's own sends are answered SLOW_MS after they went out; the victim's jobs cannot
    // finish before its locks lapse (at least 5 s) and a new send of SLOW_MS: what is unfinished
    // between the two was the victim's.
    await sleep(Math.max(0, killedAt + SLOW_MS + 2_000 - Date.now()));
    const unfinished = await Promise.all(inFlight.map(async (id) => !(await queue.getJob(id))?.finishedOn));
    const held = inFlight.filter((_, k) => unfinished[k]);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(inFlight.length);

    const jobs: Job[] = await eventually(
      async () => {
        const found = await Promise.all(posted.map((id) => queue.getJob(id)));
        return found.every((j) => j?.finishedOn) && (found as Job[]);
      },
      TAKEOVER_BUDGET_MS + 10_000,
      100,
    );
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(posted.map(() => 'completed'));
    expect(await queue.getFailedCount()).toBe(0);

    const heldJobs = jobs.filter((j) => held.includes(j.id!));
    const takeoverMs = Math.max(...heldJobs.map((j) => j.finishedOn!)) - killedAt;
    // Each held alert went out again after the kill, from the survivor.
    const heldLabels = heldJobs.map((j) => j.data.notification.alerts[0].annotations.summary.match(/\[(slow-\d{2})\]/)![1]);
    const resentAt = heldLabels.map((l) => requests().find((r) => r.at > killedAt && r.body.includes(`[${l}]`))?.at);
    expect(resentAt.every((at) => at !== undefined)).toBe(true);
    for (const id of held) expect(survivor.output()).toContain(`"jobId":"${id}"`);

    // At least once: every alert accepted with a 202 is shown; what the victim had in flight may be shown twice.
    const messages = fake.messagesTo('slowtoken').map(textOf);
    const shownCount = (l: string) => messages.filter((t) => t.includes(`[${l}]`)).length;
    const expected = posted.map((_, i) => label(i));
    expect(expected.filter((l) => shownCount(l) === 0)).toEqual([]);
    const duplicates = messages.length - expected.length;
    console.log(
      `takeover: ${inFlight.length} sends in flight at the kill, ${held.length} of them the killed worker's; ` +
        `resent ${Math.max(...resentAt.map((at) => at! - killedAt))} ms and completed ${takeoverMs} ms after the kill; ` +
        `${expected.length} alerts shown in ${messages.length} messages (${duplicates} duplicates)`,
    );
    expect(takeoverMs).toBeLessThan(TAKEOVER_BUDGET_MS);
    expect(fake.throttled).toBe(0);
  }, 90_000);
});
