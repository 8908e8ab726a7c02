import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAppToExit } from '@relay/testing';

/** Nothing starts half-configured: a bad config or setting stops the process with the reason. */
describe('start-up refuses what cannot work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'startup-'));

  it('names the file, the path inside it and the reason of every config error', async () => {
    const file = join(dir, 'relay.yml');
    writeFileSync(
      file,
      `receivers:
  - name: ops
    dingtalk_configs:
      - url: not-a-url
    pagerduty_configs: [{ routing_key: x }]
  - name: team
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=t
        title: '{{ .CommonLabels.alertname }'
  - name: team
`,
    );
    const { code, output } = await runAppToExit('ingest', { RELAY_CONFIG: file });
    expect(code).toBe(1);
    // One run names every problem, the template's and the duplicate's beside the fields'.
    expect(output).toMatch(/relay\.yml: receivers\[1\]\.dingtalk_configs\[0\]\.title: template: .*unexpected/);
    expect(output).toMatch(/relay\.yml: receivers\[2\]\.name: .*team/);
    expect(output).toContain('relay.yml: receivers[0].dingtalk_configs[0].url: must be an http(s) URL');
    expect(output).toContain('relay.yml: receivers[0].pagerduty_configs: pagerduty_configs is not a channel alert-relay delivers to');
    expect(output).not.toContain('listening');
  });

  it('names a config file that is not there', async () => {
    const { code, output } = await runAppToExit('dingtalk-worker', { RELAY_CONFIG: join(dir, 'missing.yml') });
    expect(code).toBe(1);
    expect(output).toContain(`${join(dir, 'missing.yml')}: cannot read the config file`);
  });

  it('refuses an unknown LOG_LEVEL', async () => {
    const { code, output } = await runAppToExit('ingest', { RELAY_CONFIG: join(dir, 'missing.yml'), LOG_LEVEL: 'verbose' });
    expect(code).toBe(1);
    expect(output).toContain('LOG_LEVEL must be one of error, warn, info, debug (got "verbose")');
  });
});
