import { ConfigError } from '@relay/config';
import { loadedConfigOf, RelayRuntime } from '@relay/delivery';
import { RelayMetrics, rootLogger } from '@relay/observability';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReloader } from './config-reloader';
import { loadRuntime } from './load-runtime';

const robot = (token: string) => `https://oapi.dingtalk.com/robot/send?access_token=${token}`;
const configWith = (token: string, extra = '') => `${extra}
templates: ['*.tmpl']
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${robot(token)}
        title: '{{ template "mine" . }}'
`;

describe('ConfigReloader', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let runtime: RelayRuntime;
  let metrics: RelayMetrics;
  let reloader: ConfigReloader;

  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const gauge = async (g: { get(): Promise<{ values: Array<{ value: number }> }> }) => (await g.get()).values[0]?.value;
  const targetUrl = () => (runtime.config.target('ops/dingtalk/0')!.config as { url: string }).url;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'config-reloader-'));
    write('relay.yml', configWith('first'));
    write('mine.tmpl', '{{ define "mine" }}first title{{ end }}');
    env = { RELAY_CONFIG: join(dir, 'relay.yml'), QUEUE_PREFIX: '{reload-spec}' };
    runtime = await loadRuntime(env);
    metrics = new RelayMetrics();
    reloader = new ConfigReloader(runtime, () => loadRuntime(env), metrics);
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts start-up as a successful load', async () => {
    expect(await gauge(metrics.configLastReloadSuccessful)).toBe(1);
    expect(await gauge(metrics.configLastReloadSuccessTimestamp)).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('puts a good file and its templates in force, while what a job took before keeps the old ones', async () => {
    const before = loadedConfigOf(runtime);
    const seen: string[] = [];
    reloader.onConfig((config) => seen.push((config.target('ops/dingtalk/0')!.config as { url: string }).url));
    write('relay.yml', configWith('second'));
    write('mine.tmpl', '{{ define "mine" }}second title{{ end }}');

    await reloader.reload();

    expect(targetUrl()).toBe(robot('second'));
    expect(runtime.templates.render('{{ template "mine" . }}', {})).toBe('second title');
    expect(runtime.templates).not.toBe(before.templates);
    expect(runtime.builtinTemplates).not.toBe(before.builtinTemplates);
    expect((before.config.target('ops/dingtalk/0')!.config as { url: string }).url).toBe(robot('first'));
    expect(before.templates.render('{{ template "mine" . }}', {})).toBe('first title');
    expect(seen).toEqual([robot('first'), robot('second')]);
    expect(runtime.queuePrefix).toBe('{reload-spec}');
  });

  it('refuses a file that does not load, keeps the config in force, and reports every reason with its path', async () => {
    const error = jest.spyOn(rootLogger(), 'error').mockImplementation(() => undefined);
    const started = await gauge(metrics.configLastReloadSuccessTimestamp);
    const inForce = loadedConfigOf(runtime);
    write('relay.yml', `${configWith('second')}        rate_limit: { max: -1 }\n  - name: ops\n`);

    const refused = await reloader.reload().then(() => undefined, (e: unknown) => e);

    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).message).toMatch(/relay\.yml: receivers\[0\]\.dingtalk_configs\[0\]\.rate_limit\.max: /);
    expect((refused as ConfigError).message).toMatch(/relay\.yml: receivers\[1\]\.name: /);
    expect(loadedConfigOf(runtime)).toEqual(inForce);
    expect(targetUrl()).toBe(robot('first'));
    expect(await gauge(metrics.configLastReloadSuccessful)).toBe(0);
    expect(await gauge(metrics.configLastReloadSuccessTimestamp)).toBe(started);
    expect(error).toHaveBeenCalledWith(expect.anything(), expect.stringContaining('receivers[1].name'));

    await new Promise((r) => setTimeout(r, 20));
    write('relay.yml', configWith('second'));
    await reloader.reload();
    expect(targetUrl()).toBe(robot('second'));
    expect(await gauge(metrics.configLastReloadSuccessful)).toBe(1);
    expect(await gauge(metrics.configLastReloadSuccessTimestamp)).toBeGreaterThan(started!);
  });

  it('refuses a template file that does not parse, and a target string that does not', async () => {
    jest.spyOn(rootLogger(), 'error').mockImplementation(() => undefined);
    write('mine.tmpl', '{{ define "mine" }}unclosed');
    await expect(reloader.reload()).rejects.toThrow(/relay\.yml: templates: /);
    write('mine.tmpl', '{{ define "mine" }}second title{{ end }}');
    write('relay.yml', configWith('second').replace('{{ template "mine" . }}', '{{ .CommonLabels.alertname }'));
    await expect(reloader.reload()).rejects.toThrow(/relay\.yml: receivers\[0\]\.dingtalk_configs\[0\]\.title: /);
    expect(runtime.templates.render('{{ template "mine" . }}', {})).toBe('first title');
  });

  it('names a setting that needs a restart when the file changes it, and keeps the one in force', async () => {
    const warn = jest.spyOn(rootLogger(), 'warn').mockImplementation(() => undefined);
    reloader.keepsFromStart((rt) => ({ 'ingest.body_limit': rt.config.ingest.bodyLimitBytes }));
    write('relay.yml', configWith('first', 'ingest: { body_limit: 2MiB }'));

    await reloader.reload();

    expect(runtime.config.ingest.bodyLimitBytes).toBe(2 * 1024 * 1024);
    expect(warn).toHaveBeenCalledWith(
      { setting: 'ingest.body_limit', inForce: 1024 * 1024, configured: 2 * 1024 * 1024 },
      expect.stringMatching(/^ingest\.body_limit changed to 2097152; it needs a restart/),
    );
    expect(warn).not.toHaveBeenCalledWith(expect.objectContaining({ setting: 'REDIS_URL' }), expect.anything());
  });

  it('runs reloads one after another (a SIGHUP and a POST at once), never two loads at a time', async () => {
    let loading = 0;
    let most = 0;
    const slow = new ConfigReloader(runtime, async () => {
      most = Math.max(most, ++loading);
      await new Promise((r) => setTimeout(r, 20));
      loading--;
      return loadRuntime(env);
    }, metrics);
    write('relay.yml', configWith('second'));
    await Promise.all([slow.reload(), slow.reload(), slow.reload()]);
    expect(most).toBe(1);
    expect(targetUrl()).toBe(robot('second'));
  });
});
