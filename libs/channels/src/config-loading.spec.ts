import { parseDuration, parseSize } from '@relay/config';
import { parseConfig } from './channels';
import type { DingtalkConfig } from './dingtalk/dingtalk.config';
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
    expect(config.ingest).toEqual({ bearerToken: 't0k', basicAuth: undefined, dedupWindowMs: 300000, bodyLimitBytes: 1048576, maxAlerts: 10000 });
    expect(config.global.timezone).toBe('Asia/Shanghai');
    const [first, second] = config.receiver('ops')!.targets;
    expect(first).toMatchObject({ name: 'ops/dingtalk/0', channel: 'dingtalk', sendResolved: true, rateLimit: { max: 20, perMs: 60000, penaltyMs: 600000 } });
    expect(first.config).toMatchObject({ secret: 'SECabc', msgtype: 'markdown', title: '{{ template "dingtalk.default.title" . }}' });
    expect(second).toMatchObject({ name: 'ops-backup', sendResolved: false, rateLimit: { max: 5, perMs: 30000, penaltyMs: 600000 } });
    expect(config.target('ops-backup')).toBe(second);
  });

  it.each(['UTC', 'Asia/Shanghai', 'Asia/Calcutta', 'US/Eastern', 'Etc/GMT+8'])('takes %s as global.timezone, canonical name or alias, as Go does', (zone) => {
    expect(parseConfig(`global: { timezone: ${zone} }\nreceivers: []\n`, { env: {} }).global.timezone).toBe(zone);
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
      'relay.yml: receivers[1].pagerduty_configs: pagerduty_configs is not a channel alert-relay delivers to (it has dingtalk_configs, wechat_configs, wecom_robot_configs, slack_configs, email_configs, feishu_configs, webhook_configs)',
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

  it('says only "must be a list" for receivers that are not one', () => {
    expect(errorsOf('receivers: 5')).toEqual(['relay.yml: receivers: must be a list']);
  });
});

describe('parseConfig: digests and retries by age', () => {
  it('digests by default, retries for 6h capped at 5m, each settable in global and per target', () => {
    const config = parseConfig(`
global: { max_delivery_age: 2h, max_retry_interval: 1m }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${DT}
      - url: ${DT}
        digest: false
        max_delivery_age: 30m
        max_retry_interval: 10s
`);
    const [first, second] = config.receiver('ops')!.targets;
    expect(first).toMatchObject({ digest: true, maxDeliveryAgeMs: 7_200_000, maxRetryIntervalMs: 60_000 });
    expect(second).toMatchObject({ digest: false, maxDeliveryAgeMs: 1_800_000, maxRetryIntervalMs: 10_000 });
    const defaults = parseConfig(`receivers: [{ name: ops, dingtalk_configs: [{ url: '${DT}' }] }]`).receiver('ops')!.targets[0];
    expect(defaults).toMatchObject({ digest: true, maxDeliveryAgeMs: 6 * 3_600_000, maxRetryIntervalMs: 300_000 });
  });

  it('names a bad digest, age or interval with its path', () => {
    expect(errorsOf(`
global: { max_delivery_age: forever }
receivers:
  - name: ops
    slack_configs:
      - api_url: https://hooks.slack.com/services/x
        digest: sometimes
        max_retry_interval: 0s
`)).toEqual([
      'relay.yml: global.max_delivery_age: must be a positive duration such as 30s, 5m or 1h30m',
      'relay.yml: receivers[0].slack_configs[0].digest: must be a boolean value',
      'relay.yml: receivers[0].slack_configs[0].max_retry_interval: must be a positive duration such as 30s, 5m or 1h30m',
    ]);
  });
});

