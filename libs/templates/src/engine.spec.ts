import { join } from 'node:path';
import { TemplateSet, TemplateParseError, TemplateExecError, templateData } from '@relay/templates';

const data = templateData({
  version: '4', groupKey: 'k', truncatedAlerts: 0, status: 'firing', receiver: 'r', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '',
  alerts: [{ status: 'firing', labels: { alertname: 'A' }, annotations: {}, startsAt: '2026-11-20T08:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f' }],
});

describe('TemplateSet', () => {
  it('renders empty text as empty and caches parsed text', () => {
    const set = TemplateSet.fromSources([], { builtins: [] });
    expect(set.render('', data)).toBe('');
    expect(set.render('{{ .Status }}', data)).toBe('firing');
    expect(set.render('{{ .Status }}', data)).toBe('firing');
  });

  it('later sources redefine earlier names; empty bodies do not replace', () => {
    const set = TemplateSet.fromSources(
      [
        { name: 'a.tmpl', text: '{{ define "x" }}one{{ end }}{{ define "y" }}Y{{ end }}' },
        { name: 'b.tmpl', text: '{{ define "x" }}two{{ end }}{{ define "y" }}{{ end }}' },
      ],
      { builtins: [] },
    );
    expect(set.execute('x', data)).toBe('two');
    expect(set.execute('y', data)).toBe('Y');
    expect(set.has('a.tmpl')).toBe(true);
  });

  it('user files override default templates by name', () => {
    const set = TemplateSet.fromSources([{ name: 'mine.tmpl', text: '{{ define "__relay.title" }}MINE {{ .Status }}{{ end }}' }]);
    expect(set.render('{{ template "__relay.title" . }}', data)).toBe('MINE firing');
  });

  it('defines inside rendered text stay local to that text', () => {
    const set = TemplateSet.fromSources([], { builtins: [] });
    expect(set.render('{{ define "t" }}T{{ end }}{{ template "t" }}', data)).toBe('T');
    expect(() => set.render('{{ template "t" }}', data)).toThrow('template "t" not defined');
  });

  it('parse errors name file and line; execution errors name template, line and column', () => {
    expect(() => TemplateSet.fromSources([{ name: 'wechat.tmpl', text: 'a\n{{ if }}' }], { builtins: [] })).toThrow(
      new TemplateParseError('template: wechat.tmpl:2: missing value for if', 'wechat.tmpl', 2),
    );
    const set = TemplateSet.fromSources([{ name: 'wechat.tmpl', text: '{{ define "wechat.default.message" }}\n\n  x {{ .Alerts.Foo }}{{ end }}' }], { builtins: [] });
    let err: unknown;
    try {
      set.execute('wechat.default.message', data);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateExecError);
    expect((err as Error).message).toBe('template: wechat.tmpl:3:14: executing "wechat.default.message" at <.Alerts.Foo>: can\'t evaluate field Foo in type template.Alerts');
    expect(() => set.execute('nope', data)).toThrow('template: no template "nope" associated with template ""');
  });

  it('check() validates text without executing it', () => {
    const set = TemplateSet.fromSources([]);
    expect(() => set.check('{{ template "__relay.title" . }}')).not.toThrow();
    expect(() => set.check('{{ .Status ')).toThrow('template: :1: unclosed action');
    expect(() => set.check('{{ nofunc }}')).toThrow('function "nofunc" not defined');
  });

  it('load() reads globs relative to baseDir and names the file of a parse error', async () => {
    const dir = join(__dirname, '../test/golden');
    const set = await TemplateSet.load(['templates/*.tmpl'], { baseDir: dir });
    expect(set.has('ding.markdown')).toBe(true);
    expect(set.has('__relay.title')).toBe(true); // the built-in helpers come first
    await expect(TemplateSet.load(['templates-broken/*.tmpl'], { baseDir: dir })).rejects.toMatchObject({
      message: 'template: broken.tmpl:5: unexpected EOF',
      file: expect.stringContaining('templates-broken/broken.tmpl'),
    });
    await expect(TemplateSet.load(['nothing/*.tmpl'], { baseDir: dir })).resolves.toBeInstanceOf(TemplateSet);
  });

  it('reports runaway recursion', () => {
    const set = TemplateSet.fromSources([{ name: 'r.tmpl', text: '{{ define "r" }}{{ template "r" . }}{{ end }}' }], { builtins: [] });
    expect(() => set.execute('r', data)).toThrow(/exceeded maximum template depth/);
  });

  it.each([
    ['{{ $x }}', 'undefined variable "$x"'],
    ['{{ end }}', 'unexpected {{end}}'],
    ['{{ else }}', 'unexpected {{else}}'],
    ['{{ range $a, $b, $c := . }}{{ end }}', 'too many declarations in range'],
    ['{{ "abc }}', 'unterminated quoted string'],
    ['{{ 3x }}', 'bad number syntax: "3x"'],
    ['{{ ( }}', 'unclosed left paren'],
    ['{{/* x }}', 'unclosed comment'],
    ['{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}', 'template: multiple definition of template "a"'],
    ['{{ continue }}', '{{continue}} outside {{range}}'],
  ])('parse error %s', (text, msg) => {
    expect(() => TemplateSet.fromSources([], { builtins: [] }).check(text)).toThrow(msg);
  });

  it.each([
    ['{{ .Status.Foo }}', "can't evaluate field Foo in type string"],
    ['{{ index .Alerts 1 }}', 'error calling index: reflect: slice index out of range'],
    ['{{ slice "abc" 2 1 }}', 'error calling slice: invalid slice index: 2 > 1'],
    ['{{ lt 1 1.5 }}', 'error calling lt: incompatible types for comparison'],
    ['{{ eq .Alerts .Alerts }}', 'non-comparable type'],
    ['{{ $x := 1 }}{{ $x 2 }}', "can't give argument to non-function $x"],
    ['{{ nil }}', 'nil is not a command'],
    ['{{ printf 1 }}', 'expected string; found 1'],
    ['{{ range .Status }}{{ end }}', "range can't iterate over firing"],
  ])('exec error %s', (text, msg) => {
    expect(() => TemplateSet.fromSources([], { builtins: [] }).render(text, data)).toThrow(msg);
  });
});
