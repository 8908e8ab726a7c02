import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { alertmanagerFuncs } from './alertmanager/funcs';
import type { TemplateData } from './alertmanager/data';
import { BUILTINS } from './engine/builtins';
import { CompiledEnv, compiledExecution, executeCompiled } from './engine/compile';
import { ExecEnv, execute, FuncDef, TemplateExecError } from './engine/exec';
import { isEmptyTree, parse, TemplateParseError, Tree } from './engine/parse';
import { COMMON_TEMPLATE_SOURCE, TemplateSource } from './defaults';
import { DINGTALK_TOOL_DEFAULT_TMPL } from './prometheus-webhook-dingtalk/default-template';
import { dingtalkToolOverrides, sprigFuncs } from './prometheus-webhook-dingtalk/funcs';

/**
 * Whose template semantics a render follows: Alertmanager's (every template), or
 * prometheus-webhook-dingtalk's (a DingTalk target imported from it): sprig's meaning for the
 * names sprig and Alertmanager share, and the tool's built-in templates behind the config's own.
 */
export type TemplateDialect = 'alertmanager' | 'prometheus-webhook-dingtalk';
export const TEMPLATE_DIALECTS: readonly TemplateDialect[] = ['alertmanager', 'prometheus-webhook-dingtalk'];

export interface TemplateOptions {
  /** IANA zone the default templates show times in (`global.timezone`); default 'UTC'. */
  timezone?: string;
  /**
   * Built-in templates, parsed in order before any user file (which may redefine their names):
   * the relay's are the common helpers and each channel's defaults (@relay/channels). Default:
   * the common helpers alone.
   */
  builtins?: readonly TemplateSource[];
  /** Clock for `since` (tests). */
  now?: () => Date;
}

export { TemplateParseError, TemplateExecError };

/** A parse error in a template file, naming the file. */
export class TemplateFileError extends TemplateParseError {
  constructor(
    readonly file: string,
    cause: TemplateParseError,
  ) {
    super(cause.message, cause.parseName, cause.line);
    this.name = 'TemplateFileError';
  }
}

interface ParsedText {
  root: Tree;
  defs: Map<string, Tree>;
  env: ExecEnv;
  compiled: CompiledEnv;
}

const TEXT_CACHE_MAX = 1000;

/**
 * A set of templates, like Alertmanager's *template.Template: the built-in defaults, then user
 * files, then any text rendered against it.
 *
 * Timezone: the default templates print times with `{{ (.StartsAt | tz relayTimezone).Format … }}`;
 * `relayTimezone` is a function registered per set that returns `TemplateOptions.timezone`. A user
 * who copies a default template into Alertmanager replaces `relayTimezone` with a quoted zone name.
 */
export class TemplateSet {
  private readonly trees: Map<string, Tree>;
  private readonly funcs: Record<string, FuncDef>;
  private readonly opts: TemplateOptions;
  private toolView?: TemplateSet;
  private readonly textCache = new Map<string, ParsedText>();
  private readonly env: ExecEnv;
  private compiled: CompiledEnv;
  /** What the render in progress was called with: `routeLabels` reads it, as Go binds it per execution. */
  private renderData: unknown;
  readonly timezone: string;

  private constructor(opts: TemplateOptions = {}, shared?: Map<string, Tree>) {
    this.opts = opts;
    this.timezone = opts.timezone ?? 'UTC';
    this.trees = shared ?? new Map();
    // sprig's own names parse in every set (the tool's template files may be loaded by any
    // config); Alertmanager's functions come after them, so no sprig name can shadow one.
    this.funcs = { ...BUILTINS, ...sprigFuncs({ now: opts.now }), ...alertmanagerFuncs({ timezone: this.timezone, now: opts.now, renderData: () => this.renderData }) };
    let lookup = (name: string) => this.trees.get(name);
    if (shared) {
      Object.assign(this.funcs, dingtalkToolOverrides({ now: opts.now }));
      const tool = new Map(parse('default.tmpl', 'default.tmpl', DINGTALK_TOOL_DEFAULT_TMPL, { hasFunction: this.hasFunction }).defs.map((t) => [t.name, t]));
      lookup = (name) => this.trees.get(name) ?? tool.get(name);
    }
    this.env = { funcs: this.funcs, lookup };
    this.compiled = new CompiledEnv(this.funcs, lookup);
  }

  /**
   * The same templates rendered in another dialect (see TemplateDialect). The view shares this
   * set's templates; it is made once and dropped when a source is added.
   */
  dialect(dialect: TemplateDialect): TemplateSet {
    if (dialect === 'alertmanager') return this;
    this.toolView ??= new TemplateSet(this.opts, this.trees);
    return this.toolView;
  }

  /**
   * Parses the built-in default templates, then every file matching the globs (relative to
   * baseDir), in Alertmanager's order; user files may redefine default names.
   * Throws TemplateFileError naming the file (`template: FILE:LINE: …`).
   */
  static async load(globs: string[], opts: TemplateOptions & { baseDir?: string } = {}): Promise<TemplateSet> {
    const set = TemplateSet.fromSources([], opts);
    for (const g of globs) {
      const files = await expandGlob(g, opts.baseDir ?? process.cwd());
      for (const file of files) {
        const text = await readFile(file, 'utf8');
        try {
          set.addSource(basename(file), text);
        } catch (e) {
          if (e instanceof TemplateParseError) throw new TemplateFileError(file, e);
          throw e;
        }
      }
    }
    return set;
  }

