import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DEFAULT_CONFIG_FILE } from '@relay/config';
import { checkConfigCommand } from './check-config.command';

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'check-config-')), 'relay.yml');
  writeFileSync(file, yaml);
  return file;
}

async function check(file: string | undefined, env: NodeJS.ProcessEnv) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (c) => (chunks.out += c));
  err.on('data', (c) => (chunks.err += c));
  const code = await checkConfigCommand(file === undefined ? [] : [file], out, err, env);
  return { code, ...chunks };
}

describe('alert-relay check-config', () => {
  it('accepts the shipped example config and lists each receiver with its targets', async () => {
    const env = { INGEST_TOKEN: 't', DASHBOARD_PASSWORD: 'p', DINGTALK_TOKEN: 'abc', DINGTALK_SECRET: 'SECx' };
    const result = await check(join(__dirname, '../../../config/relay.example.yml'), env);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('SUCCESS');
    expect(result.out).toContain('ops/dingtalk/0  dingtalk  send_resolved=true  rate_limit=20/60s');
  });

  it('lists every error with its path and exits 1, template parse errors included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-config-'));
    const file = join(dir, 'relay.yml');
    writeFileSync(
      file,
      `receivers:
  - name: ops
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=a
        title: '{{ .CommonLabels.alertname '
      - url: https://oapi.dingtalk.com/robot/send?access_token=b
        text: '{{ if .Status }}no end'
`,
    );
    const result = await check(file, {});
    expect(result.code).toBe(1);
    expect(result.err).toContain(`Checking '${file}'  FAILED`);
    expect(result.err).toMatch(/relay\.yml: receivers\[0\]\.dingtalk_configs\[0\]\.title: template: /);
    expect(result.err).toMatch(/relay\.yml: receivers\[0\]\.dingtalk_configs\[1\]\.text: template: /);
  });

  it('lists field errors, duplicate names and template errors of other receivers in one run', async () => {
    const file = configFile(`receivers:
  - name: ops
    dingtalk_configs:
      - url: not-a-url
  - name: ops
  - name: db
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=a
        title: '{{ .CommonLabels.alertname '
`);
    const result = await check(file, {});
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual([
      `Checking '${file}'  FAILED:`,
      'relay.yml: receivers[0].dingtalk_configs[0].url: must carry the robot access_token query parameter',
      'relay.yml: receivers[0].dingtalk_configs[0].url: must be an http(s) URL',
      'relay.yml: receivers[1].name: "ops" is already the name of receivers[0]',
      expect.stringMatching(/^relay\.yml: receivers\[2\]\.dingtalk_configs\[0\]\.title: template: /),
    ]);
  });

  it('accepts blocks with nothing under them as absent', async () => {
    const file = configFile('global:\ningest:\ndashboard:\ntemplates:\nreceivers:\n  - name: ops\n    dingtalk_configs:\n');
    const result = await check(file, {});
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('ops\n  (no targets: notifications are accepted and dropped)');
  });

  it('reads an empty RELAY_CONFIG as unset, as start-up does', async () => {
    const result = await check(undefined, { RELAY_CONFIG: '' });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`Checking '${DEFAULT_CONFIG_FILE}'  FAILED`);
    expect(result.err).toContain(`${DEFAULT_CONFIG_FILE}: cannot read the config file`);
  });

  it('names a missing file', async () => {
    const result = await check('/nonexistent/relay.yml', {});
    expect(result.code).toBe(1);
    expect(result.err).toContain('/nonexistent/relay.yml: cannot read the config file');
  });
});
