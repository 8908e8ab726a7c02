import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspectConfigFile } from '@relay/channels';
import { buildDingtalkMessage } from '@relay/channels/dingtalk/dingtalk.message';
import type { DingtalkConfig } from '@relay/channels/dingtalk/dingtalk.config';
import type { WebhookPayload } from '@relay/models';
import { runtimeFor } from '@relay/runtime';
import { checkConfigCommand } from './check-config.command';
import { importCommand } from './import-dingtalk.command';

async function capture(run: (out: PassThrough, err: PassThrough) => Promise<number>) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (c) => (chunks.out += c));
  err.on('data', (c) => (chunks.err += c));
  const code = await run(out, err);
  return { code, ...chunks };
}

function toolDir(config: string, templates: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-pwd-'));
  writeFileSync(join(dir, 'config.yml'), config);
  for (const [name, text] of Object.entries(templates)) {
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'templates', name), text);
  }
  return dir;
}

const importFrom = (dir: string) => capture((out, err) => importCommand(['prometheus-webhook-dingtalk', join(dir, 'config.yml')], out, err, dir));

/** A deployment's config.yml: signing, both kinds of mention, its own template file and a default_message. */
const REALISTIC = `
timeout: 5s
templates:
  - templates/*.tmpl
default_message:
  title: '{{ template "ops.title" . }}'
  text: '{{ template "ops.text" . }}'
targets:
  ops:
    url: https://oapi.dingtalk.com/robot/send?access_token=ops-token
    secret: SEC0123456789abcdef0123456789abcdef
    mention:
      all: true
      mobiles: ['15600008827', '156xxxx8827']
  db:
    url: https://oapi.dingtalk.com/robot/send?access_token=db-token
    message:
      title: '{{ template "ding.link.title" . }}'
  legacy:
    url: https://oapi.dingtalk.com/robot/send?access_token=legacy-token
    message:
      title: '{{ template "legacy.title" . }}'
      text: '{{ template "legacy.content" . }}'
`;
const OPS_TMPL = `{{ define "ops.title" }}[{{ .Status | upper }}] {{ .CommonLabels.alertname }}{{ end }}
{{ define "ops.text" }}{{ range .Alerts }}- {{ .Annotations.summary | default "no summary" | markdown }} ({{ dateInZone "15:04" .StartsAt "Asia/Shanghai" }})
{{ end }}{{ range .AtMobiles }}@{{ . }} {{ end }}{{ end }}`;

