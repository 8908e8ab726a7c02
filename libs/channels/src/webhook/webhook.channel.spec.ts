import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RelayConfig, ResolvedTarget } from '@relay/config';
import type { ChannelSender, SendContext } from '@relay/delivery';
import { failureOf, notification } from '@relay/testing';
import { FakeWebhook } from '../../../../test/fakes/webhook.fake';
import { parseConfig } from '../channels';
import { WEBHOOK_CHANNEL } from './webhook.channel';
import type { WebhookConfig } from './webhook.config';
import { buildWebhookMessage, WebhookMessage } from './webhook.message';

/** The body Alertmanager's notifier would encode for `n` (webhook.go Message, Go's field order). */
function alertmanagerBody(n: ReturnType<typeof notification>, extra: Record<string, unknown> = {}) {
  const { receiver, status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL, groupKey, truncatedAlerts } = { ...n, ...extra } as any;
  return { receiver, status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL, version: '4', groupKey, truncatedAlerts };
}

describe('webhook sender, against a webhook receiver', () => {
  let fake: FakeWebhook;
  let sender: ChannelSender<WebhookConfig, WebhookMessage>;
  const dir = mkdtempSync(join(tmpdir(), 'webhook-sender-'));

  beforeAll(async () => {
    fake = await FakeWebhook.start();
    sender = WEBHOOK_CHANNEL.createSender({ requestTimeoutMs: 2_000 } as any);
  });
  afterAll(async () => {
    await sender.close?.();
    await fake.close();
  });

  function configured(block: string): { target: ResolvedTarget<WebhookConfig>; relay: RelayConfig } {
    const relay = parseConfig(`receivers:\n  - name: ops\n    webhook_configs:\n      - ${block}\n`, { file: join(dir, 'relay.yml'), baseDir: dir });
    return { target: relay.targetsOf<WebhookConfig>('webhook')[0], relay };
  }

  async function send(block: string, n = notification()) {
    const { target, relay } = configured(block);
    const message = WEBHOOK_CHANNEL.build(n, target, { relay } as any);
    return sender.post(message, target, { relay } as SendContext);
  }

  it("posts Alertmanager's own v4 body, in Go's field order, as application/json with a Name/version User-Agent", async () => {
    const url = fake.receiver('/plain');
    const n = { ...notification({ alertCount: 2 }), notification_reason: 'new_alerts', routeLabels: { team: 'ops' } } as any;
    expect(await send(`{ url: '${url}' }`, n)).toEqual({ status: 200 });
    const [request] = fake.receivedAt('/plain');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^alert-relay\/\d+\.\d+\.\d+/);
    expect(request.body).toEqual({ ...alertmanagerBody(n), notification_reason: 'new_alerts', routeLabels: { team: 'ops' } });
    expect(Object.keys(request.body)).toEqual(['receiver', 'status', 'alerts', 'notification_reason', 'groupLabels', 'commonLabels', 'commonAnnotations', 'routeLabels', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
  });

  it('truncates to max_alerts as Alertmanager does: truncatedAlerts counts the rest, common labels are those of the alerts sent', async () => {
    const url = fake.receiver('/truncated');
    const n = notification({ alertCount: 3, truncatedAlerts: 1 });
    n.alerts[0].labels.zone = 'a';
    n.alerts[1].labels.zone = 'a';
    n.alerts[2].labels.zone = 'b';
    await send(`{ url: '${url}', max_alerts: 2 }`, n);
    const [body] = fake.bodiesTo('/truncated');
    expect(body.alerts).toEqual(n.alerts.slice(0, 2));
    expect(body.truncatedAlerts).toBe(2);
    expect(body.commonLabels).toEqual({ alertname: 'HighLatency', severity: 'critical', job: 'api', zone: 'a' });
    // Fewer alerts than max_alerts: the body is the notification unchanged.
    expect(buildWebhookMessage(n, 5, true)).toEqual(alertmanagerBody(n));
  });

  it('leaves resolved alerts out for a send_resolved: false target, as Alertmanager does', () => {
    const n = notification({ alertCount: 2 });
    n.alerts[1] = { ...n.alerts[1], status: 'resolved', endsAt: '2026-11-20T08:30:00Z' };
    const body = buildWebhookMessage(n, 0, false);
    expect(body.alerts).toEqual([n.alerts[0]]);
    expect(body.status).toBe('firing');
    expect(body.truncatedAlerts).toBe(0);
    expect(body.commonLabels).toEqual(n.alerts[0].labels);
  });

  it('sends basic auth (password from a file), bearer tokens, authorization types and http_headers', async () => {
    writeFileSync(join(dir, 'pw.txt'), 'file-password\n');
    writeFileSync(join(dir, 'token.txt'), 'file-token\n');
    writeFileSync(join(dir, 'header.txt'), 'from-a-file\n');
    const basic = fake.receiver('/basic', { auth: { basic: { username: 'relay', password: 'file-password' } } });
    const bearer = fake.receiver('/bearer', { auth: { bearer: 'file-token' } });
    const token = fake.receiver('/token');
    const headers = fake.receiver('/headers', { requiredHeaders: { 'x-scope': 'ops, shared-secret, from-a-file' } });
    await send(`{ url: '${basic}', http_config: { basic_auth: { username: relay, password_file: pw.txt } } }`);
    await send(`{ url: '${bearer}', http_config: { bearer_token_file: token.txt } }`);
    await send(`{ url: '${token}', http_config: { authorization: { type: Token, credentials: tok-123 } } }`);
    await send(`{ url: '${headers}', http_config: { http_headers: { X-Scope: { values: [ops], secrets: [shared-secret], files: [header.txt] } } } }`);
    expect(fake.receivedAt('/basic').map((r) => r.status)).toEqual([200]);
    expect(fake.receivedAt('/bearer').map((r) => r.status)).toEqual([200]);
    expect(fake.receivedAt('/token')[0].headers.authorization).toBe('Token tok-123');
    expect(fake.receivedAt('/headers').map((r) => r.status)).toEqual([200]);
  });

  it('waits out a 429 Retry-After without spending an attempt, retries 5xx, fails other 4xx at once with the start of the answer', async () => {
    const url = fake.receiver('/answers');
    fake.failNext(429, { retryAfter: 7, path: '/answers' });
    const before = Date.now();
    const throttled = await failureOf(send(`{ url: '${url}' }`));
    expect(throttled).toMatchObject({ kind: 'rate_limited', reason: 'http_429' });
    expect(throttled.retryAt! - before).toBeGreaterThanOrEqual(6_900);
    expect(throttled.retryAt! - Date.now()).toBeLessThanOrEqual(7_100);

    fake.failNext(503, { path: '/answers', body: 'upstream down' });
    expect(await failureOf(send(`{ url: '${url}' }`))).toMatchObject({ kind: 'transient', reason: 'http_503', answered: false });

    fake.failNext(422, { path: '/answers', body: { error: 'alerts must not be empty', detail: 'x'.repeat(500) } });
    const refused = await failureOf(send(`{ url: '${url}' }`));
    expect(refused).toMatchObject({ kind: 'permanent', reason: 'http_422' });
    expect(refused.message).toMatch(/^webhook answered HTTP 422: \{"error":"alerts must not be empty"/);
    expect(refused.message.length).toBeLessThan(260);

    expect(await send(`{ url: '${url}' }`)).toEqual({ status: 200 });
  });

  it('keeps the URL and credentials out of failures, even when the receiver echoes them', async () => {
    const url = fake.receiver('/hook/s3cr3t-path');
    fake.failNext(403, { path: '/hook/s3cr3t-path', body: `denied /hook/s3cr3t-path?key=qs-secret for Bearer bearer-secret` });
    const failure = await failureOf(send(`{ url: '${url}?key=qs-secret', http_config: { bearer_token: bearer-secret } }`));
    expect(failure.message).toContain('denied');
    for (const secret of ['s3cr3t-path', 'qs-secret', 'bearer-secret']) expect(failure.message).not.toContain(secret);
  });

  it('gives up on a slow receiver after timeout, as a transient failure', async () => {
    // Shorter than the relay's own 2 s here; undici checks its timers about twice a second.
    const url = fake.receiver('/slow', { delayMs: 1_800 });
    const started = Date.now();
    expect(await failureOf(send(`{ url: '${url}', timeout: 300ms }`))).toMatchObject({ kind: 'transient', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reads url_file at each send, relative to the config file', async () => {
    writeFileSync(join(dir, 'url.txt'), `${fake.receiver('/first')}\n`);
    const block = `{ url_file: url.txt }`;
    await send(block);
    writeFileSync(join(dir, 'url.txt'), fake.receiver('/second'));
    await send(block);
    expect(fake.receivedAt('/first')).toHaveLength(1);
    expect(fake.receivedAt('/second')).toHaveLength(1);
    writeFileSync(join(dir, 'url.txt'), 'not a url');
    expect(await failureOf(send(block))).toMatchObject({ kind: 'transient', reason: 'secret_file_invalid' });
    expect(await failureOf(send(`{ url_file: missing.txt }`))).toMatchObject({ kind: 'transient', reason: 'secret_file_unreadable' });
  });

  describe('over TLS', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=hooks.internal', '-addext', 'subjectAltName=DNS:hooks.internal', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.pem')], { stdio: 'ignore' });
      const { readFileSync } = await import('node:fs');
      server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.pem')) }, (_, res) => res.end('ok'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/tls`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('trusts tls_config.ca_file and checks the certificate against server_name', async () => {
      expect(await send(`{ url: '${url}', http_config: { tls_config: { ca_file: ca.pem, server_name: hooks.internal } } }`)).toEqual({ status: 200 });
      expect(await failureOf(send(`{ url: '${url}', http_config: { tls_config: { server_name: hooks.internal } } }`))).toMatchObject({ kind: 'transient' });
      expect(await send(`{ url: '${url}', http_config: { tls_config: { insecure_skip_verify: true } } }`)).toEqual({ status: 200 });
    });
  });
});
