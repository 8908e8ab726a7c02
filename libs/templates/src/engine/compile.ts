/**
 * The fast path for executing parsed templates: each tree is compiled once into JavaScript
 * closures (one per node; field names, functions, argument types and constant arguments are
 * resolved when compiling, field and method lookups cache the receiver's Go type per site), and
 * a render shares one state object across `{{template}}` calls.
 *
 * The compiled code only has to be right when execution succeeds. Whenever anything would go
 * wrong — a Go error, a function's GoCallError, an unexpected receiver, deep recursion — it
 * throws, and the caller runs the reference interpreter (exec.ts) on the same input, which then
 * produces Go's exact error message (or the output, should the compiled code have given up on
 * something the interpreter can do). So every check the interpreter makes is made here too, as
 * a throw; messages and error positions are the interpreter's business.
 */
import { goEq } from './builtins';
import { generateTree } from './codegen';
import { compareStrings, formatV } from './fmt';
import type { FuncDef } from './exec';
import { canBeNil, fitsParamType, zeroValue } from './exec';
import { GoDuration, GoTime } from './gotime';
import { ArgNode, BranchNode, CommandNode, ListNode, N, Node, nodeString, PipeNode, TemplateNode, Tree } from './parse';
import { GoFloat, GoMethod, GoObject, GoType, isExported, isTrue, ParamType, typeOf } from './values';

/** Tests switch the fast path off to compare it with the interpreter, and count its hand-overs. */
export const compiledExecution = {
  enabled: true,
  fallbacks: 0,
  /** Generate JavaScript per template (codegen.ts); off: closures only. */
  codegen: true,
  /** Trees the generator left to the closures. */
  notGenerated: 0,
};

/** Thrown by compiled code to hand the render over to the interpreter. */
export const BAIL: { bail: true } = { bail: true };
export const MISSING: unique symbol = Symbol('missing');

/**
 * Template calls deeper than this are left to the interpreter (which reports Go's depth error or
 * the stack overflow); real templates nest a handful of levels.
 */
export const MAX_COMPILED_DEPTH = 100;

/** Result of executing a node: 0 normal, 1 {{break}}, 2 {{continue}}. */
const R_NEXT = 0;
const R_BREAK = 1;
const R_CONTINUE = 2;

/** Per-render state: output, the variable stack (names and values; a template's frame starts at `base`). */
export class Ctx {
  out = '';
  vn: string[] = [];
  vv: unknown[] = [];
  /** Number of live variables in vn/vv. */
  sp = 0;
  base = 0;
  depth = 0;
  constructor(readonly env: CompiledEnv) {}
}

export type Emit = (c: Ctx, dot: unknown) => number;
/** A value; commands compiled without a final argument ignore the third parameter, so they are Exprs too. */
export type Expr = (c: Ctx, dot: unknown, final?: unknown) => unknown;
export type Cmd = (c: Ctx, dot: unknown, final: unknown) => unknown;
type Call = (c: Ctx, dot: unknown, recv: unknown, final: unknown) => unknown;

export interface CompiledTemplate {
  readonly name: string;
  readonly body: Emit;
  /** Generated code (codegen.ts), which needs no variable frame on Ctx. */
  readonly generated: boolean;
}

/** Which templates `{{template "name"}}` finds during a render, compiled on first use. */
export class CompiledEnv {
  private readonly cache = new Map<string, CompiledTemplate | null>();
  constructor(
    readonly funcs: Record<string, FuncDef>,
    private readonly lookupTree: (name: string) => Tree | undefined,
  ) {}
  lookup(name: string): CompiledTemplate | undefined {
    let ct = this.cache.get(name);
    if (ct === undefined) {
      const tree = this.lookupTree(name);
      ct = tree ? compileTree(tree, this.funcs) : null;
      this.cache.set(name, ct);
    }
    return ct ?? undefined;
  }
}

interface CompiledTree {
  funcs: Record<string, FuncDef>;
  codegen: boolean;
  ct: CompiledTemplate;
}

export function bail(): never {
  throw BAIL;
}
const bailEmit: Emit = bail;

