/**
 * End to end: POST to ingest until the fake DingTalk robot has the message, through Redis and the
 * worker, in the single-process relay with rate limits lifted. Target (issue 3): p50 <= 50 ms.
 */
import { FakeDingtalk } from '../test/fakes/dingtalk.fake';
import { notification, postJson, startRedisServer } from '../test/support';
import { fmt, median, percentile, startRelayProcess } from './bench-support';

export async function run(): Promise<void> {
  const redis = await startRedisServer();
  const fake = await FakeDingtalk.start();
  const robot = fake.robot('bench', { max: 1_000_000, secret: 'SECbench' });
  const relay = await startRelayProcess(
    'relay',
    `
receivers:
  - name: bench
    dingtalk_configs:
      - url: ${robot}
        secret: SECbench
        rate_limit: { max: 1000000, per: 1s }
`,
    redis.url,
    '{bench-e2e}',
  );
  try {
    const latencies: number[] = [];
    const samples = 300;
    for (let i = 0; i < samples + 20; i++) {
      const before = fake.delivered.length;
      const started = performance.now();
      const res = await postJson(`${relay.url}/webhook`, notification({ receiver: 'bench', groupKey: `e2e-${i}`, alertCount: 5 }));
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
      while (fake.delivered.length === before) await new Promise((r) => setImmediate(r));
      if (i >= 20) latencies.push(performance.now() - started); // the first 20 warm up
    }
    const p50 = median(latencies);
    console.log(`delivery: POST /webhook → signed markdown at the fake DingTalk, 5 alerts, single-process relay, ${samples} sequential notifications`);
    console.log(`  latency p50 ${fmt(p50, 1)} ms, p90 ${fmt(percentile(latencies, 90), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms — ${fmt(50 / p50, 2)}x under the 50 ms p50 target`);
  } finally {
    await relay.stop();
    await fake.close();
    await redis.stop();
  }
}
