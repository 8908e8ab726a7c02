/**
 * Executes parsed templates with Go's text/template semantics: dot and variables, pipelines
 * where the previous command's result becomes the last argument, method-before-field lookup,
 * missingkey=zero, short-circuit and/or, range/with/if, break/continue, template calls, and
 * Go's error messages ("template: NAME:LINE:COL: executing "T" at <NODE>: …").
 */
import { formatV } from './fmt';
import { GoDuration, GoTime } from './gotime';
import {
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  N,
  Node,
  nodeString,
  NumberNode,
  PipeNode,
  TemplateNode,
  Tree,
  VariableNode,
  AnyNode,
} from './parse';
import { compareStrings } from './fmt';
import {
  GoCallError,
  GoFloat,
  GoMethod,
  GoObject,
  GoType,
  isExported,
  isNil,
  isTrue,
  NamedString,
  ParamType,
  T_STRING,
  typeOf,
  utf8Len,
} from './values';

/** A template function: Go signature (for argument checking) and implementation. */
export interface FuncDef extends GoMethod {
  /** and/or: arguments are evaluated lazily by the executor. */
  shortCircuit?: 'and' | 'or';
  /** The result depends only on the arguments and is never mutated: computed once for constant arguments. */
  pure?: boolean;
}

export interface ExecEnv {
  funcs: Record<string, FuncDef>;
  lookup(name: string): Tree | undefined;
}

export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

const MISSING = Symbol('missing');
type Final = unknown | typeof MISSING;
const BREAK = { brk: true };
const CONTINUE = { brk: false };
const MAX_DEPTH = 100000;

interface Variable {
  name: string;
  value: unknown;
}

/** Byte-based "NAME:LINE:COL" of a node, as Go's ErrorContext computes it. */
export function errorLocation(n: AnyNode): string {
  const text = n.src.text.slice(0, n.pos);
  const nl = text.lastIndexOf('\n');
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const col = utf8Len(nl < 0 ? text : text.slice(nl + 1));
  return `${n.src.parseName}:${lines}:${col}`;
}

export function execute(env: ExecEnv, tree: Tree, data: unknown): string {
  const s = new State(env, tree.name, [{ name: '$', value: data }], 0);
  try {
    s.walk(data, tree.root);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new TemplateExecError(`template: ${tree.name}: exceeded maximum template depth (${MAX_DEPTH})`);
    }
    throw e;
  }
  return s.out;
}

class State {
  out = '';
  node: AnyNode | null = null;

  constructor(
    private env: ExecEnv,
    private tmplName: string,
    private vars: Variable[],
    private depth: number,
  ) {}

  // ---------------------------------------------------------------- errors

  errorf(msg: string): never {
    if (!this.node) throw new TemplateExecError(`template: ${this.tmplName}: ${msg}`);
    const ctx = nodeString(this.node);
    throw new TemplateExecError(`template: ${errorLocation(this.node)}: executing ${JSON.stringify(this.tmplName)} at <${ctx}>: ${msg}`);
  }

