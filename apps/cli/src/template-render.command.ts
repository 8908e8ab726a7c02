/**
 * `alert-relay template render`: the flags and output of `amtool template render`.
 *
 *   --template.glob=GLOB   (repeatable, required) template files, as in the config's `templates:`
 *   --template.text=TEXT   (required) the template text to render
 *   --template.data=FILE   webhook payload JSON; without it, amtool's built-in example notification
 *   --template.type=text   only "text" is supported ("html" would need html/template's escaping)
 *
 * Prints the rendering without a trailing newline; errors go to `err` with exit code 1.
 * alert-relay's default templates (dingtalk.default.text …) are loaded first, so they can be
 * previewed; amtool 0.25 loads none, which only matters for texts that call them.
 */
import { BUILTIN_TEMPLATES } from '@relay/channels/builtin-templates';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Alert, alertList, Data, GoTime, KV, TemplateSet, templateData, loadLocation } from '@relay/templates';

interface Flags {
  globs: string[];
  text?: string;
  data?: string;
  type: string;
}

const FLAGS = ['template.glob', 'template.text', 'template.data', 'template.type'] as const;

function parseFlags(argv: string[]): Flags | string {
  const f: Flags = { globs: [], type: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) return `unexpected ${a}`;
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!(FLAGS as readonly string[]).includes(name)) return `unknown long flag '--${name}'`;
    let value: string;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) return `expected argument for flag '--${name}'`;
      value = argv[++i];
    }
    switch (name) {
      case 'template.glob':
        f.globs.push(value);
        break;
      case 'template.text':
        f.text = value;
        break;
      case 'template.data':
        f.data = value;
        break;
      case 'template.type':
        f.type = value;
        break;
    }
  }
  if (f.globs.length === 0) return 'required flag --template.glob not provided';
  if (f.text === undefined) return 'required flag --template.text not provided';
  if (f.type !== 'text' && f.type !== 'html') return `enum value must be one of text,html, got '${f.type}'`;
  if (f.type === 'html') return '--template.type=html is not supported by alert-relay; use text';
  return f;
}

/**
 * amtool's predefined example notification: two alerts that started 5 and 10 minutes ago and
 * end now, in the local zone. Times carry a monotonic reading, printed like Go's `m=±…`.
 */
export function exampleData(nowMs: number = performance.timeOrigin + performance.now()): Data {
  const local = loadLocation('Local');
  const mono = performance.now() / 1000;
  const at = (minutesAgo: number) => {
    const t = GoTime.fromMillis(nowMs - minutesAgo * 60000, local);
    return new GoTime(t.sec, t.nsec, local, mono - minutesAgo * 60);
  };
  const common = { commonlabelkey1: 'commonlabelvalue1', commonlabelkey2: 'commonlabelvalue2' };
  const commonAnn = { commonannotationkey1: 'commonannotationvalue1', commonannotationkey2: 'commonannotationvalue2' };
  const alerts = [
    new Alert(
      'alertstatus',
      new KV({ label1: 'value1', label2: 'value2', instance: 'foo.bar:1234', ...common }),
      new KV({ annotation1: 'value1', annotation2: 'value2', ...commonAnn }),
      at(5),
      at(0),
      'https://generatorurl.com',
      'fingerprint1',
    ),
    new Alert(
      'alertstatus',
      new KV({ foo: 'bar', baz: 'qux', ...common }),
      new KV({ aaa: 'bbb', ccc: 'ddd', ...commonAnn }),
      at(10),
      at(0),
      'https://generatorurl.com',
      'fingerprint2',
    ),
  ];
  return new Data(
    'receiver',
    'alertstatus',
    alertList(alerts),
    new KV({ grouplabelkey1: 'grouplabelvalue1', grouplabelkey2: 'grouplabelvalue2' }),
    new KV(common),
    new KV(commonAnn),
    'https://example.com',
  );
}

export async function templateRenderCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const fail = (msg: string) => {
    err.write(`alert-relay: error: ${msg}\n\n`);
    return 1;
  };
  const flags = parseFlags(argv);
  if (typeof flags === 'string') return fail(flags);
  try {
    const set = await TemplateSet.load(flags.globs, { baseDir: process.cwd(), builtins: BUILTIN_TEMPLATES });
    let data: Data;
    if (flags.data !== undefined) {
      let raw: string;
      try {
        raw = await readFile(flags.data, 'utf8');
      } catch (e) {
        return fail(`open ${flags.data}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (e) {
        return fail(`error parsing ${flags.data}: ${(e as Error).message}`);
      }
      data = templateData(json as never);
    } else data = exampleData();
    out.write(set.render(flags.text!, data));
    return 0;
  } catch (e) {
    return fail((e as Error).message);
  }
}