describe('parseConfig: empty blocks', () => {
  it('reads a top-level block with nothing under it as absent, so its defaults apply', () => {
    const config = parseConfig('global:\ningest:\ndashboard:\ntemplates:\nreceivers:\n  - name: ops\n    dingtalk_configs:\n');
    expect(config.global.timezone).toBe('UTC');
    expect(config.ingest).toEqual({ bearerToken: undefined, basicAuth: undefined, dedupWindowMs: 300000, bodyLimitBytes: 1048576, maxAlerts: 10000 });
    expect(config.dashboard.basic_auth).toBeUndefined();
    expect(config.templateGlobs).toEqual([]);
    expect(config.receiver('ops')!.targets).toEqual([]);
  });

  it('reads an empty nested mapping or field as absent', () => {
    const config = parseConfig(`
ingest:
  auth:
  dedup_window:
dashboard:
  basic_auth:
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${DT}
        msgtype:
        rate_limit:
        mentions:
`);
    expect(config.ingest).toMatchObject({ bearerToken: undefined, basicAuth: undefined, dedupWindowMs: 300000 });
    expect(config.dashboard.basic_auth).toBeUndefined();
    const [target] = config.receiver('ops')!.targets;
    expect(target.rateLimit).toEqual({ max: 20, perMs: 60000, penaltyMs: 600000 });
    expect(target.config).toMatchObject({ msgtype: 'markdown', mentions: undefined });
  });

  it('reads an unquoted dedup_window: 0 (a YAML number) as no deduplication, as Alertmanager reads a bare 0', () => {
    expect(parseConfig('ingest: { dedup_window: 0 }\nreceivers: []\n').ingest.dedupWindowMs).toBe(0);
  });

  it('refuses a rate_limit penalty of zero, which would send a throttled robot straight back into it', () => {
    expect(errorsOf(`receivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', rate_limit: { max: 20, per: 1m, penalty: 0s } }] }]`)).toEqual([
      'relay.yml: receivers[0].dingtalk_configs[0].rate_limit.penalty: must be a positive duration such as 30s, 5m or 1h30m',
    ]);
  });

  it('reads `receivers:` with nothing under it as no receivers', () => {
    expect(parseConfig('receivers:\n').receivers.size).toBe(0);
  });

  it('names an empty receiver or target entry, which cannot mean anything', () => {
    expect(errorsOf(`receivers:\n  -\n  - name: b\n    dingtalk_configs:\n      -\n`)).toEqual([
      'relay.yml: receivers[0]: must be a mapping, not empty',
      'relay.yml: receivers[1].dingtalk_configs[0]: must be a mapping, not empty',
    ]);
  });
});

describe('parseConfig: every problem in one run', () => {
  it('checks names and targets that validated beside field errors elsewhere', () => {
    expect(
      errorsOf(`
receivers:
  - name: ops
    dingtalk_configs:
      - url: not-a-url
  - name: ops
    email_configs:
      - to: oncall@example.com
  - name: db
    wechat_configs:
      - agent_id: 1
        name: shared
        send_resolved: maybe
      - agent_id: 2
        corp_id: ww
        api_secret: s
        name: shared
`),
    ).toEqual([
      'relay.yml: receivers[0].dingtalk_configs[0].url: must carry the robot access_token query parameter',
      'relay.yml: receivers[0].dingtalk_configs[0].url: must be an http(s) URL',
      'relay.yml: receivers[2].wechat_configs[0].send_resolved: must be a boolean value',
      'relay.yml: receivers[1].name: "ops" is already the name of receivers[0]',
      'relay.yml: receivers[1].email_configs[0]: smarthost is required (or global.smtp_smarthost); from is required (or global.smtp_from)',
      'relay.yml: receivers[2].wechat_configs[1].name: target name "shared" is already used by receivers[2].wechat_configs[0]',
    ]);
  });

  it('does not echo a global field\'s own problem through a target check that reads it', () => {
    expect(errorsOf(`global: { wechat_api_corp_id: ww, wechat_api_secret: \${WECHAT_SECRET} }\nreceivers: [{ name: a, wechat_configs: [{ agent_id: 1 }] }]`)).toEqual([
      'relay.yml: global.wechat_api_secret: environment variable WECHAT_SECRET is not set',
    ]);
  });
});

