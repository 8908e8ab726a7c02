/**
 * Ingest: notifications/s accepted (202, every job stored in Redis) and the time to that answer.
 * Targets (issue 3): >= 5,000 notifications/s for 1-alert payloads; p99 ack <= 25 ms at 1,000 req/s.
 * Each notification is unique (its own groupKey), so nothing is deduplicated away.
 */
import autocannon from 'autocannon';
import { notification, startRedisServer } from '../test/support';
import { fmt, startRelayProcess } from './bench-support';

const CONFIG = `
receivers:
  - name: bench
    dingtalk_configs:
      - url: http://127.0.0.1:9/robot/send?access_token=bench-a
      - url: http://127.0.0.1:9/robot/send?access_token=bench-b
`;

async function load(url: string, alerts: number, opts: { duration: number; connections: number; overallRate?: number; path?: string }) {
  let n = 0;
  const template = notification({ receiver: 'bench', alertCount: alerts });
  const probe = opts.path !== undefined;
  const result = await autocannon({
    url: `${url}${opts.path ?? '/webhook'}`,
    method: probe ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    connections: opts.connections,
    duration: opts.duration,
    overallRate: opts.overallRate,
    requests: probe ? undefined : [{ setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ ...template, groupKey: `bench-${alerts}-${n++}` }) }) }],
  });
  const accepted = result['2xx'];
  return { rps: accepted / result.duration, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

export async function run(): Promise<void> {
  const redis = await startRedisServer();
  const ingest = await startRelayProcess('ingest', CONFIG, redis.url, '{bench-ingest}');
  try {
    await load(ingest.url, 1, { duration: 3, connections: 50 }); // warm up the JIT and Redis
    console.log('ingest: POST /webhook, 2 targets per notification, own Redis, ingest in its own process');
    for (const alerts of [1, 20]) {
      const r = await load(ingest.url, alerts, { duration: 10, connections: 100 });
      console.log(`  ${String(alerts).padStart(2)} alert(s), saturated: ${fmt(r.rps)} notifications/s (${fmt(r.rps * 2)} jobs/s), ack p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}${alerts === 1 ? ` — ${fmt(r.rps / 5000, 2)}x the 5,000/s target` : ''}`);
    }
    const paced = await load(ingest.url, 1, { duration: 10, connections: 20, overallRate: 1000 });
    console.log(`   1 alert, paced at 1,000 req/s: ack p50 ${paced.p50} ms, p99 ${paced.p99} ms — ${paced.p99 <= 25 ? 'within' : 'above'} the 25 ms p99 target`);
    // The load generator shares the two cores: this is the tail it adds to a request that does nothing.
    const floor = await load(ingest.url, 1, { duration: 10, connections: 20, overallRate: 1000, path: '/health/live' });
    console.log(`  floor, GET /health/live paced at 1,000 req/s: p50 ${floor.p50} ms, p99 ${floor.p99} ms (the harness's own tail on this machine)`);
  } finally {
    await ingest.stop();
    await redis.stop();
  }
}
