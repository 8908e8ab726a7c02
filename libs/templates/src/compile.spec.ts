/**
 * The compiled fast path (engine/compile.ts) against the interpreter (engine/exec.ts): the same
 * output for every golden case, every default template and a set of control-flow corner cases,
 * and no hand-over to the interpreter when execution succeeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateSet, templateData } from '@relay/templates';
// The channels' default templates are the largest real templates there are: the engine is checked on them too.
import { relayTemplates } from '@relay/channels';
import { compiledExecution } from './engine/compile';

const golden = join(__dirname, '../test/golden');
const cases: { name: string; text: string; data: string; glob: string; tz?: string }[] = JSON.parse(readFileSync(join(golden, 'cases.json'), 'utf8'));
const dataFiles = ['five-firing.json', 'mixed.json', 'resolved.json'];
const load = (f: string) => templateData(JSON.parse(readFileSync(join(golden, 'data', f), 'utf8')));
const now = () => new Date('2026-11-20T10:00:00Z');

/** Output (or error message) with the fast path on and off, and whether the fast path gave up. */
function both(render: () => string): { compiled: string; interpreted: string; fellBack: boolean } {
  const outcome = () => {
    try {
      return 'OK ' + render();
    } catch (e) {
      return `ERR ${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const before = compiledExecution.fallbacks;
  const compiled = outcome();
  const fellBack = compiledExecution.fallbacks !== before;
  compiledExecution.enabled = false;
  try {
    return { compiled, interpreted: outcome(), fellBack };
  } finally {
    compiledExecution.enabled = true;
  }
}

describe('compiled execution equals the interpreter', () => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it.each(cases.map((c) => [c.name, c] as const))('golden %s', async (_n, c) => {
    process.env.TZ = c.tz ?? 'UTC';
    let set: TemplateSet;
    try {
      set = await TemplateSet.load([c.glob], { baseDir: golden, builtins: [] });
    } catch {
      return; // parse errors never reach execution
    }
    const data = load(c.data);
    const r = both(() => set.render(c.text, data));
    expect(r.compiled).toBe(r.interpreted);
    if (r.interpreted.startsWith('OK ')) expect(r.fellBack).toBe(false);
  });

  const names = relayTemplates().names().filter((name) => name.includes('.default.')); // each renders a whole notification
  it.each(names)('default template %s', (name) => {
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York']) {
      const set = relayTemplates([], { timezone: tz, now });
      for (const f of dataFiles) {
        const data = load(f);
        for (let i = 0; i < 2; i++) {
          // twice: the second time with warm caches
          const r = both(() => set.render(`{{ template "${name}" . }}`, data));
          expect(r.compiled).toBe(r.interpreted);
          expect(r.fellBack).toBe(false);
        }
      }
    }
  });

  it.each([
    '{{ range $i, $a := .Alerts }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $i }}{{ end }}',
    '{{ range .Alerts }}{{ range .Labels }}{{ if eq . "node" }}{{ break }}{{ end }}{{ . }},{{ end }};{{ end }}',
    '{{ range .Alerts }}{{ with .Labels.instance }}{{ if . }}{{ continue }}{{ end }}{{ end }}x{{ end }}',
    '{{ range .Alerts }}{{ range .Alerts.Resolved }}{{ else }}{{ break }}{{ end }}{{ end }}',
    '{{ $x := 0 }}{{ range $k, $v := .CommonLabels }}{{ $x = $k }}{{ $k }}={{ $v }};{{ end }}{{ $x }}',
    '{{ $k := "" }}{{ $v := "" }}{{ range $k, $v = .CommonLabels }}{{ end }}{{ $k }}={{ $v }}',
    '{{ $a := "" }}{{ range $a = .Alerts }}{{ end }}{{ $a.Fingerprint }}',
    '{{ if $x := .Status }}{{ $x }}{{ else }}{{ $x }}!{{ end }}',
    '{{ with $y := .CommonLabels.nope }}{{ $y }}{{ else if $z := .Receiver }}{{ $z }}{{ end }}',
    '{{ template "t" ($q := .Status) }}{{ $q }}{{ define "t" }}[{{ . }}{{ $ }}]{{ end }}',
    '{{ define "r" }}{{ if . }}{{ index . 0 }}{{ template "r" (slice . 1) }}{{ end }}{{ end }}{{ template "r" (stringSlice "a" "b" "c") }}',
    '{{ (printf "%s" .Status | toUpper) }} {{ (.Alerts.Firing | len) }} {{ ($s := .Receiver) }}{{ $s }}',
    '{{ or .CommonLabels.nope .CommonLabels.job "z" }} {{ and .Status .Receiver }} {{ "x" | or "" }} {{ "x" | and 1 }}',
    '{{ eq .Status "firing" }} {{ .Status | eq "firing" }} {{ eq 1 1 }} {{ eq .Alerts.Firing nil }}',
    '{{ range $i, $e := .GroupLabels.SortedPairs }}{{ $i }}{{ $e.Name }}{{ end }}{{ range 0 }}{{ end }}',
    '{{ .Alerts.Firing }} {{ index .Alerts.Firing 0 }} {{ (index .Alerts 0).StartsAt.Format "15:04" }}',
    '{{ range .Alerts }}{{ .StartsAt | tz "Asia/Shanghai" | date "2006-01-02 15:04:05 MST" }} {{ .EndsAt.Sub .StartsAt }}{{ end }}',
    '{{ $ }}{{ $.Status }}{{ with .Alerts }}{{ $.Receiver }}{{ len . }}{{ end }}',
    '{{ .CommonLabels.Remove .GroupLabels.Names }}|{{ .CommonLabels.Remove nil }}|{{ .GroupLabels.SortedPairs.Names }}',
    '{{ nil }}',
    '{{ .Status 1 }}',
    '{{ $x := 1 }}{{ $x 2 }}',
    '{{ .Alerts.Firing.Foo }}',
    '{{ range $i, $a := .Alerts }}{{ $a.Nope }}{{ end }}',
  ])('%s', (text) => {
    const set = TemplateSet.fromSources([], { now });
    for (const f of dataFiles) {
      const data = load(f);
      const r = both(() => set.render(text, data));
      expect(r.compiled).toBe(r.interpreted);
      if (r.interpreted.startsWith('OK ')) expect(r.fellBack).toBe(false);
    }
  });
});

/**
 * Generated JavaScript (codegen.ts) against the closures it replaces and the interpreter: the same
 * output or error for the same inputs, and the generator handles every default template.
 */
describe('generated code equals the closures and the interpreter', () => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
    compiledExecution.codegen = true;
  });

  /** Outcome with generated code, with closures only and with the interpreter (each with a fresh set). */
  function three(makeSet: (mode: number) => TemplateSet, render: (set: TemplateSet) => string) {
    const outcome = (set: TemplateSet) => {
      try {
        return 'OK ' + render(set);
      } catch (e) {
        return `ERR ${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const fallbacks = compiledExecution.fallbacks;
    const notGenerated = compiledExecution.notGenerated;
    compiledExecution.codegen = true;
    const generated = outcome(makeSet(0));
    const generatedFellBack = compiledExecution.fallbacks !== fallbacks;
    const gaveUp = compiledExecution.notGenerated !== notGenerated;
    compiledExecution.codegen = false;
    let closures: string;
    try {
      closures = outcome(makeSet(1));
    } finally {
      compiledExecution.codegen = true;
    }
    compiledExecution.enabled = false;
    let interpreted: string;
    try {
      interpreted = outcome(makeSet(2));
    } finally {
      compiledExecution.enabled = true;
    }
    return { generated, closures, interpreted, generatedFellBack, gaveUp };
  }

  it.each(cases.map((c) => [c.name, c] as const))('golden %s', async (_n, c) => {
    process.env.TZ = c.tz ?? 'UTC';
    // a set of its own for each mode (a set keeps the templates it compiled)
    const sets: TemplateSet[] = [];
    try {
      for (let i = 0; i < 3; i++) sets.push(await TemplateSet.load([c.glob], { baseDir: golden, builtins: [] }));
    } catch {
      return;
    }
    const data = load(c.data);
    const r = three(
      (mode) => sets[mode],
      (s) => s.render(c.text, data),
    );
    expect(r.generated).toBe(r.interpreted);
    expect(r.closures).toBe(r.interpreted);
    if (r.interpreted.startsWith('OK ')) expect(r.generatedFellBack).toBe(false);
  });

  const names = relayTemplates().names().filter((name) => name.includes('.default.')); // each renders a whole notification
  it.each(names)('default template %s', (name) => {
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York']) {
      for (const f of dataFiles) {
        const data = load(f);
        const r = three(
          () => relayTemplates([], { timezone: tz, now }),
          (s) => s.render(`{{ template "${name}" . }}`, data) + '\n' + s.render(`{{ template "${name}" . }}`, data),
        );
        expect(r.gaveUp).toBe(false);
        expect(r.generated).toBe(r.interpreted);
        expect(r.closures).toBe(r.interpreted);
        expect(r.generatedFellBack).toBe(false);
      }
    }
  });

  it.each([
    // scopes: declarations end with their if/with/range; assignments reach outer variables
    '{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}{{ with .Status }}{{ $x = . }}{{ end }}{{ $x }}',
    '{{ $x := "a" }}{{ range .Alerts }}{{ $x := .Status }}{{ $x }}{{ end }}{{ $x }}{{ $x := "b" }}{{ $x }}',
    '{{ range $i, $a := .Alerts }}{{ $i }}{{ $a.Status }}{{ else }}{{ $i }}empty{{ end }}',
    '{{ range $i, $a := .Alerts.Resolved }}{{ $i }}{{ else }}[{{ $i }}|{{ $a }}]{{ end }}',
    '{{ range $x := .CommonLabels }}{{ $x }};{{ end }}{{ range $k, $v := .CommonLabels }}{{ $k }}={{ $v }},{{ end }}',
    '{{ range .Alerts }}{{ range .Labels }}{{ if eq . "critical" }}{{ continue }}{{ end }}{{ . }}{{ end }}|{{ end }}',
    '{{ range .Alerts }}{{ $s := .Status }}{{ range .Labels.SortedPairs }}{{ if eq .Name "job" }}{{ break }}{{ end }}{{ $s }}{{ .Name }}{{ end }}{{ end }}',
    '{{ with $a := .Alerts }}{{ len $a }}{{ with $b := index $a 0 }}{{ $b.Status }}{{ $a | len }}{{ end }}{{ end }}',
    '{{ if $x := .CommonLabels.nope }}yes{{ else if $y := .Status }}{{ $y }}{{ $x }}{{ else }}no{{ end }}',
    '{{ define "t2" }}{{ $ }}/{{ . }}{{ end }}{{ $v := 3 }}{{ template "t2" $v }}{{ template "t2" }}{{ template "t2" .Status }}',
    '{{ range .Alerts }}{{ template "__relay.starts" . }}|{{ template "__relay.key_labels" . }}{{ end }}',
    '{{ and 1 0 "x" }} {{ or 0 "" }} {{ and }}{{ or }}',
    '{{ and .Status (or .CommonLabels.nope "b") }} {{ .Status | printf "%s-%s" "a" }} {{ 3 | printf "%d" }}',
    '{{ printf "%v %v %v %v" 1 1.5 true nil }} {{ 1.5 }} {{ -3 }} {{ 0x10 }} {{ true }} {{ "q\u2028" }}',
    '{{ .Status.Foo }}', '{{ .Alerts.Nope }}', '{{ $.Nope.Nope }}', '{{ range 3 }}{{ end }}', '{{ range .Status }}{{ end }}',
    '{{ len .Status 2 }}', '{{ toUpper 1 }}', '{{ .CommonLabels.Remove 1 }}', '{{ index .Alerts 99 }}',
    '{{ (index .Alerts 0).Labels.Remove (stringSlice "job") }}', '{{ $l := .CommonLabels }}{{ $l.Remove $l.Names }}',
    '{{ .CommonLabels.SortedPairs.Names | join "," }} {{ .Alerts.Firing | len }} {{ (index .Alerts.Firing 0).StartsAt.Sub (index .Alerts 0).EndsAt }}',
    '{{ with .ExternalURL }}{{ . }}{{ end }}{{ with .Alerts }}{{ range . }}{{ .Fingerprint }}{{ end }}{{ end }}',
    '{{ $x := 0 }}{{ range $x = .Alerts }}{{ end }}{{ $x.Status }}',
    '{{ range $i, $e := . }}{{ end }}',
    // methods with arguments: constants of the wrong type, arguments of the wrong type, too many
    '{{ range .Alerts }}{{ .StartsAt.Format 1 }}{{ end }}', '{{ range .Alerts }}{{ .EndsAt.Sub .Labels }}{{ end }}',
    '{{ .CommonLabels.Remove .GroupLabels.Names "x" }}', '{{ range .Alerts }}{{ .StartsAt.Format "15:04" }}{{ .EndsAt.Sub .StartsAt }}{{ end }}',
    '{{ with .Alerts }}{{ (index . 0).Labels.Remove (stringSlice "job" "severity") }}{{ end }}{{ .CommonLabels.Remove (stringSlice) }}',
    // adjacent texts (merged into one append), line separators and quotes in text and names
    'a{{/* x */}}b\u2028{{- /* y */}}c"\\{{/* z */}}\u2029d\n{{ define "n\u2028\\"" }}[{{ . }}]{{ end }}{{ template "n\u2028\\"" "\u2028" }}',
  ])('%s', (text) => {
    for (const f of dataFiles) {
      const data = load(f);
      const r = three(
        () => TemplateSet.fromSources([], { now }),
        (s) => s.render(text, data),
      );
      expect(r.generated).toBe(r.interpreted);
      expect(r.closures).toBe(r.interpreted);
      if (r.interpreted.startsWith('OK ')) expect(r.generatedFellBack).toBe(false);
    }
  });
});

