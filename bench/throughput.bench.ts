/**
 * Delivery throughput (issue 12): ingest and one DingTalk worker in their own processes, as in
 * production, on one Redis, against the fake DingTalk answering at once or after 200 ms. Senders
 * POST unique single-alert notifications (nothing deduplicated) as fast as ingest acks them; the
 * figures are taken from the first POST until the last message reached the fake (the drain
 * included). A backlog scenario posts everything first, then starts the worker: its delivered/s
 * (from the worker's start) is what one worker process can do, whatever ingest's pace. A paced load gives the end-to-end latency, and `npm start` mode (one relay process)
 * whether delivery keeps pace with ingest there; the idle one reads each process's resident memory
 * after 30 quiet seconds, after boot and after a load. Targets on the issue's 2-core machine:
 *   200 ms, 50 senders >= 1,000 delivered/s; at once, 10 senders >= 2,000/s; CPU (all processes)
 *   <= 1.0 ms per delivered message; each process < 150 MB resident at peak, < 100 MB idle;
 *   p50 <= 20 ms, p99 <= 100 ms at 500/s; Redis < 64 MB after 100,000 notifications, drained;
 *   single process: delivered/s >= 0.9 acked/s.
 * The scenarios marked `compare` also run prometheus-webhook-dingtalk 2.1.0 (the Go relay people
 * run today; `bash scripts/build-go-relay.sh` builds it, BENCH_GO_RELAY=<binary> points elsewhere,
 * BENCH_GO_RELAY=off skips it): the same fake, load generator and notifications, POSTed to its
 * /dingtalk/<target>/send, each Go run right before alert-relay's, and relay/Go ratios printed.
 * It sends before it answers, so its delivered/s is its acked/s. Both are counted alike: a message
 * is delivered when the fake recorded it (errcode 0, at the request's arrival), matched by the
 * `[n<id>]` of its notification's summary, which both relays' default templates show.
 * BENCH_SCALE scales every count (0.1 for a quick look); BENCH_RUNS repeats the whole series
 * (default 3) and prints medians with every run's figure; BENCH_SCENARIOS=<text>|<text>… runs only
 * those whose name has one of them (`compared`: those run with the Go relay); BENCH_CPU_PROF=<dir> writes the
 * alert-relay processes' --cpu-prof profiles there. Nothing asserts on time: this shares 2 cores with
 * whatever else runs, so the spread matters as much as the median.
 */
import { existsSync } from 'node:fs';
import { Agent, request } from 'undici';
import { Redis } from 'ioredis';
import { FakeDingtalk } from '../test/fakes/dingtalk.fake';
import { notification, sleep, startRedisServer } from '../test/support';
import { fmt, GO_RELAY_DEFAULT_PATH, median, percentile, processCpuMs, processMemoryKb, RelayProcess, sampleMemory, startGoRelayProcess, startRelayProcess } from './bench-support';

const PREFIX = '{bench-throughput}';
const SCALE = Number(process.env.BENCH_SCALE || 1);
const RUNS = Number(process.env.BENCH_RUNS || 3);
/** Stop waiting for the rest once nothing was delivered for this long. */
const STALL_MS = 30_000;

interface Scenario {
  name: string;
  layout: 'split' | 'single';
  delayMs: number;
  senders: number;
  count: number;
  /** Notifications a second, paced, instead of as fast as acked. */
  rate?: number;
  /** All posted before the worker starts: what one worker drains, whatever ingest's pace. */
  backlog?: boolean;
  /** Run with prometheus-webhook-dingtalk too, interleaved with alert-relay's runs. */
  compare?: boolean;
  /**
   * How long the processes sit idle after boot and after the drain before their resident memory
   * is read: V8 gives memory back only once a process has been quiet for several seconds.
   */
  quietMs?: number;
}

/** BENCH_SCENARIOS: runs only the scenarios whose name has one of these '|'-separated texts ('compared': those run with the Go relay too). */
const PICKED = (process.env.BENCH_SCENARIOS ?? '').split('|').filter(Boolean);