export function compileTree(tree: Tree, funcs: Record<string, FuncDef>): CompiledTemplate {
  const hit = tree.compiled as CompiledTree | undefined;
  const codegen = compiledExecution.codegen;
  if (hit !== undefined && hit.funcs === funcs && hit.codegen === codegen) return hit.ct;
  let body: Emit | undefined;
  let generated = false;
  if (codegen) {
    try {
      body = generateTree(tree, funcs);
      generated = true;
    } catch {
      body = undefined; // the generator does not handle this tree: closures instead
      compiledExecution.notGenerated++;
    }
  }
  if (body === undefined) {
    try {
      body = new Compiler(funcs).list(tree.root);
    } catch {
      body = bailEmit; // something the compiler does not understand: always use the interpreter
    }
  }
  const ct = { name: tree.name, body, generated };
  tree.compiled = { funcs, codegen, ct } satisfies CompiledTree;
  return ct;
}

/**
 * Executes `tree` with `data` as dot and $. Throws (anything) when the interpreter must be asked
 * instead; otherwise returns exactly what the interpreter would.
 */
export function executeCompiled(env: CompiledEnv, tree: Tree, data: unknown): string {
  const ct = compileTree(tree, env.funcs);
  const c = new Ctx(env);
  pushVar(c, '$', data);
  ct.body(c, data);
  return c.out;
}

// ---------------------------------------------------------------- variables

function getVar(c: Ctx, name: string): unknown {
  const vn = c.vn;
  for (let i = c.sp - 1; i >= c.base; i--) if (vn[i] === name) return c.vv[i];
  throw BAIL;
}

function setVar(c: Ctx, name: string, value: unknown): void {
  const vn = c.vn;
  for (let i = c.sp - 1; i >= c.base; i--) {
    if (vn[i] === name) {
      c.vv[i] = value;
      return;
    }
  }
  throw BAIL;
}

function pushVar(c: Ctx, name: string, value: unknown): void {
  c.vn[c.sp] = name;
  c.vv[c.sp] = value;
  c.sp++;
}

// ---------------------------------------------------------------- values

/** exec.ts validateType, throwing instead of reporting. */
export function validate(value: unknown, typ: ParamType): unknown {
  if (typ === 'any') return value;
  if (value === undefined || value === null) {
    if (canBeNil(typ)) return undefined;
    throw BAIL;
  }
  if (!fitsParamType(value, typ)) throw BAIL;
  return value;
}

function validator(typ: ParamType): ((v: unknown) => unknown) | null {
  switch (typ) {
    case 'any':
      return null;
    case 'string':
      return (v) => (typeof v === 'string' ? v : validate(v, 'string'));
    case 'time.Time':
      return (v) => (v instanceof GoTime ? v : validate(v, 'time.Time'));
    default:
      return (v) => validate(v, typ);
  }
}

export const NO_CONSTANT: unique symbol = Symbol('no constant');

/** exec.ts evalArg for a literal node (bool, number, string, nil) passed as `typ`. */
export function literalArg(n: ArgNode, typ: ParamType): unknown {
  if (n.type === N.Nil) return canBeNil(typ) ? undefined : NO_CONSTANT;
  switch (typ) {
    case 'bool':
      return n.type === N.Bool ? n.value : NO_CONSTANT;
    case 'float64':
      return n.type === N.Number && n.isFloat ? new GoFloat(n.float) : NO_CONSTANT;
    case 'int':
      return n.type === N.Number && n.isInt ? n.int : NO_CONSTANT;
    case 'time.Duration':
      return n.type === N.Number && n.isInt ? new GoDuration(n.int) : NO_CONSTANT;
    case 'string':
      return n.type === N.String ? n.text : NO_CONSTANT;
    case 'any':
      switch (n.type) {
        case N.Bool:
          return n.value;
        case N.Number:
          return n.constant;
        case N.String:
          return n.text;
      }
  }
  return NO_CONSTANT;
}

export function isLiteral(n: ArgNode): boolean {
  return n.type === N.Bool || n.type === N.Number || n.type === N.String || n.type === N.Nil;
}

/** Results of pure functions for constant arguments (their source text). */
const pureResults = new WeakMap<FuncDef, Map<string, unknown>>();

