/**
 * Digests under DingTalk's real limits (20 messages per rolling minute per robot, then 130101 for
 * 10 minutes), against the fake DingTalk, with the built single-process relay (ingest and every
 * worker in one process) on its own Redis. Two scenarios:
 *   storm  200 single-alert notifications, each its own group, POSTed evenly over 60 s to one
 *          robot: when is every alert shown (target < 120 s), in how many messages, the most in
 *          any rolling 60 s (must be <= 20), and how often DingTalk said "too fast" (should be 0).
 *   flood  10,000 of them over 60 s, round-robin over 5 robots: when is every alert shown,
 *          messages per robot, whether the queue drained, the relay's peak resident memory
 *          (target < 300 MB) and Redis's memory at the end.
 * Nothing here asserts on time. The run throws at the end (after printing every figure) when it
 * is broken: a POST refused, alerts never shown within the cap, a queue that did not drain.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueName } from '@relay/models';
import { DeliveredDingtalkMessage, FakeDingtalk } from '../test/fakes/dingtalk.fake';
import { busiestWindow, notification, postJson, sleep, startRedisServer } from '../test/support';
import { fmt, median, percentile, processMemoryKb, RelayProcess, sampleMemory, startRelayProcess } from './bench-support';

const RATE_WINDOW_MS = 60_000;
/** DingTalk's limit per robot per rolling minute. */
const RATE_MAX = 20;
const THROTTLED = 130101;
/** Each scenario stops waiting for its alerts this long after its first POST. */
const CAP_MS = 6 * 60_000;
/** After every alert is shown, how long the folded jobs get to complete. */
const DRAIN_MS = 30_000;
const STORM_TARGET_MS = 120_000;
const MEMORY_TARGET_MB = 300;

/** What went wrong in the run; thrown once both scenarios have printed their figures. */
const problems: string[] = [];

const pad = (i: number, width: number) => String(i).padStart(width, '0');
const textOf = (message: any): string => message.markdown?.text ?? message.text?.content ?? '';
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const mb = (kb: number) => `${fmt(kb / 1024, 0)} MB`;

/** A single-alert notification of its own group, told apart by its instance and its summary `[label]`. */
function singleAlert(label: string, i: number) {
  const body = notification({ receiver: 'bench', groupKey: `{}:{instance="${label}"}`, groupLabels: { instance: label } });
  body.alerts[0].labels = { ...body.alerts[0].labels, instance: label };
  body.alerts[0].annotations = { summary: `[${label}] disk almost full` };
  body.alerts[0].fingerprint = (0x100000 + i).toString(16).padStart(16, '0');
  return body;
}

/**
 * Reads the fake's messages as they arrive (each once) and records which alerts were shown, by
 * the `[label]` in their summary: how many times each, and when the last missing one arrived.
 */
class Shown {
  readonly times = new Map<string, number>();
  /** For each alert, the messages (indexes into the fake's deliveries) that showed it. */
  readonly where = new Map<string, number[]>();
  /** When (at the fake) the message that showed the last of `expected` arrived. */
  completeAt?: number;
  /** The most alerts any one message showed. */
  mostInOne = 0;
  singles = 0;
  digests = 0;
  private scanned = 0;

  constructor(
    private readonly fake: FakeDingtalk,
    private readonly pattern: RegExp,
    private readonly expected: number,
  ) {}

  update(): number {
    const delivered = this.fake.delivered;
    for (; this.scanned < delivered.length; this.scanned++) this.read(delivered[this.scanned]);
    return this.times.size;
  }

  get duplicates(): number {
    let n = 0;
    for (const count of this.times.values()) n += count - 1;
    return n;
  }

  /** The alerts shown more than once, with the messages (index, arrival after `first`, alerts in it) that showed them. */
  duplicated(first: number, limit = 5): string[] {
    const delivered = this.fake.delivered;
    const describe = (k: number) => `#${k} at ${seconds(delivered[k].at - first)} (${[...textOf(delivered[k].body).matchAll(this.pattern)].length} alerts)`;
    return [...this.where]
      .filter(([, ks]) => ks.length > 1)
      .slice(0, limit)
      .map(([label, ks]) => `${label} in ${ks.map(describe).join(', ')}`);
  }

  missing(all: string[]): string[] {
    return all.filter((label) => !this.times.has(label));
  }

