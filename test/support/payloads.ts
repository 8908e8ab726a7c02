import type { WebhookPayload } from '@relay/models';

/** An Alertmanager webhook v4 notification as Alertmanager 0.25+ sends it. */
export function notification(overrides: Partial<WebhookPayload> & { alertCount?: number } = {}): WebhookPayload {
  const { alertCount = 1, ...rest } = overrides;
  const status = rest.status ?? 'firing';
  const alerts = Array.from({ length: alertCount }, (_, i) => ({
    status,
    labels: { alertname: 'HighLatency', severity: 'critical', instance: `api-${i}:9090`, job: 'api' },
    annotations: { summary: `p99 latency above 2s on api-${i}`, description: '延迟过高，请检查 upstream' },
    startsAt: '2026-11-20T08:00:00.123456789Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-20T08:30:00Z',
    generatorURL: `http://prometheus:9090/graph?g0.expr=latency_${i}`,
    fingerprint: (0xabcdef0000 + i).toString(16).padStart(16, '0'),
  }));
  return {
    version: '4',
    groupKey: '{}/{severity="critical"}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    status,
    receiver: 'ops',
    groupLabels: { alertname: 'HighLatency' },
    commonLabels: { alertname: 'HighLatency', severity: 'critical', job: 'api' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
    ...rest,
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'Alertmanager/0.27.0', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * A job once it has completed or failed, read after it did: a copy fetched before the state check
 * could predate the move and lack its result, failedReason or attempt count.
 */
export async function settledJob<T = any>(queue: { getJobState(id: string): Promise<string>; getJob(id: string): Promise<T | undefined> }, jobId: string, timeoutMs = 20_000): Promise<T> {
  await eventually(async () => ['completed', 'failed'].includes(await queue.getJobState(jobId)), timeoutMs);
  return (await queue.getJob(jobId))!;
}
