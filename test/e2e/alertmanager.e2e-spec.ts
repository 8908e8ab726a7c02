import { workerModules } from '@relay/runtime';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { eventually, freePort, InProcessRelay, startRelay } from '@relay/testing';

const run = promisify(execFile);
const ALERTMANAGER = 'prometheus-alertmanager';
const SECRET = 'SECalertmanager-e2e-secret';

/**
 * The real thing end to end: Debian's Alertmanager, fed by amtool, posts to ingest with bearer
 * auth as its webhook_configs say; the DingTalk worker delivers signed messages to the fake robot.
 */
describe('Debian prometheus-alertmanager → alert-relay → DingTalk', () => {
  let fake: FakeDingtalk;
  let relay: InProcessRelay;
  let alertmanager: ChildProcess;
  let amUrl: string;

  beforeAll(async () => {
    fake = await FakeDingtalk.start();
    const robot = fake.robot('amrobot', { secret: SECRET });
    relay = await startRelay({
      features: [IngestModule, ...workerModules(['dingtalk'])],
      yaml: `
ingest: { auth: { bearer_token: am-to-relay-token } }
receivers:
  - name: ops.team
    dingtalk_configs:
      - url: ${robot}
        secret: ${SECRET}
`,
    });

    const dir = mkdtempSync(join(tmpdir(), 'alert-relay-am-'));
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      `
route:
  receiver: ops.team
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: ops.team
    webhook_configs:
      - url: ${relay.url}/webhook
        send_resolved: true
        http_config:
          authorization: { type: Bearer, credentials: am-to-relay-token }
`,
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      ALERTMANAGER,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
      { stdio: 'ignore' },
    );
    await eventually(async () => (await fetch(`${amUrl}/-/ready`)).ok, 20_000, 200);
  }, 40_000);

  afterAll(async () => {
    alertmanager?.kill('SIGTERM');
    await relay?.close();
    await fake?.close();
  });

  it('delivers the firing and then the resolved notification, signed', async () => {
    await run('amtool', ['alert', 'add', 'alertname=DiskFull', 'severity=critical', 'instance=db-1', '--annotation=summary=Disk 95% full on db-1', `--alertmanager.url=${amUrl}`]);
    const firing = await eventually(() => fake.messagesTo('amrobot').find((m) => m.markdown.title.includes('FIRING')), 20_000, 100);
    expect(firing.markdown.text).toContain('DiskFull');
    expect(firing.markdown.text).toContain('Disk 95% full on db-1');

    const ended = new Date(Date.now() - 1_000).toISOString();
    await run('amtool', ['alert', 'add', 'alertname=DiskFull', 'severity=critical', 'instance=db-1', '--annotation=summary=Disk 95% full on db-1', `--end=${ended}`, `--alertmanager.url=${amUrl}`]);
    const resolved = await eventually(() => fake.messagesTo('amrobot').find((m) => m.markdown.title.includes('RESOLVED')), 20_000, 100);
    expect(resolved.markdown.text).toContain('DiskFull');

    const signedRequests = fake.requests.filter((r) => r.url.includes('amrobot'));
    expect(signedRequests.every((r) => /&timestamp=\d{13}&sign=[^&]+/.test(r.url))).toBe(true);
    expect(fake.messagesTo('amrobot')).toHaveLength(2);
  }, 60_000);
});
