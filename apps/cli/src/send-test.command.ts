import { parseArgs } from 'node:util';
import { ConfigError, configFileFrom } from '@relay/config';
import { loadConfigFile } from '@relay/channels';
import { existsSync } from 'node:fs';

/**
 * `alert-relay send-test RECEIVER [--url http://ingest:8080]`: posts a synthetic firing
 * notification for RECEIVER to a running ingest, with the ingest credentials from the config
 * (RELAY_CONFIG, or --config) when it has some, and prints ingest's answer.
 */
export async function sendTestCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string', default: `http://127.0.0.1:${env.PORT || 8080}` }, config: { type: 'string' } },
  });
  const receiver = positionals[0];
  if (!receiver) {
    err.write('usage: alert-relay send-test RECEIVER [--url http://ingest:8080] [--config FILE]\n');
    return 2;
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'alert-relay-send-test' };
  const file = values.config ?? configFileFrom(env);
  if (existsSync(file)) {
    try {
      const { ingest } = loadConfigFile(file, env);
      if (ingest.bearerToken) headers.Authorization = `Bearer ${ingest.bearerToken}`;
      else if (ingest.basicAuth) headers.Authorization = `Basic ${Buffer.from(`${ingest.basicAuth.username}:${ingest.basicAuth.password}`).toString('base64')}`;
    } catch (e) {
      err.write(e instanceof ConfigError ? `${e.message}\n` : `${(e as Error).message}\n`);
      return 1;
    }
  }
  const now = new Date().toISOString();
  const body = {
    version: '4',
    groupKey: `{}:{alertname="AlertRelayTest"}:${now}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver,
    groupLabels: { alertname: 'AlertRelayTest' },
    commonLabels: { alertname: 'AlertRelayTest', severity: 'info' },
    commonAnnotations: { summary: 'Test notification from alert-relay send-test' },
    externalURL: values.url,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'AlertRelayTest', severity: 'info', instance: 'alert-relay' },
        annotations: { summary: 'Test notification from alert-relay send-test', description: 'If you can read this, the receiver works.' },
        startsAt: now,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: Date.now().toString(16).padStart(16, '0').slice(-16),
      },
    ],
  };
  let response: Response;
  try {
    response = await fetch(`${values.url!.replace(/\/$/, '')}/webhook/${encodeURIComponent(receiver)}`, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (e) {
    err.write(`cannot reach ingest at ${values.url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}\n`);
    return 1;
  }
  const text = await response.text();
  (response.ok ? out : err).write(`${response.status} ${text}\n`);
  return response.ok ? 0 : 1;
}