  static fromSources(sources: readonly TemplateSource[], opts: TemplateOptions = {}): TemplateSet {
    const set = new TemplateSet(opts);
    for (const s of [...(opts.builtins ?? [COMMON_TEMPLATE_SOURCE]), ...sources]) set.addSource(s.name, s.text);
    return set;
  }

  /** Names of every defined template. */
  names(): string[] {
    return [...this.trees.keys()].filter((n) => n !== '');
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** Alertmanager's ExecuteTextString: parses `text` (cached) in the context of the set and executes it. */
  render(text: string, data: TemplateData | unknown): string {
    if (text === '') return '';
    const parsed = this.parseText(text);
    return this.run(parsed.env, parsed.compiled, parsed.root, data);
  }

  /** Executes a defined template by name. */
  execute(name: string, data: TemplateData | unknown): string {
    const tree = this.env.lookup(name);
    if (!tree) throw new TemplateExecError(`template: no template ${JSON.stringify(name)} associated with template ""`);
    return this.run(this.env, this.compiled, tree, data);
  }

  private run(env: ExecEnv, compiled: CompiledEnv, tree: Tree, data: unknown): string {
    const outer = this.renderData;
    this.renderData = data;
    try {
      return run(env, compiled, tree, data);
    } finally {
      this.renderData = outer;
    }
  }

  /** Validates that `text` parses (for check-config); throws TemplateParseError with the position. */
  check(text: string): void {
    if (text !== '') this.parseText(text);
  }

  private hasFunction = (name: string) => name in this.funcs;

  private parseText(text: string): ParsedText {
    let parsed = this.textCache.get(text);
    if (parsed) return parsed;
    const { root, defs } = parse('', '', text, { hasFunction: this.hasFunction });
    const local = new Map<string, Tree>();
    for (const d of defs) {
      const old = local.get(d.name) ?? this.env.lookup(d.name);
      if (old && isEmptyTree(d.root)) continue;
      local.set(d.name, d);
    }
    let env = this.env;
    let compiled = this.compiled;
    if (local.size > 0) {
      const outer = this.env.lookup;
      env = { funcs: this.funcs, lookup: (name) => local.get(name) ?? outer(name) };
      compiled = new CompiledEnv(this.funcs, env.lookup);
    }
    parsed = { root, defs: local, env, compiled };
    if (this.textCache.size >= TEXT_CACHE_MAX) this.textCache.clear();
    this.textCache.set(text, parsed);
    return parsed;
  }

  /** Go's Template.Parse into the set under `name` (a file's base name): its body and its definitions. */
  private addSource(name: string, text: string) {
    const { root, defs } = parse(name, name, text, { hasFunction: this.hasFunction });
    for (const t of [...defs, root]) {
      const old = this.trees.get(t.name);
      if (old && isEmptyTree(t.root)) continue;
      this.trees.set(t.name, t);
    }
    this.textCache.clear();
    this.compiled = new CompiledEnv(this.funcs, this.env.lookup);
    this.toolView = undefined;
  }
}

/**
 * Executes with the compiled fast path; when that gives up (an execution error, or anything it
 * does not handle), the interpreter runs instead and has the last word: output or Go's error.
 */
function run(env: ExecEnv, compiled: CompiledEnv, tree: Tree, data: unknown): string {
  if (compiledExecution.enabled) {
    try {
      return executeCompiled(compiled, tree, data);
    } catch {
      compiledExecution.fallbacks++; // the interpreter decides
    }
  }
  return execute(env, tree, data);
}

// ---------------------------------------------------------------- globbing (Go's filepath.Glob)

function segmentRegex(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) throw new Error('syntax error in pattern');
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\]\\]/g, '\\$&');
      else cls = cls.replace(/[\]\\^]/g, '\\$&');
      re += `[${cls}]`;
      i = end;
    } else if (c === '\\' && i + 1 < seg.length) {
      re += seg[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

const hasMeta = (s: string) => /[*?[\\]/.test(s);

/** Files matching a glob, sorted per directory like Go's filepath.Glob. No match is not an error. */
export async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const abs = isAbsolute(pattern);
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let dirs: string[] = [abs ? '/' : resolve(baseDir)];
  const segs = abs ? parts.slice(1) : parts;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    const next: string[] = [];
    for (const dir of dirs) {
      if (!hasMeta(seg)) {
        const p = join(dir, seg);
        try {
          const st = await stat(p);
          if (last || st.isDirectory()) next.push(p);
        } catch {
          /* no match */
        }
        continue;
      }
      let names: string[];
      try {
        names = (await readdir(dir)).sort();
      } catch {
        continue;
      }
      const re = segmentRegex(seg);
      for (const n of names) {
        if (!re.test(n)) continue;
        const p = join(dir, n);
        if (!last) {
          try {
            if (!(await stat(p)).isDirectory()) continue;
          } catch {
            continue;
          }
        }
        next.push(p);
      }
    }
    dirs = next;
  }
  const files: string[] = [];
  for (const p of dirs) {
    try {
      if ((await stat(p)).isFile()) files.push(p);
    } catch {
      /* vanished */
    }
  }
  return files;
}