  private read(message: DeliveredDingtalkMessage): void {
    const labels = [...textOf(message.body).matchAll(this.pattern)].map((m) => m[1]);
    this.mostInOne = Math.max(this.mostInOne, labels.length);
    if (textOf(message.body).includes('[DIGEST]') || labels.length > 1) this.digests++;
    else this.singles++;
    for (const label of labels) {
      this.times.set(label, (this.times.get(label) ?? 0) + 1);
      this.where.set(label, [...(this.where.get(label) ?? []), this.scanned]);
    }
    if (this.completeAt === undefined && this.times.size >= this.expected) this.completeAt = message.at;
  }
}

/** Polls `check` until it holds or `deadline` (epoch ms) passes; whether it held. */
async function until(check: () => boolean | Promise<boolean>, deadline: number, stepMs = 250): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(stepMs, Math.max(1, deadline - Date.now())));
  }
}

const sleepUntil = (at: number) => (at > Date.now() ? sleep(at - Date.now()) : Promise.resolve());

/** POSTs one notification, retrying a refused one a few times (counted); throws if it is never accepted. */
async function post(url: string, body: unknown, stats: { acks: number[]; retries: number }): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    let status: number | string;
    let answer: any;
    try {
      ({ status, body: answer } = await postJson(url, body));
    } catch (e) {
      status = (e as Error).message;
    }
    if (status === 202) {
      stats.acks.push(performance.now() - started);
      return answer?.jobs?.[0]?.jobId ?? '';
    }
    if (attempt >= 3) throw new Error(`POST ${url} answered ${status} three times`);
    stats.retries++;
    await sleep(200);
  }
}

/** What is left of the dingtalk queue and of the digest bookkeeping, read from Redis. */
async function redisState(redis: Redis, queue: Queue, prefix: string, targets: string[]) {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed');
  const unfinished = counts.waiting + counts.active + counts.delayed + counts.prioritized + counts['waiting-children'] + counts.paused;
  const pendingIds = await Promise.all(targets.map((t) => redis.zrange(`${prefix}:digest:pending:${t}`, 0, -1)));
  const pending = pendingIds.map((ids) => ids.length);
  // A job still listed as waiting for a digest once it has finished would be shown again by the next one.
  const pendingStates: Record<string, number> = {};
  for (const id of pendingIds.flat().slice(0, 200)) {
    const state = await queue.getJobState(id);
    pendingStates[state] = (pendingStates[state] ?? 0) + 1;
  }
  const carriedLeft = (await redis.keys(`${prefix}:digest:carried:*`)).length;
  const claims = await Promise.all(targets.map((t) => redis.hlen(`${prefix}:digest:claims:${t}`)));
  const penalties = (await redis.keys(`${prefix}:ratelimit:penalty:*`)).length;
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { counts, unfinished, pending, pendingStates, carriedLeft, claims, penalties, usedMemory: field('used_memory'), usedMemoryPeak: field('used_memory_peak') };
}

const describeStates = (states: Record<string, number>) =>
  Object.keys(states).length ? ` (those jobs: ${Object.entries(states).map(([state, n]) => `${n} ${state}`).join(', ')})` : '';

/** Why an alert was shown twice, from its job: its state, what it returned and its log. */
async function explainJob(queue: Queue, jobId: string): Promise<string[]> {
  const job = await queue.getJob(jobId);
  if (!job) return [`job ${jobId}: gone`];
  const { logs } = await queue.getJobLogs(jobId);
  return [`job ${jobId}: ${await job.getState()}, returned ${JSON.stringify(job.returnvalue)?.slice(0, 300)}`, ...logs.map((l) => `  log: ${l.slice(0, 300)}`)];
}

/** The relay's own log lines (warn and above), for a diagnosis when something is missing. */
function logSummary(relay: RelayProcess): string[] {
  const lines = relay
    .output()
    .split('\n')
    .filter((l) => l.trim());
  const messages = new Map<string, number>();
  for (const line of lines) {
    let msg = line;
    try {
      const parsed = JSON.parse(line);
      msg = `${parsed.level >= 50 ? 'error' : parsed.level >= 40 ? 'warn' : 'info'}: ${parsed.msg}`;
    } catch {
      // not a pino line: keep it as is
    }
    messages.set(msg, (messages.get(msg) ?? 0) + 1);
  }
  return [...messages].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([msg, n]) => `${n}× ${msg.slice(0, 200)}`);
}

