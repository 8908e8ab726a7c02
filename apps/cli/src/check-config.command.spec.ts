import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checkConfigCommand } from './check-config.command';

async function check(file: string, env: NodeJS.ProcessEnv) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (c) => (chunks.out += c));
  err.on('data', (c) => (chunks.err += c));
  const code = await checkConfigCommand([file], out, err, env);
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

  it('names a missing file', async () => {
    const result = await check('/nonexistent/relay.yml', {});
    expect(result.code).toBe(1);
    expect(result.err).toContain('/nonexistent/relay.yml: cannot read the config file');
  });
});
