import { GlobalConfig } from '@relay/config';
import { configErrorsOf as errorsOf } from '@relay/testing';
import { parseConfig } from '../channels';
import { SlackConfig, slackDestinationIssue, slackRouteOf } from './slack.config';

const HOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';

describe('slack_configs', () => {
  it('takes an Alertmanager slack_configs block as pasted, with its defaults', () => {
    const config = parseConfig(`
global:
  slack_api_url: ${HOOK}
  resolve_timeout: 5m
receivers:
  - name: ops
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
        title: '{{ .CommonLabels.alertname }}'
        fields:
          - title: Severity
            value: '{{ .CommonLabels.severity }}'
            short: true
          - { title: Runbook, value: '{{ .CommonAnnotations.runbook_url }}' }
        actions:
          - { type: button, text: 'Silence', url: 'http://am/#/silences/new' }
        mrkdwn_in: [text, title]
        link_names: true
        http_config: { follow_redirects: true }
      - app_token: xoxb-123
        channel: C0123
`);
    const [hook, app] = config.receiver('ops')!.targets;
    expect(hook).toMatchObject({ name: 'ops/slack/0', channel: 'slack', sendResolved: true, rateLimit: { max: 3, perMs: 3000, penaltyMs: 30000 } });
    expect(hook.config).toMatchObject({
      channel: '#alerts',
      api_url: undefined,
      color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
      username: '{{ template "slack.default.username" . }}',
      text: '{{ template "slack.default.text" . }}',
      title: '{{ .CommonLabels.alertname }}',
      short_fields: false,
      link_names: true,
      mrkdwn_in: ['text', 'title'],
    });
    expect((hook.config as SlackConfig).fields).toHaveLength(2);
    expect(app).toMatchObject({ sendResolved: false, config: { app_token: 'xoxb-123', app_url: undefined } });
    expect(slackRouteOf(app.config as SlackConfig, new GlobalConfig())).toEqual({ kind: 'app', url: 'https://slack.com/api/chat.postMessage', token: { value: 'xoxb-123' }, globalToken: false });
  });

  it('refuses what Alertmanager refuses, naming the path', () => {
    expect(
      errorsOf(`
receivers:
  - name: ops
    slack_configs:
      - api_url: ${HOOK}
        app_token: xoxb-1
        channel: '#a'
      - api_url: not a url
      - app_token: xoxb-2
      - api_url: ${HOOK}
        fields: [{ title: Severity }]
        actions: [{ type: button, text: Go }]
        update_message: true
`),
    ).toEqual([
      'relay.yml: receivers[0].slack_configs[0].api_url: set api_url or app_token, not both',
      'relay.yml: receivers[0].slack_configs[1].api_url: must be an http(s) URL',
      'relay.yml: receivers[0].slack_configs[2].channel: is required with app_token: chat.postMessage needs to know where to post',
      'relay.yml: receivers[0].slack_configs[3].fields[0].value: is required',
      'relay.yml: receivers[0].slack_configs[3].actions[0].url: is required (or name)',
      'relay.yml: receivers[0].slack_configs[3].update_message: is not supported: alert-relay posts a new message for each notification',
    ]);
  });

  it('needs somewhere to post: its own URL or token, or global.slack_api_url / slack_app_token', () => {
    expect(() => parseConfig(`receivers: [{ name: a, slack_configs: [{ channel: '#x' }] }]`)).toThrow(
      'relay.yml: receivers[0].slack_configs[0]: api_url, api_url_file, app_token or app_token_file is required (or global.slack_api_url, global.slack_app_token and their _file forms)',
    );
    expect(parseConfig(`global: { slack_api_url: '${HOOK}' }\nreceivers: [{ name: a, slack_configs: [{ channel: '#x' }] }]`).targetsOf('slack')).toHaveLength(1);
    expect(parseConfig(`global: { slack_api_url_file: /run/secrets/slack }\nreceivers: [{ name: a, slack_configs: [{ channel: '#x' }] }]`).targetsOf('slack')).toHaveLength(1);
    expect(parseConfig(`receivers: [{ name: a, slack_configs: [{ api_url_file: /run/secrets/slack }] }]`).targetsOf('slack')).toHaveLength(1);
    expect(slackDestinationIssue({ channel: '#x' } as any, {})).toBe('api_url, api_url_file, app_token or app_token_file is required (or global.slack_api_url, global.slack_app_token and their _file forms)');
  });

  it('takes global.slack_app_token(_file) and slack_app_url where the target names no way of its own, as Alertmanager does', () => {
    const config = parseConfig(`
global:
  slack_app_token_file: /run/secrets/slack-token
  slack_app_url: 'http://slack.test/api/chat.postMessage'
  # Alertmanager's bearer-token workaround: a webhook URL beside the token only when it is the app URL.
  slack_api_url: 'http://slack.test/api/chat.postMessage'
receivers:
  - name: a
    slack_configs:
      - channel: '#global-token'
      - { channel: '#own-token', app_token: xoxb-own, app_url: 'http://other.test/post' }
      - api_url: ${HOOK}
      - { channel: '#bearer', http_config: { authorization: { credentials: xoxb-http } } }
`);
    const routes = config.targetsOf('slack').map((t) => slackRouteOf(t.config as SlackConfig, config.global));
    expect(routes).toEqual([
      { kind: 'app', url: 'http://slack.test/api/chat.postMessage', token: { file: '/run/secrets/slack-token', field: 'global.slack_app_token_file' }, globalToken: true },
      { kind: 'app', url: 'http://other.test/post', token: { value: 'xoxb-own' }, globalToken: false },
      { kind: 'webhook', url: { value: HOOK } },
      { kind: 'webhook', url: { value: 'http://slack.test/api/chat.postMessage' } },
    ]);
    expect(config.warnings).toEqual([]);
  });

  it('refuses a global token target without a channel, and an app token beside http_config authorization', () => {
    expect(errorsOf(`global: { slack_app_token: xoxb-g }\nreceivers: [{ name: a, slack_configs: [{ text: hi }] }]`)).toEqual([
      'relay.yml: receivers[0].slack_configs[0]: channel is required with global.slack_app_token: chat.postMessage needs to know where to post',
    ]);
    expect(errorsOf(`receivers: [{ name: a, slack_configs: [{ channel: '#a', app_token: xoxb-1, http_config: { bearer_token: xoxb-2 } }] }]`)).toEqual([
      'relay.yml: receivers[0].slack_configs[0]: http_config authorization cannot be set beside app_token / app_token_file',
    ]);
  });

  it('warns, once per field, about http_config fields it does not act on', () => {
    const config = parseConfig(`receivers: [{ name: a, slack_configs: [{ api_url: '${HOOK}', http_config: { proxy_url: 'http://proxy:3128', follow_redirects: false, bearer_token: t } }] }]`);
    expect(config.warnings.map((w) => `${w.path}: ${w.message.split(':')[0]}`)).toEqual(['receivers[0].slack_configs[0]: http_config.proxy_url', 'receivers[0].slack_configs[0]: http_config.follow_redirects']);
  });
});