/** `eq a b`, the common case, without goEq's rest parameters. */
export function eq2(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return goEq(a, b);
}

// ---------------------------------------------------------------- fields and methods

const K_UNRESOLVED = 0;
export const K_METHOD = 1;
export const K_STRUCT = 2;
export const K_MAP = 3;
const K_ERROR = 4;

interface Resolved {
  kind: number;
  call: Call | null;
  direct: ((recv: unknown) => unknown) | null;
  withArgs: MethodWithArgs | null;
  elemZero: unknown;
}

/**
 * A method with fixed arguments, for generated code that evaluates the arguments itself:
 * constant arguments already converted to their parameter's type (`consts`), the others
 * checked by `checks` (identity for `any`).
 */
export interface MethodWithArgs {
  fn: (recv: unknown, ...args: unknown[]) => unknown;
  consts: unknown[];
  checks: ((v: unknown) => unknown)[];
}

/**
 * One `.Name` in a field chain, with the resolution for the last receiver type it saw. Generated
 * code (codegen.ts) reads `t`, `kind`, `direct` and `elemZero` to take the common cases inline.
 */
export class FieldSite {
  t: GoType | null = null;
  kind = K_UNRESOLVED;
  private call: Call | null = null;
  /** For a method without arguments: the method itself (called with the receiver). */
  direct: ((recv: unknown) => unknown) | null = null;
  /** For a method with arguments and no final value: how generated code calls it (null: take get()). */
  withArgs: MethodWithArgs | null = null;
  elemZero: unknown = undefined;
  private seen: Map<GoType, Resolved> | null = null;

  constructor(
    private readonly compiler: Compiler,
    private readonly name: string,
    private readonly args: ArgNode[] | null,
    private readonly hasFinal: boolean,
  ) {}

  get(c: Ctx, dot: unknown, recv: unknown, final: unknown): unknown {
    if (recv === undefined || recv === null) return undefined;
    const t = typeOf(recv);
    if (t !== this.t) this.resolve(t);
    switch (this.kind) {
      case K_METHOD:
        return this.call!(c, dot, recv, final);
      case K_STRUCT:
        if (!(recv as GoObject).goField) throw BAIL;
        return (recv as GoObject).goField!(this.name);
      case K_MAP: {
        const v = (recv as GoObject).goField!(this.name);
        return v === undefined ? (this.elemZero === MISSING ? zeroValue(t.elem) : this.elemZero) : v;
      }
      default:
        throw BAIL;
    }
  }

  private resolve(t: GoType) {
    let r = this.seen?.get(t);
    if (!r) {
      r = { kind: K_ERROR, call: null, direct: null, withArgs: null, elemZero: MISSING };
      const method: GoMethod | undefined = t.methods?.[this.name];
      if (method) {
        r.kind = K_METHOD;
        r.call = this.compiler.call(method as FuncDef, this.args, this.hasFinal, true) as Call;
        // what call() compiles for no arguments: (_c, _d, recv) => fn(recv)
        if (!this.hasFinal && (this.args === null || this.args.length <= 1) && method.params.length === 0 && !method.variadic) r.direct = method.fn;
        if (!this.hasFinal && this.args !== null && this.args.length > 1 && method.params.length === this.args.length - 1 && !method.variadic) {
          // what call() compiles: each argument evalArg'd as its parameter's type
          const w: MethodWithArgs = { fn: method.fn, consts: [], checks: [] };
          for (let j = 1; j < this.args.length; j++) {
            const typ = method.params[j - 1];
            const a = this.args[j];
            const k = isLiteral(a) ? literalArg(a, typ) : NO_CONSTANT;
            if (isLiteral(a) && k === NO_CONSTANT) {
              w.fn = bail; // a constant of the wrong type: get() reports it
            }
            w.consts.push(k);
            w.checks.push(validator(typ) ?? ((v: unknown) => v));
          }
          r.withArgs = w.fn === bail ? null : w;
        }
      } else {
        const hasArgs = (this.args !== null && this.args.length > 1) || this.hasFinal;
        if (t.kind === 'struct' && t.fields?.includes(this.name)) r.kind = hasArgs || !isExported(this.name) ? K_ERROR : K_STRUCT;
        else if (t.kind === 'map') {
          r.kind = hasArgs ? K_ERROR : K_MAP;
          // zero values of basic types are immutable; others are made per use
          const z = zeroValue(t.elem);
          if (typeof z === 'string' || typeof z === 'number' || typeof z === 'boolean' || z === undefined) r.elemZero = z;
        }
      }
      (this.seen ??= new Map()).set(t, r);
    }
    this.t = t;
    this.kind = r.kind;
    this.call = r.call;
    this.direct = r.direct;
    this.withArgs = r.withArgs;
    this.elemZero = r.elemZero;
  }
}

