import { configErrorsOf as errorsOf } from '@relay/testing';
import { parseConfig } from '../channels';
import { WebhookConfig } from './webhook.config';

const load = (block: string, global = '') =>
  parseConfig(`${global}
receivers:
  - name: hooks
    webhook_configs:
      - ${block}
`);

const target = (block: string) => load(block).targetsOf<WebhookConfig>('webhook')[0];
const errorsFor = (block: string) => errorsOf(`receivers:\n  - name: hooks\n    webhook_configs:\n      - ${block}\n`);

describe('webhook_configs', () => {
  it('takes an Alertmanager webhook_configs block with its defaults: send_resolved true, all alerts, no rate limit, no digest', () => {
    const t = target(`{ url: 'https://hooks.example.com/alert?token=s3cret' }`);
    expect(t.name).toBe('hooks/webhook/0');
    expect(t.sendResolved).toBe(true);
    expect(t.config.max_alerts).toBe(0);
    expect(t.config.timeout).toBeUndefined();
    expect(t.rateLimit).toEqual({ max: Infinity, perMs: 1_000, penaltyMs: 30_000 });
  });

  it('takes every field Alertmanager and Prometheus http_config have for it', () => {
    const config = load(`
        url_file: /run/secrets/hook-url
        send_resolved: false
        max_alerts: 5
        timeout: 3s
        rate_limit: { max: 10, per: 1m, penalty: 2m }
        http_config:
          basic_auth: { username: relay, password_file: pw.txt }
          tls_config: { ca_file: ca.pem, cert_file: c.pem, key_file: k.pem, server_name: hooks.internal, insecure_skip_verify: false, min_version: TLS12, max_version: TLS13 }
          http_headers:
            X-Scope: { values: [ops], secrets: [abc], files: [h.txt] }
          follow_redirects: false
          enable_http2: true
      - url: http://other.example.com/
        http_config:
          authorization: { type: Token, credentials_file: tok.txt }
      - url: http://third.example.com/
        http_config: { bearer_token: legacy-token }
        digest: false
`);
    const [a, b, c] = config.targetsOf<WebhookConfig>('webhook');
    expect(a.sendResolved).toBe(false);
    expect(a.rateLimit).toEqual({ max: 10, perMs: 60_000, penaltyMs: 120_000 });
    expect(a.config).toMatchObject({ url_file: '/run/secrets/hook-url', max_alerts: 5, timeout: '3s' });
    expect(a.config.http_config).toMatchObject({
      basic_auth: { username: 'relay', password_file: 'pw.txt' },
      tls_config: { ca_file: 'ca.pem', server_name: 'hooks.internal', min_version: 'TLS12', max_version: 'TLS13' },
      http_headers: { 'X-Scope': { values: ['ops'], secrets: ['abc'], files: ['h.txt'] } },
    });
    expect(b.config.http_config?.authorization).toMatchObject({ type: 'Token', credentials_file: 'tok.txt' });
    expect(c.config.http_config?.bearer_token).toBe('legacy-token');
    expect(config.warnings).toEqual([]);
  });

  it('names each bad value by its path', () => {
    const errors = errorsFor(`
        url: ftp://nope
        max_alerts: -1
        timeout: soon
        send_resolved: maybe
        http_config:
          basic_auth: { username: 5 }
          tls_config: { min_version: TLS9 }
          http_headers: { Authorization: { values: [x] } }
          oauth2: { client_id: a, token_url: http://t }
          follow_redirects: sometimes
        payload: { text: hi }
        digest: true
        surprise: 1`);
    const at = 'relay.yml: receivers[0].webhook_configs[0]';
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${escape(at)}\\.url: must be an http\\(s\\) URL`)),
        expect.stringContaining(`${at}.max_alerts:`),
        expect.stringContaining(`${at}.timeout:`),
        expect.stringContaining(`${at}.send_resolved:`),
        expect.stringContaining(`${at}.http_config.basic_auth.username:`),
        expect.stringContaining(`${at}.http_config.tls_config.min_version: must be one of TLS10, TLS11, TLS12, TLS13`),
        expect.stringContaining(`${at}.http_config.http_headers: setting header "Authorization" is not allowed`),
        expect.stringContaining(`${at}.http_config.oauth2: is not supported by alert-relay`),
        expect.stringContaining(`${at}.http_config.follow_redirects:`),
        expect.stringContaining(`${at}.payload: is not supported by alert-relay`),
        expect.stringContaining(`${at}.digest: does not apply to webhook targets`),
        expect.stringContaining(`${at}.surprise`),
      ]),
    );
    expect(errors.join('\n')).not.toContain('ftp://nope');
  });

  it.each([
    ['{ send_resolved: true }', 'one of url or url_file must be configured'],
    ['{ url: http://a.example/, url_file: u.txt }', 'at most one of url & url_file must be configured'],
    [`{ url: 'http://a.example/{{ .GroupLabels.team }}' }`, 'templated webhook URLs are not supported'],
    ['{ url: http://a.example/, http_config: { bearer_token: a, bearer_token_file: b } }', 'http_config: at most one of bearer_token & bearer_token_file must be configured'],
    ['{ url: http://a.example/, http_config: { basic_auth: { username: u }, bearer_token: a } }', 'http_config: at most one of basic_auth, bearer_token & bearer_token_file must be configured'],
    ['{ url: http://a.example/, http_config: { basic_auth: { password: p, password_file: f } } }', 'http_config: at most one of basic_auth password & password_file must be configured'],
    ['{ url: http://a.example/, http_config: { authorization: { type: Basic, credentials: x } } }', 'http_config: authorization type cannot be set to "basic", use "basic_auth" instead'],
    ['{ url: http://a.example/, http_config: { authorization: { credentials: x }, basic_auth: { username: u } } }', 'http_config: at most one of basic_auth & authorization must be configured'],
    ['{ url: http://a.example/, http_config: { http_headers: { X-A: { value: [x] } } } }', 'http_config.http_headers: X-A.value is not a field'],
  ])('refuses %s as Alertmanager does', (block, message) => {
    expect(errorsFor(block).join('\n')).toContain(message);
  });

  it('accepts the proxy settings and follow_redirects: true, with a warning at the target path', () => {
    const config = load(`{ url: 'http://a.example/', http_config: { proxy_url: 'http://proxy:3128', no_proxy: internal, follow_redirects: true } }`);
    expect(config.warnings).toEqual([
      { path: 'receivers[0].webhook_configs[0]', message: expect.stringContaining('http_config.proxy_url, http_config.no_proxy: accepted but not used') },
      { path: 'receivers[0].webhook_configs[0]', message: expect.stringContaining('does not follow redirects') },
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