async function withRelay<T>(
  yaml: string,
  prefix: string,
  body: (ctx: { relay: RelayProcess; redis: Redis; queue: Queue; redisUrl: string }) => Promise<T>,
): Promise<T> {
  const server = await startRedisServer();
  const relay = await startRelayProcess('relay', yaml, server.url, prefix, { logLevel: 'warn', captureOutput: true });
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName('dingtalk'), { connection: redis, prefix });
  try {
    return await body({ relay, redis, queue, redisUrl: server.url });
  } finally {
    await queue.close();
    await relay.stop();
    redis.disconnect();
    await server.stop();
  }
}

export async function storm(): Promise<void> {
  const N = 200;
  const fake = await FakeDingtalk.start();
  try {
    const robot = fake.robot('stormtoken'); // DingTalk's real limits: 20 a minute, then 10 minutes of 130101
    const prefix = '{bench-digest-storm}';
    const target = 'storm/dingtalk/0';
    const yaml = `
receivers:
  - name: storm
    dingtalk_configs:
      - url: ${robot}
`;
    await withRelay(yaml, prefix, async ({ relay, redis, queue }) => {
      const labels = Array.from({ length: N }, (_, i) => `storm-${pad(i, 3)}`);
      const shown = new Shown(fake, /\[(storm-\d{3})\]/g, N);
      const stats = { acks: [] as number[], retries: 0 };
      const jobIds: string[] = [];
      const first = Date.now();
      for (let i = 0; i < N; i++) {
        await sleepUntil(first + (i * 60_000) / N);
        jobIds.push(await post(`${relay.url}/webhook/storm`, singleAlert(labels[i], i), stats));
      }
      const postedIn = Date.now() - first;
      const allShown = await until(() => shown.update() >= N, first + CAP_MS);
      const drained = allShown && (await until(async () => (await redisState(redis, queue, prefix, [target])).unfinished === 0, Date.now() + DRAIN_MS, 500));
      const state = await redisState(redis, queue, prefix, [target]);
      shown.update();

      const times = fake.delivered.filter((m) => m.token === 'stormtoken').map((m) => m.at);
      const busiest = busiestWindow(times, RATE_WINDOW_MS);
      const throttled = fake.answersTo('stormtoken').filter((a) => a.errcode === THROTTLED).length;
      const shownAfter = shown.completeAt === undefined ? undefined : shown.completeAt - first;

      console.log(`digest/storm: ${N} single-alert notifications (own groupKey each) POSTed evenly over 60 s to ONE DingTalk robot (20 per rolling minute, 10 min penalty); single-process relay (ingest + workers), own Redis`);
      console.log(`  POSTs: all ${N} answered 202 in ${seconds(postedIn)} (ack p50 ${fmt(median(stats.acks), 1)} ms, p99 ${fmt(percentile(stats.acks, 99), 1)} ms; ${stats.retries} retried)`);
      console.log(
        shownAfter !== undefined
          ? `  every alert shown at the fake ${seconds(shownAfter)} after the first POST — ${shownAfter < STORM_TARGET_MS ? 'within' : 'OVER'} the 120 s target`
          : `  NOT every alert shown within ${seconds(CAP_MS)}: ${shown.times.size} of ${N} shown; missing ${shown.missing(labels).slice(0, 10).join(', ')}${N - shown.times.size > 10 ? ', …' : ''}`,
      );
      console.log(`  messages sent ${times.length} (${shown.singles} single, ${shown.digests} digests; most alerts in one message ${shown.mostInOne}); alerts shown more than once ${shown.duplicates}`);
      for (const line of shown.duplicated(first)) console.log(`    shown twice: ${line}`);
      const twice = [...shown.where].find(([, ks]) => ks.length > 1)?.[0];
      if (twice) for (const line of await explainJob(queue, jobIds[labels.indexOf(twice)])) console.log(`      ${line}`);
      console.log(`  most messages in any rolling 60 s: ${busiest} (limit ${RATE_MAX}: ${busiest <= RATE_MAX ? 'within' : 'OVER'}); 130101 throttle answers: ${fake.throttled} (${throttled} to this robot)`);
      console.log(
        `  queue at the end: waiting+active+delayed ${state.counts.waiting + state.counts.active + state.counts.delayed} (prioritized ${state.counts.prioritized}), completed ${state.counts.completed}, failed ${state.counts.failed} — ${drained ? 'drained' : 'NOT drained'}; digest pending ${state.pending[0]}${describeStates(state.pendingStates)}, claims ${state.claims[0]}, carried records ${state.carriedLeft}, penalty keys ${state.penalties}`,
      );
      if (shownAfter === undefined) problems.push(`storm: ${N - shown.times.size} of ${N} alerts never shown within ${seconds(CAP_MS)}`);
      else if (shownAfter >= STORM_TARGET_MS) problems.push(`storm: every alert shown only after ${seconds(shownAfter)} (target < 120 s)`);
      if (busiest > RATE_MAX) problems.push(`storm: ${busiest} messages in one rolling minute (limit ${RATE_MAX})`);
      if (fake.throttled) problems.push(`storm: ${fake.throttled} throttle answers (130101)`);
      if (!drained) problems.push(`storm: queue not drained (${JSON.stringify(state.counts)})`);
      if (relay.proc.exitCode !== null || relay.proc.signalCode !== null) problems.push(`storm: the relay process exited (${relay.proc.exitCode ?? relay.proc.signalCode})`);
      if (problems.some((p) => p.startsWith('storm'))) for (const line of logSummary(relay)) console.log(`  relay log: ${line}`);
    });
  } finally {
    await fake.close();
  }
}

