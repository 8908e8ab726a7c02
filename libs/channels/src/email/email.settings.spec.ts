import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, GlobalConfig, ResolvedTarget } from '@relay/config';
import { DeliveryFailure } from '@relay/delivery';
import { EmailConfig } from './email.config';
import { parseConfig } from '../channels';
import { resolveSmtpSettings, secretsOf } from './email.settings';

const dir = mkdtempSync(join(tmpdir(), 'email-settings-'));

function load(yaml: string) {
  const config = parseConfig(yaml);
  const target = config.target('ops/email/0') as ResolvedTarget<EmailConfig>;
  return { config, target, settings: () => resolveSmtpSettings(target.config, config.global, dir) };
}

describe('an email_configs block pasted from Alertmanager', () => {
  it('loads with Alertmanager defaults: global smarthost/from, hello localhost, require_tls true, send_resolved false', () => {
    const { target, settings } = load(`
global:
  smtp_smarthost: smtp.example.com:587
  smtp_from: alertmanager@example.com
  smtp_auth_username: alertmanager@example.com
  smtp_auth_password: s3cret
  resolve_timeout: 5m
route: { receiver: ops }
receivers:
  - name: ops
    email_configs:
      - to: 'oncall@example.com, dba@example.com'
`);
    expect(target.sendResolved).toBe(false);
    expect(target.rateLimit).toEqual({ max: 30, perMs: 60_000, penaltyMs: 60_000 });
    expect(target.config.html).toBe('{{ template "email.default.html" . }}');
    expect(target.config.text).toBe('{{ template "email.default.text" . }}');
    expect(settings()).toEqual({
      smarthost: 'smtp.example.com:587',
      host: 'smtp.example.com',
      port: 587,
      implicitTls: false,
      requireTls: true,
      hello: 'localhost',
      auth: { username: 'alertmanager@example.com', password: 's3cret', secret: undefined, identity: undefined },
      tls: { rejectUnauthorized: true },
      from: 'alertmanager@example.com',
    });
  });

  it('lets the target override every global field, and port 465 means implicit TLS', () => {
    writeFileSync(join(dir, 'pw'), 'from-a-file\n');
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    const { settings } = load(`
global: { smtp_smarthost: 'global:25', smtp_from: g@example.com, smtp_require_tls: true, smtp_hello: global.example.com, smtp_auth_username: g, smtp_auth_password: gp }
receivers:
  - name: ops
    email_configs:
      - to: o@example.com
        from: 'Alerts <alerts@example.com>'
        smarthost: smtp.example.com:465
        hello: relay.example.com
        auth_username: alerts
        auth_password_file: pw
        auth_identity: ops
        require_tls: false
        tls_config: { ca_file: ca.pem, server_name: mail.example.com, min_version: TLS12 }
        headers: { subject: 'custom', X-Team: db }
        send_resolved: true
`);
    expect(settings()).toMatchObject({
      host: 'smtp.example.com',
      port: 465,
      implicitTls: true,
      requireTls: false,
      hello: 'relay.example.com',
      auth: { username: 'alerts', password: 'from-a-file', identity: 'ops' },
      tls: { ca: 'CA PEM', servername: 'mail.example.com', minVersion: 'TLSv1.2', rejectUnauthorized: true },
      from: 'Alerts <alerts@example.com>',
    });
  });

  it('inherits require_tls false from global.smtp_require_tls, and force_implicit_tls overrides the port', () => {
    const { settings } = load(`
global: { smtp_smarthost: 'smtp.example.com:465', smtp_from: a@example.com, smtp_require_tls: false }
receivers:
  - name: ops
    email_configs:
      - { to: o@example.com, force_implicit_tls: false }
`);
    expect(settings()).toMatchObject({ requireTls: false, implicitTls: false });
  });

  it('sends unauthenticated without a username, and uses CRAM-MD5 secret when there is no password', () => {
    expect(load(`receivers: [{ name: ops, email_configs: [{ to: o@x.com, from: a@x.com, smarthost: 'h:25', auth_password: p }] }]`).settings().auth).toBeUndefined();
    expect(load(`receivers: [{ name: ops, email_configs: [{ to: o@x.com, from: a@x.com, smarthost: 'h:25', auth_username: u, auth_secret: cram }] }]`).settings().auth).toEqual({
      username: 'u',
      password: undefined,
      secret: 'cram',
      identity: undefined,
    });
  });

  it('refuses malformed blocks at load time, naming the path', () => {
    const attempt = (block: string) => {
      try {
        parseConfig(`receivers: [{ name: ops, email_configs: [${block}] }]`);
      } catch (e) {
        return (e as ConfigError).message;
      }
      return 'loaded';
    };
    expect(attempt(`{ from: a@x.com }`)).toBe('relay.yml: receivers[0].email_configs[0].to: is required: the address, or comma-separated addresses, to notify');
    expect(attempt(`{ to: '  ' }`)).toContain('receivers[0].email_configs[0].to: is required');
    expect(attempt(`{ to: o@x.com, smarthost: smtp.example.com }`)).toContain('receivers[0].email_configs[0].smarthost: must be host:port, such as smtp.example.com:587');
    expect(attempt(`{ to: o@x.com, headers: { Subject: a, subject: b } }`)).toContain('receivers[0].email_configs[0].headers:');
    expect(attempt(`{ to: o@x.com, tls_config: { min_version: TLS9 } }`)).toContain('receivers[0].email_configs[0].tls_config.min_version: must be one of TLS10, TLS11, TLS12, TLS13');
    expect(attempt(`{ to: o@x.com, smtp_port: 25 }`)).toContain('receivers[0].email_configs[0].smtp_port');
  });

  it("refuses at load a target that has no smarthost or sender, its own or global, as Alertmanager does", () => {
    const attempt = (yaml: string) => {
      try {
        parseConfig(yaml);
      } catch (e) {
        return (e as ConfigError).message;
      }
      return 'loaded';
    };
    expect(attempt(`receivers: [{ name: ops, email_configs: [{ to: o@x.com }] }]`)).toBe(
      'relay.yml: receivers[0].email_configs[0]: smarthost is required (or global.smtp_smarthost); from is required (or global.smtp_from)',
    );
    expect(attempt(`global: { smtp_smarthost: 'h:25' }\nreceivers: [{ name: ops, email_configs: [{ to: o@x.com, auth_password: a, auth_password_file: b }] }]`)).toBe(
      'relay.yml: receivers[0].email_configs[0]: from is required (or global.smtp_from); set auth_password or auth_password_file, not both',
    );
    expect(attempt(`global: { smtp_smarthost: 'h:25', smtp_from: a@x.com }\nreceivers: [{ name: ops, email_configs: [{ to: o@x.com }] }]`)).toBe('loaded');
  });

  it('fails the delivery, not the process, when settings cannot be resolved at send time', () => {
    const failure = (config: Partial<EmailConfig>) => {
      try {
        resolveSmtpSettings({ to: 'o@x.com', ...config } as EmailConfig, new GlobalConfig(), dir);
      } catch (e) {
        return e;
      }
    };
    expect(failure({ from: 'a@x.com' })).toBeInstanceOf(DeliveryFailure);
    expect(failure({ from: 'a@x.com' })).toMatchObject({ kind: 'permanent', reason: 'config', message: 'no smarthost: set smarthost on the target or global.smtp_smarthost' });
    expect(failure({ smarthost: 'h:25' })).toMatchObject({ message: 'no sender: set from on the target or global.smtp_from' });
    // A file that cannot be read now may be a secret volume mounted late: retried, as for every channel.
    expect(failure({ smarthost: 'h:25', from: 'a@x.com', tls_config: { ca_file: 'nowhere.pem' } })).toMatchObject({
      kind: 'transient',
      reason: 'secret_file_unreadable',
      message: expect.stringMatching(/cannot read tls_config.ca_file .*nowhere.pem: ENOENT/),
    });
  });

  it('lists the password in every form an SMTP exchange could carry it, for scrubbing', () => {
    const { settings } = load(`receivers: [{ name: ops, email_configs: [{ to: o@x.com, from: a@x.com, smarthost: 'h:25', auth_username: u, auth_password: pw123 }] }]`);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(secretsOf(settings())).toEqual(expect.arrayContaining(['pw123', b64('pw123'), b64('\u0000u\u0000pw123')]));
  });

  it("takes global.smtp_tls_config, smtp_force_implicit_tls and smtp_auth_*_file where the target sets none of its own", () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM\n');
    writeFileSync(join(dir, 'global-password'), 'gpw\n');
    writeFileSync(join(dir, 'global-secret'), 'gsecret\n');
    writeFileSync(join(dir, 'own-secret'), 'osecret\n');
    const global = `global:
  smtp_smarthost: 'smtp.example.com:587'
  smtp_from: a@example.com
  smtp_auth_username: u
  smtp_auth_password_file: global-password
  smtp_auth_secret_file: global-secret
  smtp_force_implicit_tls: true
  smtp_tls_config: { ca_file: ca.pem, server_name: mail.internal, min_version: TLS12 }
`;
    const inherited = load(`${global}receivers: [{ name: ops, email_configs: [{ to: o@example.com }] }]`).settings();
    expect(inherited).toMatchObject({ implicitTls: true, auth: { password: 'gpw', secret: 'gsecret' }, tls: { ca: 'CA PEM\n', servername: 'mail.internal', minVersion: 'TLSv1.2', rejectUnauthorized: true } });
    const own = load(`${global}receivers: [{ name: ops, email_configs: [{ to: o@example.com, force_implicit_tls: false, auth_secret_file: own-secret, tls_config: { insecure_skip_verify: true } }] }]`).settings();
    expect(own).toMatchObject({ implicitTls: false, auth: { password: 'gpw', secret: 'osecret' }, tls: { ca: undefined, servername: undefined, rejectUnauthorized: false } });
  });

  it("refuses a global secret beside its file, as Alertmanager does, and warns about threading it does not do", () => {
    expect(() => load(`global: { smtp_smarthost: 'h:25', smtp_from: a@x.com, smtp_auth_secret: s, smtp_auth_secret_file: f }\nreceivers: []`)).toThrow(
      'relay.yml: global.smtp_auth_secret: set smtp_auth_secret or smtp_auth_secret_file, not both',
    );
    const { config } = load(`receivers: [{ name: ops, email_configs: [{ to: o@x.com, from: a@x.com, smarthost: 'h:25', threading: { enabled: true, thread_by_date: daily } }] }]`);
    expect(config.warnings).toEqual([{ path: 'receivers[0].email_configs[0]', message: expect.stringMatching(/^threading: accepted, not used/) }]);
  });
});