describe('parseConfig: ${VAR} in the environment', () => {
  it('reads a whole unquoted ${VAR} as YAML would read its value there, for boolean and number fields', () => {
    const config = parseConfig(
      `receivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', send_resolved: \${SR}, rate_limit: { max: \${MAX}, per: \${PER} }, mentions: { all: \${ALL:-true} } }] }]`,
      { env: { SR: 'false', MAX: '5', PER: '1m' } },
    );
    const [target] = config.targetsOf<DingtalkConfig>('dingtalk');
    expect(target).toMatchObject({ sendResolved: false, rateLimit: { max: 5, perMs: 60000 } });
    expect(target.config.mentions).toMatchObject({ all: true });
  });

  it('keeps the text of a ${VAR} in a string field, quoted or not, whatever it looks like', () => {
    const config = parseConfig(
      `dashboard: { basic_auth: { username: admin, password: \${PASSWORD} } }\nreceivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', secret: \${SECRET} }] }]`,
      { env: { PASSWORD: '123456', SECRET: 'true' } },
    );
    expect(config.dashboard.basic_auth).toEqual({ username: 'admin', password: '123456' });
    expect(config.receiver('a')!.targets[0].config).toMatchObject({ secret: 'true' });
    expect(errorsOf(`receivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', send_resolved: '\${SR}' }] }]`, { SR: 'true' })).toEqual([
      'relay.yml: receivers[0].dingtalk_configs[0].send_resolved: must be a boolean value',
    ]);
  });

  it('reports a ${VAR} that YAML does not read as the field needs by the field\'s own rule', () => {
    expect(errorsOf(`receivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', send_resolved: \${SR}, rate_limit: { max: \${MAX}, per: 1m } }] }]`, { SR: 'yes', MAX: 'lots' })).toEqual([
      'relay.yml: receivers[0].dingtalk_configs[0].send_resolved: must be a boolean value',
      'relay.yml: receivers[0].dingtalk_configs[0].rate_limit.max: must not be less than 1',
      'relay.yml: receivers[0].dingtalk_configs[0].rate_limit.max: must be a whole number',
    ]);
  });

  it('expands a variable set to the empty string to the empty string, which is not "not set"', () => {
    const yaml = `ingest: { auth: { bearer_token: \${TOKEN} } }\nreceivers: [{ name: a, dingtalk_configs: [{ url: '${DT}', secret: \${SECRET} }] }]`;
    expect(errorsOf(yaml, { TOKEN: '', SECRET: '' })).toEqual(['relay.yml: ingest.auth.bearer_token: should not be empty']);
    expect(parseConfig(yaml, { env: { TOKEN: 't', SECRET: '' } }).receiver('a')!.targets[0].config).toMatchObject({ secret: '' });
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

describe("Alertmanager v0.34.0 fields the relay has no use for", () => {
  it('accepts them and warns once per field set, naming it and why', () => {
    const config = parseConfig(`
global:
  resolve_timeout: 5m
  telegram_bot_token_file: /run/secrets/tg
  jira_api_url: https://jira.example.com
receivers:
  - name: ops
    labels: { team: ops }
`);
    expect(config.warnings.map((w) => w.path)).toEqual(['global.resolve_timeout', 'global.jira_api_url', 'global.telegram_bot_token_file', 'receivers[0].labels']);
    expect(config.warnings[2].message).toBe('accepted, not used: it is for telegram_configs, not a channel alert-relay delivers to');
    expect(parseConfig('receivers: []').warnings).toEqual([]);
  });

  it('still refuses routing Alertmanager would not load: a match_re label without a regexp', () => {
    expect(errorsOf(`route: { receiver: a, routes: [{ receiver: a, routes: [{ receiver: a, match_re: { severity: } }] }] }\nreceivers: [{ name: a }]`)).toEqual([
      'relay.yml: route.routes[0].routes[0].match_re.severity: invalid regexp value for "severity"',
    ]);
  });
});