const SCENARIOS = ([
  { name: 'at once, 10 senders', layout: 'split', delayMs: 0, senders: 10, count: 25_000, compare: true },
  { name: 'at once, 50 senders', layout: 'split', delayMs: 0, senders: 50, count: 25_000, compare: true },
  { name: '200 ms, 10 senders', layout: 'split', delayMs: 200, senders: 10, count: 15_000 },
  { name: '200 ms, 50 senders', layout: 'split', delayMs: 200, senders: 50, count: 20_000, compare: true },
  { name: 'backlog, 200 ms, one worker', layout: 'split', delayMs: 200, senders: 50, count: 20_000, backlog: true },
  { name: 'backlog, at once, one worker', layout: 'split', delayMs: 0, senders: 50, count: 20_000, backlog: true },
  { name: 'at once, paced 500/s', layout: 'split', delayMs: 0, senders: 50, count: 7_500, rate: 500 },
  { name: 'npm start, at once, 10 senders', layout: 'single', delayMs: 0, senders: 10, count: 10_000 },
  { name: 'idle, at once, 10 senders, idle', layout: 'split', delayMs: 0, senders: 10, count: 5_000, quietMs: 30_000 },
] as Scenario[])
  .map((s): Scenario => ({ ...s, count: Math.max(100, Math.round(s.count * SCALE)) }))
  .filter((s) => !PICKED.length || PICKED.some((p) => s.name.includes(p) || (p === 'compared' && s.compare)));

interface Figures {
  delivered: number;
  count: number;
  ackedPerS: number;
  deliveredPerS: number;
  p50: number;
  p99: number;
  /** CPU ms per delivered message, per process. */
  cpu: Record<string, number>;
  /** The same for this process (load generator and fake DingTalk), which is not the relay's. */
  harnessCpu: number;
  peakMb: Record<string, number>;
  idleMb: Record<string, number>;
  /** Resident a second after it was ready, before any load. */
  bootMb: Record<string, number>;
  /** Redis used_memory after the drain (alert-relay only). */
  redisMb?: number;
  /** Redis commands (scripts count as one) per delivered message, by command, over the scenario (alert-relay only). */
  redisCalls?: Record<string, number>;
  duplicates: number;
}