// ---------------------------------------------------------------- the compiler

export class Compiler {
  constructor(private readonly funcs: Record<string, FuncDef>) {}

  list(list: ListNode): Emit {
    const parts: Emit[] = [];
    const nodes = list.nodes.filter((n) => n.type !== N.Comment);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const next = nodes[i + 1];
      if (n.type === N.Text && next !== undefined && (next.type === N.Action || next.type === N.Template || next.type === N.If || next.type === N.With)) {
        // a text followed by an action prints as part of it
        parts.push(this.node(next, n.text));
        i++;
      } else parts.push(this.node(n, ''));
    }
    const n = parts.length;
    if (n === 0) return () => R_NEXT;
    if (n === 1) return parts[0];
    if (n === 2) {
      const [a, b] = parts;
      return (c, d) => a(c, d) || b(c, d);
    }
    if (n === 3) {
      const [a, b, e] = parts;
      return (c, d) => a(c, d) || b(c, d) || e(c, d);
    }
    return (c, d) => {
      for (let i = 0; i < n; i++) {
        const r = parts[i](c, d);
        if (r !== R_NEXT) return r;
      }
      return R_NEXT;
    };
  }

  /** The closure for a node; `pre` is text printed before it. */
  private node(n: Node, pre: string): Emit {
    switch (n.type) {
      case N.Text: {
        const s = n.text;
        return (c) => {
          c.out += s;
          return R_NEXT;
        };
      }
      case N.Action: {
        const p = this.pipe(n.pipe);
        if (n.pipe.decl.length > 0) {
          return (c, d) => {
            c.out += pre;
            p(c, d);
            return R_NEXT;
          };
        }
        return (c, d) => {
          c.out += pre;
          const v = p(c, d);
          c.out += typeof v === 'string' ? v : v === undefined || v === null ? '<no value>' : formatV(v);
          return R_NEXT;
        };
      }
      case N.Break:
        return () => R_BREAK;
      case N.Continue:
        return () => R_CONTINUE;
      case N.Comment:
        return () => R_NEXT;
      case N.If:
      case N.With:
        return this.ifOrWith(n, pre);
      case N.Range:
        return this.range(n);
      case N.Template:
        return this.template(n, pre);
      case N.List:
        return this.list(n);
    }
  }

  private ifOrWith(n: BranchNode, pre: string): Emit {
    const pipe = this.pipe(n.pipe);
    const list = this.list(n.list);
    const els = n.elseList ? this.list(n.elseList) : null;
    if (n.type === N.With) {
      return (c, d) => {
        c.out += pre;
        const mark = c.sp;
        const v = pipe(c, d);
        const r = isTrue(v) ? list(c, v) : els !== null ? els(c, d) : R_NEXT;
        c.sp = mark;
        return r;
      };
    }
    return (c, d) => {
      c.out += pre;
      const mark = c.sp;
      const v = pipe(c, d);
      const r = isTrue(v) ? list(c, d) : els !== null ? els(c, d) : R_NEXT;
      c.sp = mark;
      return r;
    };
  }

  private range(n: BranchNode): Emit {
    const pipe = this.pipe(n.pipe);
    const body = this.list(n.list);
    const els = n.elseList ? this.list(n.elseList) : null;
    const names = n.pipe.decl.map((v) => v.ident[0]);
    const nd = names.length;
    const isAssign = n.pipe.isAssign;
    const setIter = (c: Ctx, index: unknown, elem: unknown) => {
      if (isAssign) {
        if (nd > 1) {
          setVar(c, names[0], index);
          setVar(c, names[1], elem);
        } else setVar(c, names[0], elem);
      } else {
        const top = c.sp - 1;
        c.vv[top] = elem;
        if (nd > 1) c.vv[top - 1] = index;
      }
    };
    return (c, d) => {
      const outer = c.sp;
      const val = pipe(c, d);
      const mark = c.sp;
      if (Array.isArray(val)) {
        if (val.length > 0) {
          for (let i = 0; i < val.length; i++) {
            const e = val[i];
            if (nd !== 0) setIter(c, i, e);
            const r = body(c, e);
            c.sp = mark;
            if (r === R_BREAK) break;
          }
          c.sp = outer;
          return R_NEXT;
        }
      } else if (val !== null && typeof val === 'object' && (val as GoObject).goType?.kind === 'map') {
        const m = val as GoObject;
        const keys = m.goKeys!();
        if (keys.length > 0) {
          keys.sort(compareStrings);
          for (const k of keys) {
            const e = m.goField!(k);
            if (nd !== 0) setIter(c, k, e);
            const r = body(c, e);
            c.sp = mark;
            if (r === R_BREAK) break;
          }
          c.sp = outer;
          return R_NEXT;
        }
      } else if (val !== undefined && val !== null) {
        throw BAIL;
      }
      const r = els !== null ? els(c, d) : R_NEXT;
      c.sp = outer;
      return r;
    };
  }

  private template(t: TemplateNode, pre: string): Emit {
    const name = t.name;
    const pipe = t.pipe ? this.pipe(t.pipe) : null;
    // The set of templates is fixed once a set is built, so the lookup is cached per environment.
    let lastEnv: CompiledEnv | null = null;
    let last: CompiledTemplate | undefined;
    return (c, d) => {
      c.out += pre;
      let ct: CompiledTemplate | undefined;
      if (c.env === lastEnv) ct = last;
      else {
        ct = c.env.lookup(name);
        lastEnv = c.env;
        last = ct;
      }
      if (ct === undefined || c.depth >= MAX_COMPILED_DEPTH) throw BAIL;
      const dot = pipe === null ? undefined : pipe(c, d);
      const saved = c.base;
      const base = c.sp;
      c.base = base;
      pushVar(c, '$', dot);
      c.depth++;
      ct.body(c, dot);
      c.depth--;
      c.base = saved;
      c.sp = base;
      return R_NEXT;
    };
  }

  // -------------------------------------------------------------- pipelines

  pipe(p: PipeNode): Expr {
    const cmds = p.cmds.map((cmd, i) => this.command(cmd, i > 0));
    let body: Expr;
    if (cmds.length === 1) {
      body = cmds[0];
    } else if (cmds.length === 2) {
      const [c0, c1] = cmds;
      body = (c, d) => c1(c, d, c0(c, d, MISSING));
    } else {
      body = (c, d) => {
        let v = cmds[0](c, d, MISSING);
        for (let i = 1; i < cmds.length; i++) v = cmds[i](c, d, v);
        return v;
      };
    }
    if (p.decl.length === 0) return body;
    const names = p.decl.map((v) => v.ident[0]);
    const isAssign = p.isAssign;
    return (c, d) => {
      const v = body(c, d);
      for (const name of names) {
        if (isAssign) setVar(c, name, v);
        else pushVar(c, name, v);
      }
      return v;
    };
  }

  private command(cmd: CommandNode, hasFinal: boolean): Cmd {
    const args = cmd.args;
    const first = args[0];
    const notAFunction = args.length > 1 || hasFinal;
    switch (first.type) {
      case N.Field:
        return this.fieldChain(null, first.ident, args, hasFinal);
      case N.Chain: {
        if (first.node.type === N.Nil) return bail;
        return this.fieldChain(this.arg(first.node, 'any'), first.field, args, hasFinal);
      }
      case N.Identifier:
        return this.func(first.ident, args, hasFinal);
      case N.Pipe: {
        if (notAFunction) return bail;
        return this.pipe(first);
      }
      case N.Variable: {
        const name = first.ident[0];
        if (first.ident.length === 1) {
          if (notAFunction) return bail;
          return (c) => getVar(c, name);
        }
        return this.fieldChain((c) => getVar(c, name), first.ident.slice(1), args, hasFinal);
      }
    }
    if (notAFunction) return bail;
    switch (first.type) {
      case N.Bool: {
        const v = first.value;
        return () => v;
      }
      case N.Dot:
        return (_c, d) => d;
      case N.Number: {
        const v = first.constant;
        return () => v;
      }
      case N.String: {
        const v = first.text;
        return () => v;
      }
    }
    return bail; // nil is not a command
  }

  /** A field chain `.A.B.C` on dot (recv null) or on the value of recv; args and final go to the last field. */
  private fieldChain(recv: Expr | null, idents: string[], args: ArgNode[] | null, hasFinal: boolean): Cmd {
    const n = idents.length;
    const sites = idents.map((name, i) => new FieldSite(this, name, i === n - 1 ? args : null, i === n - 1 ? hasFinal : false));
    if (n === 1) {
      const s0 = sites[0];
      if (recv === null) return (c, d, f) => s0.get(c, d, d, f);
      return (c, d, f) => s0.get(c, d, recv(c, d), f);
    }
    if (n === 2) {
      const [s0, s1] = sites;
      if (recv === null) return (c, d, f) => s1.get(c, d, s0.get(c, d, d, MISSING), f);
      return (c, d, f) => s1.get(c, d, s0.get(c, d, recv(c, d), MISSING), f);
    }
    return (c, d, f) => {
      let r = recv === null ? d : recv(c, d);
      for (let i = 0; i < n - 1; i++) r = sites[i].get(c, d, r, MISSING);
      return sites[n - 1].get(c, d, r, f);
    };
  }

  /** A function call: `name args…` (args[0] is the name; null when used as an argument). */
  private func(name: string, args: ArgNode[] | null, hasFinal: boolean): Cmd {
    const fn = this.funcs[name];
    if (!fn) return bail;
    return this.call(fn, args, hasFinal, false) as Cmd;
  }

  /** exec.ts evalCall, resolved for one function or method and one call site. */
  /** For a method, a Call (the receiver third); for a function, a Cmd (the final argument third). */
  call(fn: FuncDef, argNodes: ArgNode[] | null, hasFinal: boolean, isMethod: boolean): Call | Cmd {
    const nArgs = argNodes ? argNodes.length - 1 : 0;
    const numIn = nArgs + (hasFinal ? 1 : 0);
    const params = fn.params;
    const nParams = params.length + (fn.variadic ? 1 : 0);
    let numFixed = nArgs;
    if (fn.variadic) {
      numFixed = params.length;
      if (numIn < numFixed) return bail;
    } else if (numIn !== nParams) {
      return bail;
    }

    if (fn.shortCircuit) {
      const isOr = fn.shortCircuit === 'or';
      const evals: Expr[] = [];
      for (let j = 1; j <= nArgs; j++) evals.push(this.arg(argNodes![j], 'any'));
      return (c: Ctx, d: unknown, final: unknown) => {
        let v: unknown;
        for (let j = 0; j < evals.length; j++) {
          v = evals[j](c, d);
          if (isTrue(v) === isOr) return v;
        }
        if (hasFinal) v = final;
        return v;
      };
    }

    const evals: Expr[] = [];
    let i = 0;
    for (; i < numFixed && i < nArgs; i++) evals.push(this.arg(argNodes![i + 1], params[i]));
    if (fn.variadic) for (; i < nArgs; i++) evals.push(this.arg(argNodes![i + 1], fn.variadic));
    let check: ((v: unknown) => unknown) | null = null;
    if (hasFinal) {
      const t = fn.variadic ? (numIn - 1 < numFixed ? params[numIn - 1] : fn.variadic) : params[params.length - 1];
      check = validator(t);
    }
    const f: (...a: unknown[]) => unknown = numIn === 2 && fn.fn === goEq ? (eq2 as (...a: unknown[]) => unknown) : fn.fn;

    if (fn.pure && !isMethod && !hasFinal && argNodes!.slice(1).every(isLiteral)) {
      // constant arguments: the result is computed once, frozen, and shared by every call site
      // with the same arguments (so that caches keyed by identity, like KV.remove's, hit)
      const compute = this.invoke(f, evals, false, null, false) as Cmd;
      const key = JSON.stringify(argNodes!.slice(1).map((a) => nodeString(a)));
      let done = false;
      let value: unknown;
      return (c: Ctx, d: unknown) => {
        if (!done) {
          let byArgs = pureResults.get(fn);
          if (!byArgs) pureResults.set(fn, (byArgs = new Map()));
          if (byArgs.has(key)) value = byArgs.get(key);
          else {
            value = compute(c, d, MISSING);
            if (Array.isArray(value)) Object.freeze(value);
            byArgs.set(key, value);
          }
          done = true;
        }
        return value;
      };
    }
    return this.invoke(f, evals, hasFinal, check, isMethod);
  }

  private invoke(f: (...a: unknown[]) => unknown, evals: Expr[], hasFinal: boolean, check: ((v: unknown) => unknown) | null, isMethod: boolean): Call | Cmd {
    const ne = evals.length;
    const fin = hasFinal ? (check === null ? (v: unknown) => v : check) : null;
    if (!isMethod) {
      if (fin === null) {
        switch (ne) {
          case 0:
            return () => f();
          case 1: {
            const [e0] = evals;
            return (c: Ctx, d: unknown) => f(e0(c, d));
          }
          case 2: {
            const [e0, e1] = evals;
            return (c: Ctx, d: unknown) => f(e0(c, d), e1(c, d));
          }
        }
      } else {
        switch (ne) {
          case 0:
            return (_c: Ctx, _d: unknown, final: unknown) => f(fin(final));
          case 1: {
            const [e0] = evals;
            return (c: Ctx, d: unknown, final: unknown) => f(e0(c, d), fin(final));
          }
        }
      }
    } else if (fin === null) {
      switch (ne) {
        case 0:
          return (_c: Ctx, _d: unknown, r: unknown) => f(r);
        case 1: {
          const [e0] = evals;
          return (c: Ctx, d: unknown, r: unknown) => f(r, e0(c, d));
        }
      }
    }
    if (isMethod) {
      return (c: Ctx, d: unknown, r: unknown, final: unknown) => {
        const argv: unknown[] = [r];
        for (let j = 0; j < ne; j++) argv.push(evals[j](c, d));
        if (fin !== null) argv.push(fin(final));
        return f(...argv);
      };
    }
    return (c: Ctx, d: unknown, final: unknown) => {
      const argv: unknown[] = [];
      for (let j = 0; j < ne; j++) argv.push(evals[j](c, d));
      if (fin !== null) argv.push(fin(final));
      return f(...argv);
    };
  }

  /** exec.ts evalArg: the value of an argument node passed as `typ`. */
  arg(n: ArgNode, typ: ParamType): Expr {
    let e: Expr;
    switch (n.type) {
      case N.Dot:
        e = (_c, d) => d;
        break;
      case N.Field: {
        const f = this.fieldChain(null, n.ident, null, false);
        e = f;
        break;
      }
      case N.Variable: {
        const name = n.ident[0];
        if (n.ident.length === 1) e = (c) => getVar(c, name);
        else {
          const f = this.fieldChain((c) => getVar(c, name), n.ident.slice(1), null, false);
          e = f;
        }
        break;
      }
      case N.Pipe:
        e = this.pipe(n);
        break;
      case N.Identifier: {
        const f = this.func(n.ident, null, false);
        e = f;
        break;
      }
      case N.Chain: {
        if (n.node.type === N.Nil) return bail;
        const f = this.fieldChain(this.arg(n.node, 'any'), n.field, null, false);
        e = f;
        break;
      }
      default: {
        const k = literalArg(n, typ);
        if (k === NO_CONSTANT) return bail;
        return () => k;
      }
    }
    const check = validator(typ);
    if (check === null) return e;
    return (c, d) => check(e(c, d));
  }
}
