/**
 * Golden tests: every case in golden/cases.json rendered by the engine must equal, byte for byte,
 * what `amtool template render` (0.25) printed for it (scripts/regen-template-goldens.sh).
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
}

const dir = join(__dirname, 'golden');
const cases: GoldenCase[] = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));

describe('golden: engine output equals amtool template render', () => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('has at least 40 cases, each with a fixture', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) {
      expect(existsSync(join(dir, 'expected', `${c.name}.out`)) || existsSync(join(dir, 'expected', `${c.name}.err`))).toBe(true);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    process.env.TZ = c.tz ?? 'UTC';
    const outFile = join(dir, 'expected', `${c.name}.out`);
    const errFile = join(dir, 'expected', `${c.name}.err`);
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