/** One relay, started for one scenario, as the load generator and the measurements see it. */
interface RelayUnderTest {
  /** Where each notification is POSTed, and the HTTP status that acks it. */
  postUrl: string;
  ackStatus: number;
  /** Its processes by name: their CPU and peak memory are measured (a Redis it uses included). */
  pids: Record<string, number>;
  /** The names in `pids` whose memory after boot and when idle is read (not a Redis shared by the series). */
  own: string[];
  /** Called once every notification was posted; returns the processes it started then (a backlog's worker). */
  loaded?(): Promise<Record<string, number>>;
  /** Redis used_memory in MB, read after the drain. */
  redisMb?(): Promise<number>;
  /** Redis's calls so far by command (INFO commandstats). */
  redisCalls?(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** How to start a relay for a scenario, against the fake's robot at `robotUrl`. */
interface Relay {
  label: string;
  start(s: Scenario, robotUrl: string, token: string): Promise<RelayUnderTest>;
}

const mb = (kb: number) => kb / 1024;
let series = 0;

/** alert-relay: ingest and a DingTalk worker in their own processes (or `npm start`'s one), on the series' Redis. */
function alertRelay(redisUrl: string, redisPid: number, inspector: Redis): Relay {
  return {
    label: 'alert-relay',
    async start(s, robotUrl, token) {
      const yaml = `
receivers:
  - name: bench
    dingtalk_configs:
      - url: ${robotUrl}
        rate_limit: { max: 1000000, per: 1s }
`;
      const profDir = process.env.BENCH_CPU_PROF;
      const prof = (name: string) => (profDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}-${token}.cpuprofile`] } : {});
      const procs: Record<string, RelayProcess> = {};
      if (s.layout === 'single') procs.relay = await startRelayProcess('relay', yaml, redisUrl, PREFIX, prof('relay'));
      else {
        procs.ingest = await startRelayProcess('ingest', yaml, redisUrl, PREFIX, prof('ingest'));
        if (!s.backlog) procs.worker = await startRelayProcess('dingtalk-worker', yaml, redisUrl, PREFIX, prof('worker'));
      }
      const pidsOf = () => Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, p.proc.pid!]));
      const sut: RelayUnderTest = {
        postUrl: `${(procs.ingest ?? procs.relay).url}/webhook`,
        ackStatus: 202,
        pids: { ...pidsOf(), redis: redisPid },
        own: Object.keys(procs),
        redisMb: async () => Number(/^used_memory:(\d+)/m.exec(await inspector.info('memory'))?.[1]) / 1024 / 1024,
        redisCalls: async () =>
          Object.fromEntries([...(await inspector.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])])),
        stop: async () => {
          for (const p of Object.values(procs)) await p.stop();
        },
      };
      if (s.backlog)
        sut.loaded = async () => {
          procs.worker = await startRelayProcess('dingtalk-worker', yaml, redisUrl, PREFIX, prof('worker'));
          sut.own.push('worker');
          return { worker: procs.worker.proc.pid! };
        };
      return sut;
    },
  };
}

/** prometheus-webhook-dingtalk: one process, one target at the robot, its built-in default template. */
function goRelay(binary: string): Relay {
  return {
    label: 'prometheus-webhook-dingtalk',
    async start(_s, robotUrl) {
      const proc = await startGoRelayProcess(binary, `targets:\n  bench:\n    url: ${robotUrl}\n`);
      return {
        postUrl: `${proc.url}/dingtalk/bench/send`,
        // It answers 200 "OK" only once DingTalk answered errcode 0: acked is delivered.
        ackStatus: 200,
        pids: { go: proc.proc.pid! },
        own: ['go'],
        stop: () => proc.stop(),
      };
    },
  };
}

/**
 * One scenario against one relay: the closed-loop (or paced) load of unique 1-alert notifications,
 * then the wait until every acked one reached the fake, measuring CPU, memory and latency.
 * Delivered means the fake recorded the message and answered errcode 0 (FakeDingtalk.delivered, at
 * the request's arrival), matched to its notification by the `[n<id>]` in its text.
 */
async function runScenario(s: Scenario, relay: Relay): Promise<Figures> {
  const fake = await FakeDingtalk.start();
  const token = `bench-${series++}`;
  const robot = fake.robot(token, { max: 1_000_000, windowMs: 1_000, delayMs: s.delayMs });
  const sut = await relay.start(s, robot, token);
  let pids = { ...sut.pids };
  await sleep(s.quietMs ?? 1_000);
  const bootMb = Object.fromEntries(sut.own.map((k) => [k, mb(processMemoryKb(pids[k])?.rssKb ?? NaN)]));
  const callsBefore = await sut.redisCalls?.();
  let samplers = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, sampleMemory(pid, 100)]));
  const agent = new Agent({ connections: s.senders });
  const sentAt = new Array<number>(s.count);
  const latencies: number[] = [];
  const seen = new Uint8Array(s.count);
  let duplicates = 0;
  let scanned = 0;
  let lastDeliveredAt = 0;
  let firstDeliveredAt = Infinity;
  let acked = 0;
  let lastAckAt = 0;
  let failedPosts = 0;
  const scan = () => {
    const delivered = fake.delivered;
    for (; scanned < delivered.length; scanned++) {
      const { body, at } = delivered[scanned];
      const id = Number(/\[n(\d+)\]/.exec(body.markdown?.text ?? body.text?.content ?? '')?.[1]);
      if (!(id >= 0 && id < s.count)) continue;
      if (seen[id]) duplicates++;
      else latencies.push(at - sentAt[id]);
      seen[id] = 1;
      lastDeliveredAt = Math.max(lastDeliveredAt, at);
      firstDeliveredAt = Math.min(firstDeliveredAt, at);
    }
  };
  const post = async (id: number) => {
    const body = notification({ receiver: 'bench', groupKey: `{}:{n="${token}-${id}"}` });
    body.alerts[0].annotations = { summary: `[n${id}] disk almost full` };
    sentAt[id] = Date.now();
    try {
      const res = await request(sut.postUrl, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
      await res.body.dump();
      if (res.statusCode === sut.ackStatus) {
        acked++;
        lastAckAt = Date.now();
      } else failedPosts++;
    } catch {
      failedPosts++;
    }
  };

  let cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processCpuMs(pid)]));
  const harnessBefore = process.cpuUsage();
  const scanner = setInterval(scan, 20);
  const started = Date.now();
  let next = 0;
  if (s.rate) {
    const posts: Promise<void>[] = [];
    while (next < s.count) {
      const due = started + (next * 1000) / s.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      posts.push(post(next++));
    }
    await Promise.all(posts);
  } else {
    await Promise.all(Array.from({ length: s.senders }, async () => {
      while (next < s.count) await post(next++);
    }));
  }
  if (sut.loaded) {
    const added = await sut.loaded();
    pids = { ...pids, ...added };
    for (const [k, pid] of Object.entries(added)) {
      samplers = { ...samplers, [k]: sampleMemory(pid, 100) };
      cpuBefore = { ...cpuBefore, [k]: processCpuMs(pid) };
    }
  }
  let progressAt = Date.now();
  for (let last = -1; latencies.length < acked; await sleep(50)) {
    if (latencies.length !== last) [last, progressAt] = [latencies.length, Date.now()];
    if (Date.now() - progressAt > STALL_MS) break;
  }
  // Whatever the processes still do for these jobs (completions, retention) counts too.
  await sleep(1_000);
  clearInterval(scanner);
  scan();
  const delivered = latencies.length;
  const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (processCpuMs(pid) - cpuBefore[k]) / Math.max(delivered, 1)]));
  const harness = process.cpuUsage(harnessBefore);
  const harnessCpu = (harness.user + harness.system) / 1000 / Math.max(delivered, 1);
  const peakMb = Object.fromEntries(Object.entries(samplers).map(([k, m]) => [k, mb(m.peak().rssKb)]));
  for (const m of Object.values(samplers)) m.stop();
  await sleep(s.quietMs ?? 4_000);
  const idleMb = Object.fromEntries(sut.own.map((k) => [k, mb(processMemoryKb(pids[k])?.rssKb ?? NaN)]));
  const redisMb = await sut.redisMb?.();
  const callsAfter = await sut.redisCalls?.();
  // The inspector's own INFO calls are a handful per scenario: noise beside thousands of messages.
  const redisCalls =
    callsBefore && callsAfter
      ? Object.fromEntries(Object.entries(callsAfter).map(([cmd, n]) => [cmd, (n - (callsBefore[cmd] ?? 0)) / Math.max(latencies.length, 1)]))
      : undefined;
  await agent.close();
  await sut.stop();
  await fake.close();
  if (failedPosts) console.log(`    ${relay.label}, ${s.name}: ${failedPosts} POSTs not acked`);
  return {
    delivered,
    count: s.count,
    ackedPerS: (acked * 1000) / Math.max(lastAckAt - started, 1),
    // A backlog counts from its first message: the worker takes jobs before it reports ready.
    deliveredPerS: (delivered * 1000) / Math.max(lastDeliveredAt - (s.backlog ? firstDeliveredAt : started), 1),
    p50: median(latencies),
    p99: percentile(latencies, 99),
    cpu,
    harnessCpu,
    peakMb,
    idleMb,
    bootMb,
    redisMb,
    redisCalls,
    duplicates,
  };
}

const spread = (xs: number[], digits = 0) => (xs.length > 1 ? ` (${xs.map((x) => fmt(x, digits)).join(', ')})` : '');
const med = (xs: number[], digits = 0) => `${fmt(median(xs), digits)}${spread(xs, digits)}`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function printScenario(label: string, s: Scenario, f: Figures[]): void {
  const all = f.map((x) => sum(Object.values(x.cpu)));
  const names = Object.keys(f[0].cpu);
  console.log(`  ${label}, ${s.name}${s.delayMs ? ` (platform answers in ${s.delayMs} ms)` : ''}, ${fmt(s.count)} notifications:`);
  console.log(`    delivered ${med(f.map((x) => x.delivered))}, shown twice ${f.reduce((a, x) => a + x.duplicates, 0)}`);
  console.log(`    ${med(f.map((x) => x.deliveredPerS))} delivered/s incl. drain; ${med(f.map((x) => x.ackedPerS))} acked/s (ratio ${med(f.map((x) => x.deliveredPerS / x.ackedPerS), 2)})`);
  console.log(`    end to end p50 ${med(f.map((x) => x.p50))} ms, p99 ${med(f.map((x) => x.p99))} ms`);
  console.log(`    CPU ms per delivered: ${names.length > 1 ? `all ${med(all, 2)}; ` : ''}${names.map((n) => `${n} ${med(f.map((x) => x.cpu[n]), 2)}`).join('; ')} (load generator + fake, not counted: ${med(f.map((x) => x.harnessCpu), 2)})`);
  console.log(`    peak RSS MB: ${names.map((n) => `${n} ${med(f.map((x) => x.peakMb[n]))}`).join('; ')}`);
  const quiet = `${fmt((s.quietMs ?? 4_000) / 1000)} s`;
  console.log(`    idle RSS MB, ${s.quietMs ? `${quiet} ` : ''}after boot: ${Object.keys(f[0].bootMb).map((n) => `${n} ${med(f.map((x) => x.bootMb[n]))}`).join('; ')}; ${quiet} after the drain: ${Object.keys(f[0].idleMb).map((n) => `${n} ${med(f.map((x) => x.idleMb[n]))}`).join('; ')}`);
  if (f[0].redisMb !== undefined) console.log(`    Redis used_memory after: ${med(f.map((x) => x.redisMb!), 1)} MB`);
  if (f[0].redisCalls) {
    const calls = f[0].redisCalls;
    const top = Object.entries(calls).filter(([, n]) => n >= 0.05).sort((a, b) => b[1] - a[1]);
    console.log(`    Redis commands per delivered (first run): ${fmt(sum(Object.values(calls)), 1)}: ${top.map(([c, n]) => `${c} ${fmt(n, 2)}`).join(', ')}`);
  }
}

/**
 * alert-relay beside the Go relay, scenario by scenario: medians with each run's figure, and
 * relay/Go as the median of the runs' ratios (run i of one against run i of the other, which ran
 * right after it, so the machine's mood of the moment cancels out as far as it can).
 */
function printComparison(scenarios: Scenario[], relay: Map<string, Figures[]>, go: Map<string, Figures[]>): void {
  console.log(`  alert-relay (ingest + worker + Redis) beside prometheus-webhook-dingtalk 2.1.0 (one process): same fake, load and notifications, runs interleaved (Go, then alert-relay); relay/Go is the median of the runs' ratios`);
  for (const s of scenarios) {
    const a = relay.get(s.name)!;
    const g = go.get(s.name)!;
    const ratio = (of: (x: Figures) => number, digits = 2) => med(a.map((x, i) => of(x) / of(g[i])), digits);
    const both = (what: string, of: (x: Figures) => number, digits = 0) => `${what}: alert-relay ${med(a.map(of), digits)}, Go ${med(g.map(of), digits)}; relay/Go ${ratio(of)}`;
    const cpuAll = (x: Figures) => sum(Object.values(x.cpu));
    const ownPeak = (x: Figures) => sum(Object.entries(x.peakMb).filter(([k]) => k !== 'redis').map(([, v]) => v));
    console.log(`    ${s.name}${s.delayMs ? ` (platform answers in ${s.delayMs} ms)` : ''}, ${fmt(s.count)} notifications:`);
    console.log(`      ${both('delivered/s', (x) => x.deliveredPerS)}`);
    console.log(`      ${both('CPU ms per delivered message, all processes', cpuAll, 2)}`);
    console.log(`        alert-relay's by process: ${Object.keys(a[0].cpu).map((n) => `${n} ${med(a.map((x) => x.cpu[n]), 2)}`).join('; ')}; load generator + fake (not counted): alert-relay's runs ${med(a.map((x) => x.harnessCpu), 2)}, Go's ${med(g.map((x) => x.harnessCpu), 2)}`);
    console.log(`      ${both(`peak RSS MB, ${Object.keys(a[0].peakMb).filter((k) => k !== 'redis').join(' + ')} (Redis apart)`, ownPeak)}; Redis ${med(a.map((x) => x.peakMb.redis ?? NaN))}`);
    console.log(`      ${both('end to end p50 ms', (x) => x.p50)}`);
    console.log(`      ${both('end to end p99 ms', (x) => x.p99)}`);
    console.log(`      delivered of ${fmt(s.count)}: alert-relay ${med(a.map((x) => x.delivered))}, Go ${med(g.map((x) => x.delivered))}`);
  }
}

/** The Go relay's binary: BENCH_GO_RELAY, or where scripts/build-go-relay.sh puts it; undefined when absent or BENCH_GO_RELAY=off. */
function goRelayBinary(): string | undefined {
  const path = process.env.BENCH_GO_RELAY || GO_RELAY_DEFAULT_PATH;
  if (path === 'off') return undefined;
  if (existsSync(path)) return path;
  console.log(`  prometheus-webhook-dingtalk not found at ${path}: its comparison is skipped; build it with \`bash scripts/build-go-relay.sh\` (or point BENCH_GO_RELAY at a binary)`);
  return undefined;
}

export async function run(): Promise<void> {
  console.log(`throughput: ingest and a DingTalk worker in their own processes, fake DingTalk, unique 1-alert notifications; median of ${RUNS} run(s), each run's figure in brackets`);
  const goBinary = goRelayBinary();
  const compared = goBinary ? SCENARIOS.filter((s) => s.compare) : [];
  if (compared.length) console.log(`  with prometheus-webhook-dingtalk (${goBinary}) in: ${compared.map((s) => s.name).join('; ')}`);
  const results = new Map<string, Figures[]>(SCENARIOS.map((s) => [s.name, []]));
  const goResults = new Map<string, Figures[]>(compared.map((s) => [s.name, []]));
  const redisAfter: number[] = [];
  let total = 0;
  for (let r = 0; r < RUNS; r++) {
    // A fresh Redis per series: its memory after the series is that of every notification in it, drained.
    const redis = await startRedisServer();
    const inspector = new Redis(redis.url);
    const relay = alertRelay(redis.url, redis.pid, inspector);
    const go = goBinary ? goRelay(goBinary) : undefined;
    try {
      total = 0;
      for (const s of SCENARIOS) {
        if (go && s.compare) goResults.get(s.name)!.push(await runScenario(s, go));
        results.get(s.name)!.push(await runScenario(s, relay));
        total += s.count;
      }
      redisAfter.push(results.get(SCENARIOS[SCENARIOS.length - 1].name)!.at(-1)!.redisMb!);
    } finally {
      inspector.disconnect();
      await redis.stop();
    }
  }
  for (const s of SCENARIOS) printScenario('alert-relay', s, results.get(s.name)!);
  for (const s of compared) printScenario('prometheus-webhook-dingtalk', s, goResults.get(s.name)!);
  if (compared.length) printComparison(compared, results, goResults);
  console.log(`  Redis used_memory after all ${fmt(total)} notifications, drained: ${med(redisAfter, 1)} MB (target < 64 MB)`);
}
