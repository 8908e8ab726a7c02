/**
 * The fastest path: a parsed template compiled to the source of one JavaScript function (built
 * with `new Function`), so that every place in a template is its own piece of code and V8 keeps
 * a separate inline cache for each: field lookups, function calls and template calls at one
 * place see one kind of value and run monomorphic. Variables become JavaScript locals (Go's
 * variable scopes are lexical), text is appended as string literals, {{break}}/{{continue}}
 * are JavaScript's.
 *
 * Same contract as the closures in compile.ts: the generated code only has to be right when
 * execution succeeds; anything unusual throws and the interpreter runs instead. What the
 * generator does not handle (a variable declared inside a parenthesised pipeline, a variable
 * in a method's arguments) makes it give up at compile time, and the tree is compiled to
 * closures as before. Both kinds of compiled templates call each other through `Ctx`.
 */
import { compareStrings, formatV } from './fmt';
import type { FuncDef } from './exec';
import { zeroValue } from './exec';
import { GoTime } from './gotime';
import { ArgNode, BranchNode, CommandNode, ListNode, N, Node, PipeNode, TemplateNode, Tree } from './parse';
import { GoObject, GoType, isTrue, ParamType, T_SLICE_ANY, typedSliceType } from './values';
import {
  BAIL,
  Compiler,
  CompiledEnv,
  CompiledTemplate,
  Ctx,
  Emit,
  eq2,
  FieldSite,
  isLiteral,
  K_MAP,
  K_METHOD,
  K_STRUCT,
  literalArg,
  MAX_COMPILED_DEPTH,
  MISSING,
  NO_CONSTANT,
  validate,
} from './compile';
import { goEq } from './builtins';

/** The generator gives up on this tree (closures are used instead). */
class Unsupported extends Error {}

/** Helpers the generated code calls, passed in as `R`. */
interface Runtime {
  bail(): never;
  isTrue(v: unknown): boolean;
  print(v: unknown): string;
  validate(v: unknown, t: ParamType): unknown;
  sliceType(a: unknown[]): GoType;
  mapKeys(v: unknown): string[] | null;
  zeroValue(t: GoType | undefined): unknown;
  lookup(c: Ctx, site: TemplateSite, name: string): CompiledTemplate | undefined;
  MISSING: unknown;
  GoTime: typeof GoTime;
  maxDepth: number;
}

interface TemplateSite {
  env: CompiledEnv | null;
  ct: CompiledTemplate | undefined;
}

let runtime: Runtime | undefined;
function getRuntime(): Runtime {
  return (runtime ??= {
    bail(): never {
      throw BAIL;
    },
    isTrue,
    print: (v) => (typeof v === 'string' ? v : v === undefined || v === null ? '<no value>' : formatV(v)),
    validate,
    sliceType: (a) => typedSliceType(a) ?? T_SLICE_ANY,
    mapKeys(v) {
      if (v !== null && typeof v === 'object' && (v as GoObject).goType?.kind === 'map') {
        const keys = (v as GoObject).goKeys!();
        keys.sort(compareStrings);
        return keys;
      }
      return null;
    },
    zeroValue: (t) => zeroValue(t),
    lookup(c, site, name) {
      const ct = c.env.lookup(name);
      site.env = c.env;
      site.ct = ct;
      return ct;
    },
    MISSING,
    GoTime,
    maxDepth: MAX_COMPILED_DEPTH,
  });
}

/** Compiles `tree` to a generated function; throws when the generator gives up. */
export function generateTree(tree: Tree, funcs: Record<string, FuncDef>): Emit {
  const g = new Gen(funcs);
  const body = g.list(tree.root, 'd0');
  const src =
    `'use strict';\nconst { bail, isTrue, print, validate, sliceType, mapKeys, zeroValue, lookup, MISSING, GoTime, maxDepth } = R;\n${g.head.join('\n')}\n` +
    `return function ${safeName(tree.name)}(c, d0) {\nlet v0 = d0${g.temps > 0 ? ', ' + Array.from({ length: g.temps }, (_, i) => 't' + i).join(', ') : ''};\n${body}return 0;\n};`;
  const make = new Function('K', 'R', mergeTexts(src)) as (k: unknown[], r: Runtime) => Emit;
  return make(g.consts, getRuntime());
}

/** Go's truth of the value in the local `v`: strings and booleans inline. */
function truth(v: string): string {
  return `(typeof ${v} === 'string' ? ${v}.length !== 0 : typeof ${v} === 'boolean' ? ${v} : isTrue(${v}))`;
}

