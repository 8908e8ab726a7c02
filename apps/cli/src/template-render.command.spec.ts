import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { templateRenderCommand } from './template-render.command';

const golden = join(__dirname, '../../../libs/templates/test/golden');
const hasAmtool = existsSync('/usr/bin/amtool');

async function run(argv: string[], cwd = golden): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    const code = await templateRenderCommand(argv, out, err);
    return { code, out: o, err: e };
  } finally {
    process.chdir(prev);
  }
}

describe('template render command', () => {
  const savedTz = process.env.TZ;
  beforeAll(() => (process.env.TZ = 'UTC'));
  afterAll(() => (savedTz === undefined ? delete process.env.TZ : (process.env.TZ = savedTz)));

  it('renders with --template.data like amtool', async () => {
    const argv = ['--template.glob=templates/*.tmpl', '--template.text={{ template "wechat.default.message" . }}', '--template.data=data/five-firing.json'];
    const r = await run(argv);
    expect(r.code).toBe(0);
    if (hasAmtool) {
      const a = spawnSync('/usr/bin/amtool', ['template', 'render', ...argv], { cwd: golden, env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' });
      expect(r.out).toBe(a.stdout);
    } else {
      expect(r.out).toContain('AlertmanagerUrl:');
    }
  });

  it('accepts "--flag value" and repeated globs', async () => {
    const r = await run(['--template.glob', 'templates/wechat.tmpl', '--template.glob=templates/helpers.tmpl', '--template.text', '{{ template "helper.greet" "x" }}']);
    expect(r).toEqual({ code: 0, out: 'Hello, x!', err: '' });
  });

  it('uses amtool\'s built-in example without --template.data', async () => {
    const text = '{{ .Receiver }} {{ .Status }} {{ range .Alerts }}{{ .Fingerprint }} {{ .Labels.SortedPairs.Names }} {{ .EndsAt.Sub .StartsAt }};{{ end }} {{ .GroupLabels.Names }} {{ .ExternalURL }}';
    const r = await run(['--template.glob=nomatch/*.tmpl', `--template.text=${text}`]);
    expect(r.code).toBe(0);
    if (hasAmtool) {
      // amtool reads the clock once per time, so its durations differ by nanoseconds: compare without them.
      const same = text.replace(' {{ .EndsAt.Sub .StartsAt }}', '');
      const a = spawnSync('/usr/bin/amtool', ['template', 'render', '--template.glob=nomatch/*.tmpl', `--template.text=${same}`], { cwd: golden, encoding: 'utf8' });
      expect((await run(['--template.glob=nomatch/*.tmpl', `--template.text=${same}`])).out).toBe(a.stdout);
    }
    expect(r.out).toBe(
      'receiver alertstatus fingerprint1 [commonlabelkey1 commonlabelkey2 instance label1 label2] 5m0s;fingerprint2 [baz commonlabelkey1 commonlabelkey2 foo] 10m0s; [grouplabelkey1 grouplabelkey2] https://example.com',
    );
    const full = await run(['--template.glob=nomatch/*.tmpl', '--template.text={{ . }}']);
    // Label sets print as Alertmanager 0.26+ prints them (`a=1, b=2`), times with Go's monotonic reading.
    expect(full.out).toMatch(/^\{receiver alertstatus \[\{alertstatus commonlabelkey1=commonlabelvalue1, .*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC m=[-+]\d+\.\d{9} /);
  });

  it('previews the default templates', async () => {
    const r = await run(['--template.glob=nomatch/*', '--template.text={{ template "dingtalk.default.title" . }}', '--template.data=data/five-firing.json']);
    expect(r.out).toBe('[FIRING:5] NodeDown (node critical)');
  });

  it('previews the digest templates on a notification, as a digest of its alerts would show', async () => {
    const title = await run(['--template.glob=nomatch/*', '--template.text={{ template "dingtalk.default.digest.title" . }}', '--template.data=data/five-firing.json']);
    expect(title.out).toBe('[DIGEST] 5 firing · NodeDown');
    const text = await run(['--template.glob=nomatch/*', '--template.text={{ template "wechat.default.digest" . }}', '--template.data=data/five-firing.json']);
    expect(text.code).toBe(0);
    expect(text.out.split('\n').filter((line) => line.startsWith('[FIRING] NodeDown'))).toHaveLength(5);
  });

  it('reports errors like amtool, exit 1', async () => {
    const r = await run(['--template.glob=templates/*.tmpl', '--template.text={{ .Foo }}', '--template.data=data/mixed.json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('alert-relay: error: template: :1:3: executing "" at <.Foo>: can\'t evaluate field Foo in type template.Data\n\n');
  });

  it('names the file of a parse error', async () => {
    const r = await run(['--template.glob=templates-broken/*.tmpl', '--template.text=x']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('template: broken.tmpl:5: unexpected EOF');
  });

  it('requires --template.glob and --template.text; rejects unknown flags and html', async () => {
    expect((await run(['--template.text=x'])).err).toContain('required flag --template.glob not provided');
    expect((await run(['--template.glob=x'])).err).toContain('required flag --template.text not provided');
    expect((await run(['--template.glob=x', '--template.text=x', '--nope=1'])).err).toContain("unknown long flag '--nope'");
    expect((await run(['--template.glob=x', '--template.text=x', '--template.type=html'])).code).toBe(1);
  });

  it('reports a missing or malformed data file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tr-'));
    writeFileSync(join(dir, 'bad.json'), '{');
    expect((await run(['--template.glob=x', '--template.text=x', '--template.data=missing.json'], dir)).err).toContain('open missing.json: no such file or directory');
    expect((await run(['--template.glob=x', '--template.text=x', '--template.data=bad.json'], dir)).code).toBe(1);
  });
});