  // ---------------------------------------------------------------- variables

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    this.errorf(`undefined variable: ${name}`);
  }
  private setVar(name: string, value: unknown) {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // ---------------------------------------------------------------- walking

  walk(dot: unknown, node: Node): void {
    this.node = node;
    switch (node.type) {
      case N.Action: {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.node = node;
          this.out += val === undefined || val === null ? '<no value>' : typeof val === 'string' ? val : formatV(val);
        }
        return;
      }
      case N.Break:
        throw BREAK;
      case N.Continue:
        throw CONTINUE;
      case N.Comment:
        return;
      case N.If:
      case N.With:
        return this.walkIfOrWith(dot, node);
      case N.List:
        for (let i = 0; i < node.nodes.length; i++) this.walk(dot, node.nodes[i]);
        return;
      case N.Range:
        return this.walkRange(dot, node);
      case N.Template:
        return this.walkTemplate(dot, node);
      case N.Text:
        this.out += node.text;
        return;
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode) {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) {
        this.walk(node.type === N.With ? val : dot, node.list);
      } else if (node.elseList) {
        this.walk(dot, node.elseList);
      }
    } finally {
      if (this.vars.length !== mark) this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, r: BranchNode) {
    this.node = r;
    const outer = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            if (decl.length > 1) {
              this.setVar(decl[0].ident[0], index);
              this.setVar(decl[1].ident[0], elem);
            } else this.setVar(decl[0].ident[0], elem);
          } else {
            this.vars[this.vars.length - 1].value = elem;
            if (decl.length > 1) this.vars[this.vars.length - 2].value = index;
          }
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          if (this.vars.length !== mark) this.vars.length = mark;
        }
        return true;
      };
      if (Array.isArray(val)) {
        if (val.length > 0) {
          for (let i = 0; i < val.length; i++) if (!one(i, val[i])) break;
          return;
        }
      } else if (val !== null && typeof val === 'object' && (val as GoObject).goType?.kind === 'map') {
        const m = val as GoObject;
        const keys = m.goKeys!();
        if (keys.length > 0) {
          keys.sort(compareStrings);
          for (const k of keys) if (!one(k, m.goField!(k))) break;
          return;
        }
      } else if (!isNil(val)) {
        this.errorf(`range can't iterate over ${formatV(val)}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      if (this.vars.length !== outer) this.vars.length = outer;
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode) {
    this.node = t;
    const tree = this.env.lookup(t.name);
    if (!tree) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const s = new State(this.env, tree.name, [{ name: '$', value: newDot }], this.depth + 1);
    try {
      s.walk(newDot, tree.root);
    } finally {
      this.out += s.out;
    }
  }

  // ---------------------------------------------------------------- pipelines

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: unknown = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) value = this.evalCommand(dot, cmds[i], value);
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      if (pipe.isAssign) this.setVar(decl[i].ident[0], value);
      else this.vars.push({ name: decl[i].ident[0], value });
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final) {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case N.Field:
        return this.evalFieldNode(dot, first, cmd.args, final);
      case N.Chain:
        return this.evalChainNode(dot, first, cmd.args, final);
      case N.Identifier:
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case N.Pipe:
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case N.Variable:
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case N.Bool:
        return first.value;
      case N.Dot:
        return dot;
      case N.Nil:
        return this.errorf('nil is not a command');
      case N.Number:
        return first.constant;
      case N.String:
        return first.text;
    }
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: ArgNode[] | null, final: Final): unknown {
    this.node = field;
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[] | null, final: Final): unknown {
    this.node = chain;
    if (chain.node.type === N.Nil) this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, 'any', chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: ArgNode[] | null, final: Final): unknown {
    this.node = v;
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      if (args) this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.fields ?? (v.fields = v.ident.slice(1)), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: AnyNode, ident: string[], args: ArgNode[] | null, final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i], node, null, MISSING, receiver);
    return this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: AnyNode, args: ArgNode[] | null, final: Final): unknown {
    this.node = node;
    const fn = this.env.funcs[node.ident];
    if (!fn) this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    return this.evalCall(dot, fn, undefined, cmd, node.ident, args, final);
  }

  private evalField(dot: unknown, name: string, node: AnyNode, args: ArgNode[] | null, final: Final, receiver: unknown): unknown {
    if (receiver === undefined || receiver === null) return undefined;
    const t = typeOf(receiver);
    const method = t.methods?.[name];
    if (method) return this.evalCall(dot, method, receiver, node, name, args, final);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (t.kind === 'struct' && t.fields?.includes(name) && (receiver as GoObject).goField) {
      if (!isExported(name)) this.errorf(`${name} is an unexported field of struct type ${t.name}`);
      if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
      return (receiver as GoObject).goField!(name);
    }
    if (t.kind === 'map') {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      const v = (receiver as GoObject).goField!(name);
      return v === undefined ? zeroValue(t.elem) : v;
    }
    this.errorf(`can't evaluate field ${name} in type ${t.name}`);
  }

  private evalCall(dot: unknown, fn: FuncDef, recv: unknown, node: AnyNode, name: string, argNodes: ArgNode[] | null, final: Final): unknown {
    // argNodes[0] is the function or method name itself.
    const nArgs = argNodes ? argNodes.length - 1 : 0;
    let numIn = nArgs;
    if (final !== MISSING) numIn++;
    const params = fn.params;
    const nParams = params.length + (fn.variadic ? 1 : 0);
    let numFixed = nArgs;
    if (fn.variadic) {
      numFixed = params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${params.length} got ${nArgs}`);
    } else if (numIn !== nParams) {
      this.errorf(`wrong number of args for ${name}: want ${nParams} got ${numIn}`);
    }

    if (fn.shortCircuit) {
      const isOr = fn.shortCircuit === 'or';
      let v: unknown;
      for (let j = 1; j <= nArgs; j++) {
        v = this.evalArg(dot, 'any', argNodes![j]);
        if (isTrue(v) === isOr) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    if (recv !== undefined) argv.push(recv);
    let i = 0;
    for (; i < numFixed && i < nArgs; i++) argv.push(this.evalArg(dot, params[i], argNodes![i + 1]));
    if (fn.variadic) for (; i < nArgs; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes![i + 1]));
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic) t = numIn - 1 < numFixed ? params[numIn - 1] : fn.variadic;
      else t = params[params.length - 1];
      argv.push(this.validateType(final, t));
    }
    try {
      return (fn.fn as (...a: unknown[]) => unknown)(...argv);
    } catch (e) {
      if (e instanceof GoCallError) {
        this.node = node;
        this.errorf(`error calling ${name}: ${e.message}`);
      }
      throw e;
    }
  }

  private evalArg(dot: unknown, typ: ParamType, n: ArgNode): unknown {
    this.node = n;
    switch (n.type) {
      case N.Dot:
        return this.validateType(dot, typ);
      case N.Nil:
        if (canBeNil(typ)) return undefined;
        return this.errorf(`cannot assign nil to ${typ}`);
      case N.Field:
        return this.validateType(this.evalFieldNode(dot, n, null, MISSING), typ);
      case N.Variable:
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case N.Pipe:
        return this.validateType(this.evalPipeline(dot, n), typ);
      case N.Identifier:
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case N.Chain:
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.type === N.Bool) return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'float64':
        if (n.type === N.Number && n.isFloat) return new GoFloat(n.float);
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case 'int':
        if (n.type === N.Number && n.isInt) return n.int;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'time.Duration':
        if (n.type === N.Number && n.isInt) return new GoDuration(n.int);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.type === N.String) return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'any':
        switch (n.type) {
          case N.Bool:
            return n.value;
          case N.Number:
            return (n as NumberNode).constant;
          case N.String:
            return n.text;
        }
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${goParamName(typ)}`);
  }

  private validateType(value: unknown, typ: ParamType): unknown {
    if (typ === 'any') return value;
    if (value === undefined || value === null) {
      if (canBeNil(typ)) return undefined;
      this.errorf(`invalid value; expected ${goParamName(typ)}`);
    }
    if (!fitsParamType(value, typ)) this.errorf(`wrong type for value; expected ${goParamName(typ)}; got ${typeOf(value).name}`);
    return value;
  }
}

export function canBeNil(t: ParamType): boolean {
  return t === 'any' || t === '[]string' || t === '[]interface {}';
}

/** Whether a non-nil value can be passed where a function declares a parameter of type `typ`. */
export function fitsParamType(value: unknown, typ: ParamType): boolean {
  switch (typ) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number';
    case 'float64':
      return value instanceof GoFloat;
    case 'bool':
      return typeof value === 'boolean';
    case 'time.Time':
      return value instanceof GoTime;
    case 'time.Duration':
      return value instanceof GoDuration;
    case '[]string':
    case '[]interface {}': {
      if (!Array.isArray(value)) return false;
      const t = typeOf(value);
      return t.name === typ || t.underlying === typ;
    }
    default:
      return false;
  }
}

function goParamName(t: ParamType): string {
  return t === 'any' ? 'interface {}' : t;
}

function zeroValue(t: GoType | undefined): unknown {
  if (!t) return undefined;
  switch (t.kind) {
    case 'string':
      return t === T_STRING ? '' : new NamedString(t, '');
    case 'int':
      return 0;
    case 'float':
      return new GoFloat(0);
    case 'bool':
      return false;
    default:
      return undefined;
  }
}

export { zeroValue };
