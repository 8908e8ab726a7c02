import { parseConfig } from './load-config';
import { parseDuration, parseSize } from './units';
import { configErrorsOf as errorsOf } from '@relay/testing';


const DT = 'https://oapi.dingtalk.com/robot/send?access_token=abc';

describe('parseConfig', () => {
  it('names targets, applies defaults and expands ${VAR}', () => {
    const config = parseConfig(
      `
global: { timezone: Asia/Shanghai }
ingest: { auth: { bearer_token: \${TOKEN} } }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${DT}
        secret: \${DT_SECRET}
      - url: ${DT}
        name: ops-backup
        send_resolved: false
        rate_limit: { max: 5, per: 30s }
`,
      { env: { TOKEN: 't0k', DT_SECRET: 'SECabc' } },
    );
    expect(config.ingest).toEqual({ bearerToken: 't0k', basicAuth: undefined, dedupWindowMs: 300000, bodyLimitBytes: 1048576 });
    expect(config.global.timezone).toBe('Asia/Shanghai');
    const [first, second] = config.receiver('ops')!.targets;
    expect(first).toMatchObject({ name: 'ops/dingtalk/0', channel: 'dingtalk', sendResolved: true, rateLimit: { max: 20, perMs: 60000, penaltyMs: 600000 } });
    expect(first.config).toMatchObject({ secret: 'SECabc', msgtype: 'markdown', title: '{{ template "dingtalk.default.title" . }}' });
    expect(second).toMatchObject({ name: 'ops-backup', sendResolved: false, rateLimit: { max: 5, perMs: 30000, penaltyMs: 600000 } });
    expect(config.target('ops-backup')).toBe(second);
  });

  it('lists every error with its path and reason', () => {
    expect(
      errorsOf(`
global: { timezone: Mars/Olympus }
ingest: { dedup_window: soon }
receivers:
  - name: ops
    dingtalk_configs:
      - url: not-a-url
        msgtype: voice
  - name: db
    pagerduty_configs: [{ routing_key: x }]
    dingtalk_configs:
      - url: ${DT}
        bogus: 1
`),
    ).toEqual([
      'relay.yml: global.timezone: must be an IANA time zone such as UTC or Asia/Shanghai',
      'relay.yml: ingest.dedup_window: must be a duration such as 30s, 5m or 1h30m',
      'relay.yml: receivers[0].dingtalk_configs[0].url: must carry the robot access_token query parameter',
      'relay.yml: receivers[0].dingtalk_configs[0].url: must be an http(s) URL',
      'relay.yml: receivers[0].dingtalk_configs[0].msgtype: must be one of markdown, text, link, actionCard',
      'relay.yml: receivers[1].pagerduty_configs: pagerduty_configs is not a channel alert-relay delivers to (it has dingtalk_configs, wechat_configs, wecom_robot_configs, slack_configs, email_configs)',
      'relay.yml: receivers[1].dingtalk_configs[0].bogus: is not a known field',
    ]);
  });

  it('refuses an unset environment variable rather than using an empty secret', () => {
    expect(errorsOf(`receivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', secret: '\${NOPE}' }] }]`)).toEqual([
      'relay.yml: receivers[0].dingtalk_configs[0].secret: environment variable NOPE is not set',
    ]);
  });

  it('uses ${VAR:-fallback} when VAR is unset or empty', () => {
    const yaml = `ingest: { auth: { bearer_token: '\${TOKEN:-dev-token}' } }\nreceivers: []`;
    expect(parseConfig(yaml, { env: {} }).ingest.bearerToken).toBe('dev-token');
    expect(parseConfig(yaml, { env: { TOKEN: '' } }).ingest.bearerToken).toBe('dev-token');
    expect(parseConfig(yaml, { env: { TOKEN: 'real' } }).ingest.bearerToken).toBe('real');
  });

  it('refuses duplicate receiver and target names', () => {
    expect(
      errorsOf(`
receivers:
  - { name: a, dingtalk_configs: [{ url: '${DT}', name: x }, { url: '${DT}', name: x }] }
  - { name: a }
`),
    ).toEqual([
      'relay.yml: receivers[0].dingtalk_configs[1].name: target name "x" is already used by receivers[0].dingtalk_configs[0]',
      'relay.yml: receivers[1].name: "a" is already the name of receivers[0]',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorsOf('receivers: [\n  - name: a\n')).toEqual([expect.stringMatching(/^relay\.yml: line \d+, column \d+: \S/)]);
  });

  it('requires receivers', () => {
    expect(errorsOf('global: {}')).toEqual(['relay.yml: receivers: must be a list']);
  });
});

describe('units', () => {
  it.each([
    ['5m', 300000],
    ['1h30m', 5400000],
    ['250ms', 250],
    ['1d', 86400000],
    ['0', 0],
    ['5x', undefined],
    ['', undefined],
  ])('parseDuration(%p) = %p', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('parses sizes', () => {
    expect(parseSize('1MiB')).toBe(1048576);
    expect(parseSize('512KiB')).toBe(524288);
    expect(parseSize(1000)).toBe(1000);
    expect(parseSize('lots')).toBeUndefined();
  });
});