/** A JavaScript string literal, with no raw line separators in it (so the source's lines are its statements). */
function quote(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Consecutive appends of literal text become one. */
function mergeTexts(src: string): string {
  return src.replace(/(?:^c\.out \+= "(?:[^"\\\n]|\\.)*";\n){2,}/gm, (run) => {
    let text = '';
    for (const m of run.matchAll(/^c\.out \+= ("(?:[^"\\\n]|\\.)*");$/gm)) text += JSON.parse(m[1]) as string;
    return `c.out += ${quote(text)};\n`;
  });
}

function safeName(name: string): string {
  return 'tmpl_' + name.replace(/[^A-Za-z0-9_]/g, '_');
}

interface Var {
  name: string;
  js: string;
}

class Gen {
  readonly consts: unknown[] = [];
  readonly head: string[] = [];
  temps = 0;
  private nvars = 1;
  private nlabels = 0;
  private nsites = 0;
  private scope: Var[] = [{ name: '$', js: 'v0' }];
  /** Labels of the enclosing {{range}} loops (innermost last). */
  private loops: string[] = [];
  private readonly closures: Compiler;

  constructor(private readonly funcs: Record<string, FuncDef>) {
    this.closures = new Compiler(funcs);
  }

  /** A constant, as the name of a local bound to it. */
  private k(v: unknown): string {
    const i = this.consts.length;
    this.consts.push(v);
    this.head.push(`const k${i} = K[${i}];`);
    return `k${i}`;
  }

