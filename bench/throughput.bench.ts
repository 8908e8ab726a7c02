/**
 * Delivery throughput (issue 12): ingest and one DingTalk worker in their own processes, as in
 * production, on one Redis, against the fake DingTalk answering at once or after 200 ms. Senders
 * POST unique single-alert notifications (nothing deduplicated) as fast as ingest acks them; the
 * figures are taken from the first POST until the last message reached the fake (the drain
 * included). A backlog scenario posts everything first, then starts the worker: its delivered/s
 * (from the worker's start) is what one worker process can do, whatever ingest's pace. A paced load gives the end-to-end latency, and `npm start` mode (one relay process)
 * whether delivery keeps pace with ingest there. Targets on the issue's 2-core machine:
 *   200 ms, 50 senders >= 1,000 delivered/s; at once, 10 senders >= 2,000/s; CPU (all processes)
 *   <= 1.0 ms per delivered message; each process < 150 MB resident at peak, < 100 MB idle;
 *   p50 <= 20 ms, p99 <= 100 ms at 500/s; Redis < 64 MB after 100,000 notifications, drained;
 *   single process: delivered/s >= 0.9 acked/s.
 * BENCH_SCALE scales every count (0.1 for a quick look); BENCH_RUNS repeats the whole series
 * (default 3) and prints medians with every run's figure; BENCH_SCENARIOS=<text> runs only those whose name has it; BENCH_CPU_PROF=<dir> writes the
 * processes' --cpu-prof profiles there. Nothing asserts on time: this shares 2 cores with
 * whatever else runs, so the spread matters as much as the median.
 */
import { Agent, request } from 'undici';
import { Redis } from 'ioredis';
import { FakeDingtalk } from '../test/fakes/dingtalk.fake';
import { notification, sleep, startRedisServer } from '../test/support';
import { fmt, median, percentile, processCpuMs, processMemoryKb, RelayProcess, sampleMemory, startRelayProcess } from './bench-support';

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
}

const SCENARIOS = ([
  { name: 'at once, 10 senders', layout: 'split', delayMs: 0, senders: 10, count: 25_000 },
  { name: 'at once, 50 senders', layout: 'split', delayMs: 0, senders: 50, count: 25_000 },
  { name: '200 ms, 10 senders', layout: 'split', delayMs: 200, senders: 10, count: 15_000 },
  { name: '200 ms, 50 senders', layout: 'split', delayMs: 200, senders: 50, count: 20_000 },
  { name: 'backlog, 200 ms, one worker', layout: 'split', delayMs: 200, senders: 50, count: 20_000, backlog: true },
  { name: 'backlog, at once, one worker', layout: 'split', delayMs: 0, senders: 50, count: 20_000, backlog: true },
  { name: 'at once, paced 500/s', layout: 'split', delayMs: 0, senders: 50, count: 7_500, rate: 500 },
  { name: 'npm start, at once, 10 senders', layout: 'single', delayMs: 0, senders: 10, count: 10_000 },
] as Scenario[])
  .map((s): Scenario => ({ ...s, count: Math.max(100, Math.round(s.count * SCALE)) }))
  .filter((s) => !process.env.BENCH_SCENARIOS || s.name.includes(process.env.BENCH_SCENARIOS));

interface Figures {
  delivered: number;
  count: number;
  ackedPerS: number;
  deliveredPerS: number;
  p50: number;
  p99: number;
  /** CPU ms per delivered message, per process. */
  cpu: Record<string, number>;
  peakMb: Record<string, number>;
  idleMb: Record<string, number>;
  /** Resident a second after it was ready, before any load. */
  bootMb: Record<string, number>;
  redisMb: number;
  duplicates: number;
}

const mb = (kb: number) => kb / 1024;
let series = 0;

