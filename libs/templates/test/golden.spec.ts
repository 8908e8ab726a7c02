/**
 * Golden tests: every case in golden/cases.json rendered by the engine must equal, byte for byte,
 * what `amtool template render` (0.25) printed for it (scripts/regen-template-goldens.sh).
 *
 * golden/newer-cases.json holds what amtool 0.25 cannot check: functions, fields and printing
 * of later releases up to Alertmanager v0.34.0. Their expected output (golden/expected-newer/)
 * is written by hand from v0.34.0's template.go, template_test.go and docs; each case's `why`
 * names the source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateSet, templateData } from '@relay/templates';

interface GoldenCase {
  name: string;
  text: string;
  data: string;
  glob: string;
  tz?: string;
  /** newer-cases.json: where the expected output comes from. */
  why?: string;
}

const dir = join(__dirname, 'golden');
const readCases = (file: string): GoldenCase[] => JSON.parse(readFileSync(join(dir, file), 'utf8'));

describe.each([
  ['engine output equals amtool template render', readCases('cases.json'), 'expected', 40],
  ['engine output equals what Alertmanager v0.34.0 defines', readCases('newer-cases.json'), 'expected-newer', 30],
] as const)('golden: %s', (_title, cases, expectedDir, minCases) => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it(`has at least ${minCases} cases, each with a fixture`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(minCases);
    for (const c of cases) {
      expect(existsSync(join(dir, expectedDir, `${c.name}.out`)) || existsSync(join(dir, expectedDir, `${c.name}.err`))).toBe(true);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    process.env.TZ = c.tz ?? 'UTC';
    const outFile = join(dir, expectedDir, `${c.name}.out`);
    const errFile = join(dir, expectedDir, `${c.name}.err`);
    let actual: string;
    let failed = false;
    try {
      // amtool 0.25 loads no default templates.
      const set = await TemplateSet.load([c.glob], { baseDir: dir, builtins: [] });
      const data = templateData(JSON.parse(readFileSync(join(dir, 'data', c.data), 'utf8')));
      actual = set.render(c.text, data);
    } catch (e) {
      failed = true;
      actual = (e as Error).message + '\n';
    }
    if (existsSync(outFile)) {
      expect(failed ? `ERROR: ${actual}` : actual).toBe(readFileSync(outFile, 'utf8'));
    } else {
      expect(failed ? actual : `RENDERED: ${actual}`).toBe(readFileSync(errFile, 'utf8'));
    }
  });
});