  private lit(v: unknown): string {
    if (typeof v === 'string') return quote(v);
    if (typeof v === 'boolean') return String(v);
    if (v === undefined) return 'undefined';
    if (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0)) return String(v);
    return this.k(v);
  }

  private tmp(): string {
    return 't' + this.temps++;
  }

  // -------------------------------------------------------------- statements

  list(list: ListNode, dot: string): string {
    let out = '';
    for (const n of list.nodes) out += this.node(n, dot);
    return out;
  }

  private node(n: Node, dot: string): string {
    switch (n.type) {
      case N.Text:
        return n.text === '' ? '' : `c.out += ${quote(n.text)};\n`;
      case N.Comment:
        return '';
      case N.Action: {
        if (n.pipe.decl.length > 0) {
          const { code } = this.declPipe(n.pipe, dot);
          return code;
        }
        const t = this.tmp();
        return `${t} = ${this.pipe(n.pipe, dot)};\nc.out += typeof ${t} === 'string' ? ${t} : print(${t});\n`;
      }
      case N.Break:
      case N.Continue: {
        const label = this.loops[this.loops.length - 1];
        if (label === undefined) throw new Unsupported();
        return `${n.type === N.Break ? 'break' : 'continue'} ${label};\n`;
      }
      case N.If:
      case N.With:
        return this.ifOrWith(n, dot);
      case N.Range:
        return this.range(n, dot);
      case N.Template:
        return this.template(n, dot);
      case N.List:
        return `{\n${this.scoped(() => this.list(n, dot))}}\n`;
    }
  }

  /** Runs `f` and forgets the variables it declared. */
  private scoped<T>(f: () => T): T {
    const mark = this.scope.length;
    try {
      return f();
    } finally {
      this.scope.length = mark;
    }
  }

  /**
   * A pipeline with declarations, at statement level: the code that evaluates it and declares or
   * assigns its variables (in the current scope), and the name holding its value.
   */
  private declPipe(p: PipeNode, dot: string): { code: string; value: string } {
    const value = this.tmp();
    let code = `${value} = ${this.pipe(p, dot)};\n`;
    for (const v of p.decl) {
      const name = v.ident[0];
      if (p.isAssign) {
        const target = this.findVar(name);
        code += target === undefined ? `bail();\n` : `${target} = ${value};\n`;
      } else {
        const js = 'v' + this.nvars++;
        code += `let ${js} = ${value};\n`;
        this.scope.push({ name, js });
      }
    }
    return { code, value };
  }

  private findVar(name: string): string | undefined {
    for (let i = this.scope.length - 1; i >= 0; i--) if (this.scope[i].name === name) return this.scope[i].js;
    return undefined;
  }

  private varRef(name: string): string {
    return this.findVar(name) ?? 'bail()';
  }

  private ifOrWith(n: BranchNode, dot: string): string {
    return `{\n${this.scoped(() => {
      let code: string;
      let value: string;
      if (n.pipe.decl.length > 0) ({ code, value } = this.declPipe(n.pipe, dot));
      else {
        value = this.tmp();
        code = `${value} = ${this.pipe(n.pipe, dot)};\n`;
      }
      let inner: string;
      let innerDot = dot;
      if (n.type === N.With) {
        innerDot = 'w' + this.nvars++;
        inner = `const ${innerDot} = ${value};\n`;
      } else inner = '';
      inner += this.scoped(() => this.list(n.list, innerDot));
      const els = n.elseList ? this.scoped(() => this.list(n.elseList!, dot)) : '';
      return `${code}if (${truth(value)}) {\n${inner}}${els ? ` else {\n${els}}` : ''}\n`;
    })}}\n`;
  }

  private range(n: BranchNode, dot: string): string {
    return `{\n${this.scoped(() => {
      const p = n.pipe;
      let code: string;
      let value: string;
      if (p.decl.length > 0) ({ code, value } = this.declPipe(p, dot));
      else {
        value = this.tmp();
        code = `${value} = ${this.pipe(p, dot)};\n`;
      }
      const names = p.decl.map((v) => v.ident[0]);
      const nd = names.length;
      // the variables the iteration sets: names[0] is the index (or the element when alone)
      const targets = names.map((name) => this.findVar(name));
      const set = (index: string, elem: string) => {
        if (nd === 0) return '';
        if (targets.some((t) => t === undefined)) return 'bail();\n';
        if (nd > 1) return `${targets[0]} = ${index};\n${targets[1]} = ${elem};\n`;
        return `${targets[0]} = ${elem};\n`;
      };
      const label = 'L' + this.nlabels++;
      const i = 'i' + this.nvars++;
      const e = 'e' + this.nvars++;
      const keys = 'ks' + this.nvars++;
      this.loops.push(label);
      let arrayBody: string;
      let mapBody: string;
      try {
        arrayBody = this.scoped(() => this.list(n.list, e));
        mapBody = this.scoped(() => this.list(n.list, e));
      } finally {
        this.loops.pop();
      }
      const els = n.elseList ? this.scoped(() => this.list(n.elseList!, dot)) : '';
      let keysVar: string;
      return (
        code +
        `if (Array.isArray(${value}) && ${value}.length > 0) {\n` +
        `${label}: for (let ${i} = 0; ${i} < ${value}.length; ${i}++) {\nconst ${e} = ${value}[${i}];\n${set(i, e)}${arrayBody}}\n` +
        `} else {\nconst ${(keysVar = keys)} = mapKeys(${value});\n` +
        `if (${keysVar} !== null && ${keysVar}.length > 0) {\n` +
        `${label}: for (let ${i} = 0; ${i} < ${keysVar}.length; ${i}++) {\nconst ${e} = ${value}.goField(${keysVar}[${i}]);\n${set(`${keysVar}[${i}]`, e)}${mapBody}}\n` +
        `} else {\nif (${value} !== undefined && ${value} !== null && !Array.isArray(${value}) && ${keysVar} === null) bail();\n${els}}\n}\n`
      );
    })}}\n`;
  }

  private template(t: TemplateNode, dot: string): string {
    const site = this.k({ env: null, ct: undefined } satisfies TemplateSite);
    let code = '{\n';
    let value = 'undefined';
    if (t.pipe) {
      if (t.pipe.decl.length > 0) {
        // the variables stay declared after the call, as in Go
        const r = this.declPipe(t.pipe, dot);
        code = r.code + code;
        value = r.value;
      } else {
        value = this.tmp();
        code += `${value} = ${this.pipe(t.pipe, dot)};\n`;
      }
    }
    return (
      code +
      `const ct = c.env === ${site}.env ? ${site}.ct : lookup(c, ${site}, ${quote(t.name)});\n` +
      `if (ct === undefined || c.depth >= maxDepth) bail();\n` +
      // generated code keeps its variables in locals; closures keep theirs on c's stack, from c.base
      `if (ct.generated) {\nc.depth++;\nct.body(c, ${value});\nc.depth--;\n} else {\n` +
      `const sb = c.base, sp = c.sp;\nc.base = sp;\nc.vn[sp] = '$';\nc.vv[sp] = ${value};\nc.sp = sp + 1;\nc.depth++;\n` +
      `ct.body(c, ${value});\nc.depth--;\nc.base = sb;\nc.sp = sp;\n}\n}\n`
    );
  }

  // -------------------------------------------------------------- expressions

  /** The value of a pipeline without declarations (those are handled by declPipe). */
  pipe(p: PipeNode, dot: string): string {
    let v = '';
    p.cmds.forEach((cmd, i) => {
      if (i === 0) v = this.command(cmd, dot, null);
      else {
        const t = this.tmp();
        const prev = v;
        v = `(${t} = ${prev}, ${this.command(cmd, dot, t)})`;
      }
    });
    return v;
  }

  /** A nested pipeline (an argument or a parenthesised command): no declarations. */
  private nestedPipe(p: PipeNode, dot: string): string {
    if (p.decl.length > 0) throw new Unsupported();
    return this.pipe(p, dot);
  }

  /** `final` is the name holding the previous command's value, or null for the first command. */
  private command(cmd: CommandNode, dot: string, final: string | null): string {
    const args = cmd.args;
    const first = args[0];
    const notAFunction = args.length > 1 || final !== null;
    switch (first.type) {
      case N.Field:
        return this.fieldChain(dot, dot, first.ident, args, final);
      case N.Chain:
        if (first.node.type === N.Nil) return 'bail()';
        return this.fieldChain(dot, this.arg(first.node, 'any', dot), first.field, args, final);
      case N.Identifier:
        return this.func(first.ident, args, final, dot);
      case N.Pipe:
        if (notAFunction) return 'bail()';
        return this.nestedPipe(first, dot);
      case N.Variable: {
        const name = first.ident[0];
        if (first.ident.length === 1) return notAFunction ? 'bail()' : this.varRef(name);
        return this.fieldChain(dot, this.varRef(name), first.ident.slice(1), args, final);
      }
    }
    if (notAFunction) return 'bail()';
    switch (first.type) {
      case N.Bool:
        return this.lit(first.value);
      case N.Dot:
        return dot;
      case N.Number:
        return this.lit(first.constant);
      case N.String:
        return this.lit(first.text);
    }
    return 'bail()';
  }

  /** `.A.B.C` on `recv`; args (args[0] is the field itself) and final go to the last field. */
  private fieldChain(dot: string, recv: string, idents: string[], args: ArgNode[] | null, final: string | null): string {
    const n = idents.length;
    let v = recv;
    for (let i = 0; i < n; i++) {
      const last = i === n - 1;
      const siteArgs = last ? args : null;
      if (siteArgs !== null && siteArgs.slice(1).some(usesVariables)) throw new Unsupported(); // method arguments are closures, which see no locals
      const hasFinal = last && final !== null;
      const nArgs = siteArgs !== null ? siteArgs.length - 1 : 0;
      if (nArgs > 0 && !hasFinal && nArgs <= 3) {
        // a method's arguments are evaluated here (the closures for them only when get() is taken),
        // once the receiver is known not to be nil, as get() would
        const literal = siteArgs!.slice(1).map(isLiteral);
        const f = this.fieldSite(idents[i], siteArgs, false, literal);
        const raw = siteArgs!.slice(1).map((a, j) => (literal[j] ? 'undefined' : this.arg(a, 'any', dot)));
        const r = this.tmp();
        v = `(${r} = ${v}, ${r} === undefined || ${r} === null ? undefined : ${f}(c, ${dot}, ${r}, MISSING, ${raw.join(', ')}))`;
        continue;
      }
      const f = this.fieldSite(idents[i], siteArgs, hasFinal, null);
      v = `${f}(c, ${dot}, ${v}, ${hasFinal ? final : 'MISSING'})`;
    }
    return v;
  }

  /** A function of its own for one `.Name` (so its lookups have their own inline caches). */
  private fieldSite(name: string, args: ArgNode[] | null, hasFinal: boolean, literal: boolean[] | null): string {
    const site = new FieldSite(this.closures, name, args, hasFinal);
    const s = this.k(site);
    const f = 'f' + this.nsites++;
    const key = quote(name);
    // with arguments: their values (the literal ones are constants of the method's parameter types)
    const params = literal === null ? '' : literal.map((_, j) => `, a${j}`).join('');
    const withArgs =
      literal === null
        ? ''
        : `if (${s}.withArgs !== null) { const w = ${s}.withArgs; return w.fn(r${literal.map((lit, j) => (lit ? `, w.consts[${j}]` : `, w.checks[${j}](a${j})`)).join('')}); }`;
    this.head.push(
      `function ${f}(c, d, r, fin${params}) {\n` +
        `if (r === undefined || r === null) return undefined;\n` +
        `if (typeof r === 'object') {\n` +
        `const t = Array.isArray(r) ? sliceType(r) : r.goType;\n` +
        `if (t === ${s}.t) {\n` +
        `switch (${s}.kind) {\n` +
        `case ${K_STRUCT}: if (r.goField !== undefined) return r.goField(${key}); break;\n` +
        `case ${K_MAP}: { const v = r.goField(${key}); if (v !== undefined) return v; const z = ${s}.elemZero; return z === MISSING ? zeroValue(t.elem) : z; }\n` +
        `case ${K_METHOD}: if (${s}.direct !== null) return ${s}.direct(r); ${withArgs} break;\n` +
        `}\n}\n}\n` +
        `return ${s}.get(c, d, r, fin);\n}`,
    );
    return f;
  }

  /** A function call: `name args…` (args[0] is the name; null when used as an argument). */
  private func(name: string, argNodes: ArgNode[] | null, final: string | null, dot: string): string {
    const fn = this.funcs[name];
    if (!fn) return 'bail()';
    const hasFinal = final !== null;
    const nArgs = argNodes ? argNodes.length - 1 : 0;
    const numIn = nArgs + (hasFinal ? 1 : 0);
    const params = fn.params;
    const nParams = params.length + (fn.variadic ? 1 : 0);
    let numFixed = nArgs;
    if (fn.variadic) {
      numFixed = params.length;
      if (numIn < numFixed) return 'bail()';
    } else if (numIn !== nParams) {
      return 'bail()';
    }

    if (fn.shortCircuit) {
      const isOr = fn.shortCircuit === 'or';
      const t = this.tmp();
      // v = arg1; if decided return it; … ; the final value (or the last argument's)
      let v = hasFinal ? final : nArgs > 0 ? t : 'undefined';
      for (let j = nArgs; j >= 1; j--) {
        const a = this.arg(argNodes![j], 'any', dot);
        v = `(${t} = ${a}, ${isOr ? '' : '!'}${truth(t)} ? ${t} : ${v})`;
      }
      return v;
    }

    if (fn.pure && !hasFinal && argNodes!.slice(1).every(isLiteral)) {
      // constant arguments: the closure compiler computes the result once and shares it
      const cmd = this.closures.call(fn, argNodes, false, false) as (c: Ctx, d: unknown) => unknown;
      return `${this.k(cmd)}(c, ${dot})`;
    }

    const evals: string[] = [];
    let i = 0;
    for (; i < numFixed && i < nArgs; i++) evals.push(this.arg(argNodes![i + 1], params[i], dot));
    if (fn.variadic) for (; i < nArgs; i++) evals.push(this.arg(argNodes![i + 1], fn.variadic, dot));
    if (hasFinal) {
      const t = fn.variadic ? (numIn - 1 < numFixed ? params[numIn - 1] : fn.variadic) : params[params.length - 1];
      evals.push(this.check(final, t));
    }
    const f = numIn === 2 && fn.fn === goEq ? eq2 : fn.fn;
    return `${this.k(f)}(${evals.join(', ')})`;
  }

  /** `value` checked against a parameter type (exec.ts validateType). */
  private check(value: string, typ: ParamType): string {
    switch (typ) {
      case 'any':
        return value;
      case 'string': {
        const t = this.tmp();
        return `(${t} = ${value}, typeof ${t} === 'string' ? ${t} : validate(${t}, 'string'))`;
      }
      case 'time.Time': {
        const t = this.tmp();
        return `(${t} = ${value}, ${t} instanceof GoTime ? ${t} : validate(${t}, 'time.Time'))`;
      }
      default:
        return `validate(${value}, ${JSON.stringify(typ)})`;
    }
  }

  /** exec.ts evalArg: the value of an argument node passed as `typ`. */
  private arg(n: ArgNode, typ: ParamType, dot: string): string {
    let e: string;
    switch (n.type) {
      case N.Dot:
        e = dot;
        break;
      case N.Field:
        e = this.fieldChain(dot, dot, n.ident, null, null);
        break;
      case N.Variable:
        e = n.ident.length === 1 ? this.varRef(n.ident[0]) : this.fieldChain(dot, this.varRef(n.ident[0]), n.ident.slice(1), null, null);
        break;
      case N.Pipe:
        e = `(${this.nestedPipe(n, dot)})`;
        break;
      case N.Identifier:
        e = this.func(n.ident, null, null, dot);
        break;
      case N.Chain:
        if (n.node.type === N.Nil) return 'bail()';
        e = this.fieldChain(dot, this.arg(n.node, 'any', dot), n.field, null, null);
        break;
      default: {
        const k = literalArg(n, typ);
        if (k === NO_CONSTANT) return 'bail()';
        return this.lit(k);
      }
    }
    return this.check(e, typ);
  }
}

/** Whether an argument refers to a variable anywhere inside. */
function usesVariables(n: ArgNode): boolean {
  switch (n.type) {
    case N.Variable:
      return true;
    case N.Chain:
      return usesVariables(n.node);
    case N.Pipe:
      return n.decl.length > 0 || n.cmds.some((c) => c.args.some(usesVariables));
    default:
      return false;
  }
}