async function runScenario(s: Scenario, redisUrl: string, redisPid: number, inspector: Redis): Promise<Figures> {
  const fake = await FakeDingtalk.start();
  const token = `bench-${series++}`;
  const robot = fake.robot(token, { max: 1_000_000, windowMs: 1_000, delayMs: s.delayMs });
  const yaml = `
receivers:
  - name: bench
    dingtalk_configs:
      - url: ${robot}
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
  const ingestUrl = (procs.ingest ?? procs.relay).url;
  let pids: Record<string, number> = { ...Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, p.proc.pid!])), redis: redisPid };
  await sleep(1_000);
  const bootMb = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, mb(processMemoryKb(p.proc.pid!)?.rssKb ?? NaN)]));
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
      const res = await request(`${ingestUrl}/webhook`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
      await res.body.dump();
      if (res.statusCode === 202) {
        acked++;
        lastAckAt = Date.now();
      } else failedPosts++;
    } catch {
      failedPosts++;
    }
  };

  let cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processCpuMs(pid)]));
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
  if (s.backlog) {
    procs.worker = await startRelayProcess('dingtalk-worker', yaml, redisUrl, PREFIX, prof('worker'));
    pids = { ...pids, worker: procs.worker.proc.pid! };
    samplers = { ...samplers, worker: sampleMemory(pids.worker, 100) };
    cpuBefore = { ...cpuBefore, worker: processCpuMs(pids.worker) };
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
  const peakMb = Object.fromEntries(Object.entries(samplers).map(([k, m]) => [k, mb(m.peak().rssKb)]));
  for (const m of Object.values(samplers)) m.stop();
  await sleep(4_000);
  const idleMb = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, mb(processMemoryKb(p.proc.pid!)?.rssKb ?? NaN)]));
  const redisMb = Number(/^used_memory:(\d+)/m.exec(await inspector.info('memory'))?.[1]) / 1024 / 1024;
  await agent.close();
  for (const p of Object.values(procs)) await p.stop();
  await fake.close();
  if (failedPosts) console.log(`    ${s.name}: ${failedPosts} POSTs not acked`);
  return {
    delivered,
    count: s.count,
    ackedPerS: (acked * 1000) / Math.max(lastAckAt - started, 1),
    // A backlog counts from its first message: the worker takes jobs before it reports ready.
    deliveredPerS: (delivered * 1000) / Math.max(lastDeliveredAt - (s.backlog ? firstDeliveredAt : started), 1),
    p50: median(latencies),
    p99: percentile(latencies, 99),
    cpu,
    peakMb,
    idleMb,
    bootMb,
    redisMb,
    duplicates,
  };
}

const spread = (xs: number[], digits = 0) => (xs.length > 1 ? ` (${xs.map((x) => fmt(x, digits)).join(', ')})` : '');
const med = (xs: number[], digits = 0) => `${fmt(median(xs), digits)}${spread(xs, digits)}`;

export async function run(): Promise<void> {
  console.log(`throughput: ingest and a DingTalk worker in their own processes, fake DingTalk, unique 1-alert notifications; median of ${RUNS} run(s), each run's figure in brackets`);
  const results = new Map<string, Figures[]>(SCENARIOS.map((s) => [s.name, []]));
  const redisAfter: number[] = [];
  let total = 0;
  for (let r = 0; r < RUNS; r++) {
    // A fresh Redis per series: its memory after the series is that of every notification in it, drained.
    const redis = await startRedisServer();
    const inspector = new Redis(redis.url);
    try {
      total = 0;
      for (const s of SCENARIOS) {
        results.get(s.name)!.push(await runScenario(s, redis.url, redis.pid, inspector));
        total += s.count;
      }
      redisAfter.push(results.get(SCENARIOS[SCENARIOS.length - 1].name)!.at(-1)!.redisMb);
    } finally {
      inspector.disconnect();
      await redis.stop();
    }
  }
  for (const s of SCENARIOS) {
    const f = results.get(s.name)!;
    const all = f.map((x) => Object.values(x.cpu).reduce((a, b) => a + b, 0));
    const names = Object.keys(f[0].cpu);
    console.log(`  ${s.name}${s.delayMs ? ` (platform answers in ${s.delayMs} ms)` : ''}, ${fmt(s.count)} notifications:`);
    console.log(`    delivered ${med(f.map((x) => x.delivered))}, shown twice ${f.reduce((a, x) => a + x.duplicates, 0)}`);
    console.log(`    ${med(f.map((x) => x.deliveredPerS))} delivered/s incl. drain; ${med(f.map((x) => x.ackedPerS))} acked/s (ratio ${med(f.map((x) => x.deliveredPerS / x.ackedPerS), 2)})`);
    console.log(`    end to end p50 ${med(f.map((x) => x.p50))} ms, p99 ${med(f.map((x) => x.p99))} ms`);
    console.log(`    CPU ms per delivered: all ${med(all, 2)}; ${names.map((n) => `${n} ${med(f.map((x) => x.cpu[n]), 2)}`).join('; ')}`);
    console.log(`    peak RSS MB: ${names.map((n) => `${n} ${med(f.map((x) => x.peakMb[n]))}`).join('; ')}`);
    console.log(`    idle RSS MB, after boot: ${Object.keys(f[0].bootMb).map((n) => `${n} ${med(f.map((x) => x.bootMb[n]))}`).join('; ')}; 4 s after the drain: ${Object.keys(f[0].idleMb).map((n) => `${n} ${med(f.map((x) => x.idleMb[n]))}`).join('; ')}`);
    console.log(`    Redis used_memory after: ${med(f.map((x) => x.redisMb), 1)} MB`);
  }
  console.log(`  Redis used_memory after all ${fmt(total)} notifications, drained: ${med(redisAfter, 1)} MB (target < 64 MB)`);
}