export async function flood(): Promise<void> {
  const N = 10_000;
  const ROBOTS = 5;
  const POSTERS = 16;
  const fake = await FakeDingtalk.start();
  try {
    const tokens = Array.from({ length: ROBOTS }, (_, r) => `flood${r}token`);
    const urls = tokens.map((t) => fake.robot(t)); // real limits, as in the storm
    const receivers = tokens.map((_, r) => `flood-${r}`);
    const targets = receivers.map((r) => `${r}/dingtalk/0`);
    const prefix = '{bench-digest-flood}';
    const yaml = `
receivers:
${receivers.map((name, r) => `  - name: ${name}\n    dingtalk_configs:\n      - url: ${urls[r]}\n`).join('')}`;
    await withRelay(yaml, prefix, async ({ relay, redis, queue }) => {
      const labels = Array.from({ length: N }, (_, i) => `flood-${pad(i, 5)}`);
      const shown = new Shown(fake, /\[(flood-\d{5})\]/g, N);
      const idleKb = processMemoryKb(relay.proc.pid!)?.rssKb ?? NaN;
      const memory = sampleMemory(relay.proc.pid!, 250);
      const stats = { acks: [] as number[], retries: 0 };
      let next = 0;
      const first = Date.now();
      // Several posters, each taking the next notification at its time in the 60 s: Alertmanagers
      // do not wait for one another, and one slow answer must not hold the rest back.
      let postError: unknown;
      const posters = Array.from({ length: POSTERS }, async () => {
        for (let i = next++; i < N && !postError; i = next++) {
          await sleepUntil(first + (i * 60_000) / N);
          try {
            await post(`${relay.url}/webhook/${receivers[i % ROBOTS]}`, singleAlert(labels[i], i), stats);
          } catch (e) {
            postError ??= e; // the others stop too
          }
        }
      });
      const tracking = setInterval(() => shown.update(), 250);
      await Promise.all(posters);
      const postedIn = Date.now() - first;
      const allShown = !postError && (await until(() => shown.update() >= N, first + CAP_MS, 250));
      clearInterval(tracking);
      const drained = allShown && (await until(async () => (await redisState(redis, queue, prefix, targets)).unfinished === 0, Date.now() + DRAIN_MS, 500));
      const drainedAfter = Date.now() - first;
      const state = await redisState(redis, queue, prefix, targets);
      const peak = memory.peak();
      memory.stop();
      shown.update();

      const shownAfter = shown.completeAt === undefined ? undefined : shown.completeAt - first;
      console.log(
        `digest/flood: ${fmt(N)} single-alert notifications (own groupKey each) POSTed over 60 s round-robin to ${ROBOTS} DingTalk robots (20 per rolling minute each, 10 min penalty) by ${POSTERS} concurrent posters; single-process relay (ingest + workers), own Redis`,
      );
      console.log(
        postError
          ? `  POSTs BROKEN after ${seconds(postedIn)}: ${(postError as Error).message} (${stats.acks.length} answered 202)`
          : `  POSTs: all ${fmt(N)} answered 202 in ${seconds(postedIn)} (${fmt(N / (postedIn / 1000))}/s; ack p50 ${fmt(median(stats.acks), 1)} ms, p99 ${fmt(percentile(stats.acks, 99), 1)} ms, max ${fmt(Math.max(...stats.acks), 0)} ms; ${stats.retries} retried)`,
      );
      console.log(
        shownAfter !== undefined
          ? `  every alert shown at the fake ${seconds(shownAfter)} after the first POST`
          : `  NOT every alert shown within ${seconds(CAP_MS)}: ${fmt(shown.times.size)} of ${fmt(N)} shown; missing ${shown.missing(labels).slice(0, 10).join(', ')}${N - shown.times.size > 10 ? ', …' : ''}`,
      );
      console.log(`  messages sent ${fake.delivered.length} (${shown.singles} single, ${shown.digests} digests; most alerts in one message ${shown.mostInOne}); alerts shown more than once ${shown.duplicates}; 130101 throttle answers ${fake.throttled}`);
      for (const line of shown.duplicated(first)) console.log(`    shown twice: ${line}`);
      for (let r = 0; r < ROBOTS; r++) {
        const times = fake.delivered.filter((m) => m.token === tokens[r]).map((m) => m.at);
        const alerts = labels.filter((_, i) => i % ROBOTS === r);
        const lastShown = Math.max(...fake.delivered.filter((m) => m.token === tokens[r]).map((m) => m.at)) - first;
        const busiest = busiestWindow(times, RATE_WINDOW_MS);
        const throttled = fake.answersTo(tokens[r]).filter((a) => a.errcode === THROTTLED).length;
        console.log(
          `    robot ${r}: ${times.length} messages, ${alerts.length - shown.missing(alerts).length}/${alerts.length} alerts shown, last message at ${seconds(lastShown)}, most in any rolling 60 s ${busiest}${busiest > RATE_MAX ? ' (OVER 20)' : ''}, 130101 answers ${throttled}`,
        );
        if (busiest > RATE_MAX) problems.push(`flood: robot ${r} got ${busiest} messages in one rolling minute`);
      }
      const waitingActiveDelayed = state.counts.waiting + state.counts.active + state.counts.delayed;
      console.log(
        `  queue ${drained ? `drained (checked ${seconds(drainedAfter)} after the first POST)` : 'NOT drained'}: waiting+active+delayed ${waitingActiveDelayed} (waiting ${state.counts.waiting}, active ${state.counts.active}, delayed ${state.counts.delayed}, prioritized ${state.counts.prioritized}), completed ${fmt(state.counts.completed)}, failed ${state.counts.failed}; digest pending ${state.pending.join('/')}${describeStates(state.pendingStates)}, claims ${state.claims.join('/')}, carried records ${state.carriedLeft}, penalty keys ${state.penalties}`,
      );
      console.log(
        `  relay process (ingest + workers) peak resident memory ${mb(peak.hwmKb)} (VmHWM; largest VmRSS sampled every 250 ms ${mb(peak.rssKb)}, ${peak.samples} samples; ${mb(idleKb)} when ready, before the first POST) — ${peak.hwmKb / 1024 < MEMORY_TARGET_MB ? 'within' : 'OVER'} the ${MEMORY_TARGET_MB} MB target`,
      );
      console.log(`  Redis used_memory at the end ${fmt(state.usedMemory / 1024 / 1024, 1)} MB (used_memory_peak ${fmt(state.usedMemoryPeak / 1024 / 1024, 1)} MB)`);
      if (postError) problems.push(`flood: posting broke: ${(postError as Error).message}`);
      if (shownAfter === undefined) problems.push(`flood: ${N - shown.times.size} of ${N} alerts never shown within ${seconds(CAP_MS)}`);
      if (!drained) problems.push(`flood: queue not drained (${JSON.stringify(state.counts)})`);
      if (!(peak.hwmKb / 1024 < MEMORY_TARGET_MB)) problems.push(`flood: relay peak memory ${mb(peak.hwmKb)} (target < ${MEMORY_TARGET_MB} MB)`);
      if (relay.proc.exitCode !== null || relay.proc.signalCode !== null) problems.push(`flood: the relay process exited (${relay.proc.exitCode ?? relay.proc.signalCode})`);
      if (problems.some((p) => p.startsWith('flood'))) for (const line of logSummary(relay)) console.log(`  relay log: ${line}`);
    });
  } finally {
    await fake.close();
  }
}

export async function run(): Promise<void> {
  problems.length = 0;
  await storm();
  await flood();
  if (problems.length) throw new Error(`digest bench: ${problems.join('; ')}`);
}