const payload: WebhookPayload = {
  version: '4',
  groupKey: '{}:{alertname="Disk_Full"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'ops',
  groupLabels: { alertname: 'Disk_Full' },
  commonLabels: { alertname: 'Disk_Full', severity: 'critical' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: [
    { status: 'firing', labels: { alertname: 'Disk_Full', severity: 'critical', instance: 'db-1' }, annotations: { summary: '/var_log is 95% full' }, startsAt: '2026-12-01T02:02:11Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom/graph', fingerprint: 'a1' },
    { status: 'firing', labels: { alertname: 'Disk_Full', severity: 'critical', instance: 'db-2' }, annotations: {}, startsAt: '2026-12-01T02:03:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom/graph', fingerprint: 'a2' },
  ],
};

describe('alert-relay import prometheus-webhook-dingtalk', () => {
  it('prints a config that check-config accepts, one receiver per target, with secrets, mentions and templates', async () => {
    const dir = toolDir(REALISTIC, { 'ops.tmpl': OPS_TMPL });
    const result = await importFrom(dir);
    expect(result.code).toBe(0);
    expect(result.err).not.toContain('error:');

    const file = join(dir, 'relay.yml');
    writeFileSync(file, result.out);
    const check = await capture((out, err) => checkConfigCommand([file], out, err, {}));
    expect(check.err).toBe('');
    expect(check.out).toContain('SUCCESS');
    expect(check.out).toMatch(/ops\/dingtalk\/0 {2}dingtalk {2}send_resolved=true/);
    expect(check.out).toMatch(/db\/dingtalk\/0 {2}dingtalk/);
    expect(check.out).toMatch(/legacy\/dingtalk\/0 {2}dingtalk/);

    const runtime = await runtimeFor(inspectConfigFile(file, {}), {});
    const ops = runtime.config.receivers.get('ops')!.targets[0].config as DingtalkConfig;
    expect(ops).toMatchObject({
      url: 'https://oapi.dingtalk.com/robot/send?access_token=ops-token',
      secret: 'SEC0123456789abcdef0123456789abcdef',
      template_dialect: 'prometheus-webhook-dingtalk',
      title: '{{ template "ops.title" . }}',
      text: '{{ template "ops.text" . }}',
      mentions: { all: true, mobiles: ['15600008827'] },
    });
    // As in the tool, a message: with only a title takes the built-in text, not default_message's.
    const db = runtime.config.receivers.get('db')!.targets[0].config as DingtalkConfig;
    expect([db.title, db.text, db.secret, db.mentions]).toEqual(['{{ template "ding.link.title" . }}', '{{ template "ding.link.content" . }}', undefined, undefined]);

    // The imported templates render through the DingTalk channel's own build code.
    const message = buildDingtalkMessage(payload, ops, runtime.templates);
    expect(message).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '[FIRING] Disk_Full',
        text: '- /var\\_log is 95% full (10:02)\n- no summary (10:03)\n@15600008827 ',
      },
      at: { atMobiles: ['15600008827'], atUserIds: [], isAtAll: true },
    });
  });

  it('reports what has no counterpart, and the Alertmanager URL of each target, on stderr', async () => {
    const result = await importFrom(toolDir(REALISTIC, { 'ops.tmpl': OPS_TMPL }));
    expect(result.err).toContain('warning: timeout (5s) not carried over');
    expect(result.err).toContain('warning: targets.ops.mention.mobiles[1]: "156xxxx8827" left out: not a phone number');
    expect(result.err).toContain('http://<prometheus-webhook-dingtalk>:8060/dingtalk/ops/send  ->  http://<alert-relay>:8080/webhook/ops');
    expect(result.err).toContain('/dingtalk/legacy/send  ->  http://<alert-relay>:8080/webhook/legacy');
    // …and names them in the config too
    expect(result.out).toContain('# timeout (5s) not carried over');
    expect(result.out).toContain('# was POST /dingtalk/db/send; Alertmanager\'s webhook url is now http://<alert-relay>:8080/webhook/db');
  });

  it('exits 1 naming each field the relay would refuse, and still prints the rest', async () => {
    const dir = toolDir(
      `targets:
  no_url:
    secret: SECx
  proxy:
    url: http://dingtalk-proxy:8080/send
  bad_fn:
    url: https://oapi.dingtalk.com/robot/send?access_token=t
    mention: { mobiles: ['13800000000'], user_ids: ['x'] }
    message:
      text: '{{ env "HOME" }}'
extra: 1
`,
    );
    const result = await importFrom(dir);
    expect(result.code).toBe(1);
    const errors = result.err.split('\n').filter((l) => l.includes('error:'));
    expect(errors).toEqual([
      expect.stringContaining('error: extra: not a prometheus-webhook-dingtalk setting'),
      expect.stringContaining('error: targets.no_url.url: required'),
      expect.stringContaining("error: targets.proxy.url: the relay needs the robot's access_token query parameter"),
      expect.stringMatching(/error: targets\.bad_fn\.message\.text: .*function "env" not defined \(a sprig function alert-relay does not provide: it would put the relay's environment \(its secrets\) into messages/),
      expect.stringContaining('error: targets.bad_fn.mention.user_ids: not a mention setting'),
    ]);
    expect(result.out).toContain('name: bad_fn');
  });

  it('reports a template file that does not parse, naming the file', async () => {
    const dir = toolDir('templates: [templates/x.tmpl]\ntargets:\n  a:\n    url: https://oapi.dingtalk.com/robot/send?access_token=t\n', { 'x.tmpl': '{{ define "x" }}{{ uuidv4 }}{{ end }}' });
    const result = await importFrom(dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/error: templates: .*x\.tmpl.*function "uuidv4" not defined \(a sprig function alert-relay does not provide; see the README's list\)/);
  });

  it("imports the tool's own config.example.yml into a config check-config accepts", async () => {
    const example = join(__dirname, '../../../test/fixtures/prometheus-webhook-dingtalk/config.example.yml');
    const result = await capture((out, err) => importCommand(['prometheus-webhook-dingtalk', example], out, err));
    expect(result.code).toBe(0);
    // its placeholder mobiles ('156xxxx8827') are no phone numbers: reported, and left out
    expect(result.err).toContain('targets.webhook_mention_users.mention.mobiles[0]: "156xxxx8827" left out');
    const file = join(mkdtempSync(join(tmpdir(), 'import-pwd-')), 'relay.yml');
    writeFileSync(file, result.out);
    const check = await capture((out, err) => checkConfigCommand([file], out, err, {}));
    expect([check.code, check.err]).toEqual([0, '']);
    for (const name of ['webhook1', 'webhook2', 'webhook_legacy', 'webhook_mention_all', 'webhook_mention_users']) expect(check.out).toContain(`${name}/dingtalk/0`);
  });

  it('refuses a tool it does not know and an unreadable file', async () => {
    const usage = await capture((out, err) => importCommand(['alertmanager-dingtalk', 'x.yml'], out, err));
    expect([usage.code, usage.err]).toEqual([2, 'usage: alert-relay import prometheus-webhook-dingtalk CONFIG.yml\n']);
    const missing = await capture((out, err) => importCommand(['prometheus-webhook-dingtalk', '/nonexistent/config.yml'], out, err));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^\/nonexistent\/config\.yml: ENOENT/);
  });
});
