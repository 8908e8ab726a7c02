/**
 * Parser for Go's text/template language, producing a tree shaped like Go's parse package
 * (list, text, action, if, range, with, template, break, continue; pipelines of commands whose
 * arguments are fields, variables, chains, identifiers, constants and parenthesised pipelines).
 * Node `toString()` reproduces Go's Node.String(), which appears in execution errors.
 */
import { goQuote, lex, Tok, Token, tokenString } from './lexer';
import { GoFloat } from './values';

/** Where a node comes from: the name used in messages (file name, or "" for inline text) and its source. */
export interface Source {
  parseName: string;
  text: string;
}

export const enum N {
  List,
  Text,
  Action,
  If,
  Range,
  With,
  Template,
  Break,
  Continue,
  Pipe,
  Command,
  Field,
  Variable,
  Chain,
  Identifier,
  Dot,
  Nil,
  Bool,
  Number,
  String,
  Comment,
}

interface Base {
  pos: number;
  src: Source;
}
export interface ListNode extends Base {
  type: N.List;
  nodes: Node[];
}
export interface TextNode extends Base {
  type: N.Text;
  text: string;
}
export interface CommentNode extends Base {
  type: N.Comment;
  text: string;
}
export interface ActionNode extends Base {
  type: N.Action;
  pipe: PipeNode;
}
export interface BranchNode extends Base {
  type: N.If | N.Range | N.With;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode extends Base {
  type: N.Template;
  name: string;
  pipe: PipeNode | null;
}
export interface BreakNode extends Base {
  type: N.Break | N.Continue;
}
export interface PipeNode extends Base {
  type: N.Pipe;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Base {
  type: N.Command;
  args: ArgNode[];
}
export interface FieldNode extends Base {
  type: N.Field;
  ident: string[];
}
export interface VariableNode extends Base {
  type: N.Variable;
  ident: string[]; // ident[0] is the variable name including "$"
  /** ident[1:], computed once by the executor. */
  fields?: string[];
}
export interface ChainNode extends Base {
  type: N.Chain;
  node: ArgNode;
  field: string[];
}
export interface IdentifierNode extends Base {
  type: N.Identifier;
  ident: string;
}
export interface DotNode extends Base {
  type: N.Dot;
}
export interface NilNode extends Base {
  type: N.Nil;
}
export interface BoolNode extends Base {
  type: N.Bool;
  value: boolean;
}
export interface NumberNode extends Base {
  type: N.Number;
  text: string;
  isInt: boolean;
  isFloat: boolean;
  int: number;
  float: number;
  /** The Go constant this literal stands for when used on its own. */
  constant: number | GoFloat;
}
export interface StringNode extends Base {
  type: N.String;
  quoted: string;
  text: string;
}

export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;
export type Node = ListNode | TextNode | CommentNode | ActionNode | BranchNode | TemplateNode | BreakNode;
export type AnyNode = Node | ArgNode | CommandNode;

/** A parsed template: its name and body. */
export interface Tree {
  name: string;
  root: ListNode;
  src: Source;
  /** The compiled form (compile.ts), once executed. */
  compiled?: unknown;
}

export class TemplateParseError extends Error {
  constructor(
    message: string,
    readonly parseName: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'TemplateParseError';
  }
}

/** Go's parse.IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case N.List:
      return n.nodes.every(isEmptyTree);
    case N.Text:
      return n.text.trim() === '' && !/[^ \t\n\r]/.test(n.text);
    case N.Comment:
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------- String()

export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case N.List:
      return n.nodes.map(nodeString).join('');
    case N.Text:
      return goQuote(n.text);
    case N.Comment:
      return `{{${n.text}}}`;
    case N.Action:
      return `{{${nodeString(n.pipe)}}}`;
    case N.If:
    case N.Range:
    case N.With: {
      const name = n.type === N.If ? 'if' : n.type === N.Range ? 'range' : 'with';
      const e = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${name} ${nodeString(n.pipe)}}}${nodeString(n.list)}${e}{{end}}`;
    }
    case N.Template:
      return n.pipe ? `{{template ${goQuote(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${goQuote(n.name)}}}`;
    case N.Break:
      return '{{break}}';
    case N.Continue:
      return '{{continue}}';
    case N.Pipe: {
      let s = '';
      if (n.decl.length > 0) {
        s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case N.Command:
      return n.args.map((a) => (a.type === N.Pipe ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case N.Field:
      return n.ident.map((i) => '.' + i).join('');
    case N.Variable:
      return n.ident.join('.');
    case N.Chain: {
      const inner = n.node.type === N.Pipe ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => '.' + f).join('');
    }
    case N.Identifier:
      return n.ident;
    case N.Dot:
      return '.';
    case N.Nil:
      return 'nil';
    case N.Bool:
      return n.value ? 'true' : 'false';
    case N.Number:
      return n.text;
    case N.String:
      return n.quoted;
  }
}

// ---------------------------------------------------------------- parsing

export interface ParseOptions {
  /** Whether a function name exists (Go checks at parse time). */
  hasFunction: (name: string) => boolean;
}

/**
 * Parses `text` named `parseName`. Returns the top-level tree (named `name`) and every
 * `{{define}}`/`{{block}}` tree, in definition order.
 */
export function parse(name: string, parseName: string, text: string, opts: ParseOptions): { root: Tree; defs: Tree[] } {
  return new Parser(name, parseName, text, opts).parseAll();
}

class Parser {
  private toks: Token[];
  private i = 0;
  private src: Source;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private lastLine = 1;
  private actionLine = 0;
  private treeSet = new Map<string, Tree>();
  private defs: Tree[] = [];

  constructor(
    private name: string,
    parseName: string,
    text: string,
    private opts: ParseOptions,
  ) {
    this.src = { parseName, text };
    this.toks = lex(text);
  }

  private errorf(msg: string): never {
    throw new TemplateParseError(`template: ${this.src.parseName}:${this.lastLine}: ${msg}`, this.src.parseName, this.lastLine);
  }

  private next(): Token {
    const t = this.toks[this.i < this.toks.length ? this.i : this.toks.length - 1];
    if (this.i < this.toks.length) this.i++;
    this.lastLine = t.line;
    return t;
  }
  private backup(n = 1) {
    this.i -= n;
  }
  private peek(): Token {
    return this.toks[Math.min(this.i, this.toks.length - 1)];
  }
  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.typ === Tok.Space);
    return t;
  }
  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }
  private expect(typ: Tok, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }
  private unexpected(t: Token, context: string): never {
    if (t.typ === Tok.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.src.parseName}:${this.actionLine}`;
      }
      this.errorf(`${t.val}${extra}`);
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`);
  }

  private newList(pos: number): ListNode {
    return { type: N.List, pos, src: this.src, nodes: [] };
  }

  parseAll(): { root: Tree; defs: Tree[] } {
    const root = this.newList(this.peek().pos);
    for (;;) {
      const t = this.peek();
      if (t.typ === Tok.EOF) break;
      if (t.typ === Tok.LeftDelim) {
        const delim = this.next();
        const save = this.i;
        if (this.nextNonSpace().typ === Tok.Define) {
          this.parseDefinition();
          continue;
        }
        this.i = save - 1;
        void delim;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${n.type === 'end' ? '{{end}}' : '{{else}}'}`);
      root.nodes.push(n as Node);
    }
    const tree: Tree = { name: this.name, root, src: this.src };
    this.add(tree, true);
    return { root: tree, defs: this.defs };
  }

  /** Go's Tree.add: a non-empty template may not be defined twice in one parse. */
  private add(tree: Tree, isRoot = false) {
    const old = this.treeSet.get(tree.name);
    if (old && !isEmptyTree(old.root)) {
      if (!isEmptyTree(tree.root)) this.errorf(`template: multiple definition of template ${goQuote(tree.name)}`);
      return;
    }
    this.treeSet.set(tree.name, tree);
    if (!isRoot) {
      this.defs = this.defs.filter((d) => d.name !== tree.name);
      this.defs.push(tree);
    }
  }

  private parseDefinition() {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.typ !== Tok.String && nameTok.typ !== Tok.RawString) this.unexpected(nameTok, context);
    const name = unquote(nameTok, (m) => this.errorf(m));
    this.expect(Tok.RightDelim, context);
    const savedVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = savedVars;
    if (end.type !== 'end') this.errorf(`unexpected {{else}} in ${context}`);
    this.add({ name, root: list, src: this.src });
  }

  /** Parses nodes until {{end}} or {{else}}, returning the list and that terminator. */
  private itemList(): [ListNode, Terminator] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== Tok.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n as Node);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node | Terminator {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Tok.Text:
        return { type: N.Text, pos: t.pos, src: this.src, text: t.val };
      case Tok.LeftDelim:
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case Tok.Comment:
        return { type: N.Comment, pos: t.pos, src: this.src, text: t.val };
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Node | Terminator {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Tok.Block:
        return this.blockControl();
      case Tok.Break:
        return this.breakControl(t, N.Break, 'break');
      case Tok.Continue:
        return this.breakControl(t, N.Continue, 'continue');
      case Tok.Else:
        return this.elseControl();
      case Tok.End:
        return this.endControl();
      case Tok.If:
        return this.branch(N.If, 'if', t);
      case Tok.Range:
        return this.branch(N.Range, 'range', t);
      case Tok.Template:
        return this.templateControl(t);
      case Tok.With:
        return this.branch(N.With, 'with', t);
    }
    this.backup();
    const tok = this.peek();
    return { type: N.Action, pos: tok.pos, src: this.src, pipe: this.pipeline('command', Tok.RightDelim) };
  }

  private breakControl(t: Token, type: N.Break | N.Continue, word: string): BreakNode {
    const tok = this.nextNonSpace();
    if (tok.typ !== Tok.RightDelim) this.unexpected(tok, `{{${word}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
    return { type, pos: t.pos, src: this.src };
  }

  private elseControl(): Terminator {
    const p = this.peekNonSpace();
    if (p.typ === Tok.If) return { type: 'else', pos: p.pos, elseIf: true };
    const t = this.expect(Tok.RightDelim, 'else');
    return { type: 'else', pos: t.pos, elseIf: false };
  }

  private endControl(): Terminator {
    const t = this.expect(Tok.RightDelim, 'end');
    return { type: 'end', pos: t.pos, elseIf: false };
  }

  private branch(type: N.If | N.Range | N.With, context: string, _keyword: Token): BranchNode {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, Tok.RightDelim);
      if (type === N.Range) this.rangeDepth++;
      const [list, afterList] = this.itemList();
      let next = afterList;
      if (type === N.Range) this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        if (type === N.If && this.peekNonSpace().typ === Tok.If) {
          // {{else if x}} is {{else}}{{if x}}…{{end}}{{end}} with one {{end}}.
          const ifTok = this.nextNonSpace();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch(N.If, 'if', ifTok));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf('expected end; found {{else}}');
        }
      }
      return { type, pos: pipe.pos, src: this.src, pipe, list, elseList };
    } finally {
      this.vars.length = nvars;
    }
  }

  private templateControl(_t: Token): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== Tok.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, Tok.RightDelim);
    }
    return { type: N.Template, pos: tok.pos, src: this.src, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, Tok.RightDelim);
    const savedVars = this.vars;
    const savedDepth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    this.vars = savedVars;
    this.rangeDepth = savedDepth;
    if (end.type !== 'end') this.errorf(`unexpected {{else}} in ${context}`);
    this.add({ name, root: list, src: this.src });
    return { type: N.Template, pos: tok.pos, src: this.src, name, pipe };
  }

  private templateName(tok: Token, context: string): string {
    if (tok.typ === Tok.String || tok.typ === Tok.RawString) return unquote(tok, (m) => this.errorf(m));
    this.unexpected(tok, context);
  }

  private pipeline(context: string, end: Tok): PipeNode {
    const pipe: PipeNode = { type: N.Pipe, pos: this.peekNonSpace().pos, src: this.src, isAssign: false, decl: [], cmds: [] };
    // Variable declarations: $x := / $x = / $i, $e :=
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== Tok.Variable) break;
      const save = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.typ === Tok.Assign || next.typ === Tok.Declare) {
        pipe.isAssign = next.typ === Tok.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        break;
      }
      if (next.typ === Tok.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === Tok.Variable || p === Tok.RightDelim || p === Tok.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.typ) {
        case Tok.Bool:
        case Tok.CharConstant:
        case Tok.Dot:
        case Tok.Field:
        case Tok.Identifier:
        case Tok.Number:
        case Tok.Nil:
        case Tok.RawString:
        case Tok.String:
        case Tok.Variable:
        case Tok.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string) {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const t = pipe.cmds[i].args[0].type;
      if (t === N.Bool || t === N.Dot || t === N.Nil || t === N.Number || t === N.String) {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: N.Command, pos: this.peekNonSpace().pos, src: this.src, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === Tok.Space) continue;
      if (t.typ === Tok.RightDelim || t.typ === Tok.RightParen) this.backup();
      else if (t.typ !== Tok.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().typ === Tok.Field) {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === Tok.Field) fields.push(this.next().val.slice(1));
      switch (node.type) {
        case N.Field:
          node = { type: N.Field, pos, src: this.src, ident: [...node.ident, ...fields] };
          break;
        case N.Variable:
          node = { type: N.Variable, pos, src: this.src, ident: [...node.ident, ...fields] };
          break;
        case N.Bool:
        case N.String:
        case N.Number:
        case N.Nil:
        case N.Dot:
          return this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
        default:
          node = { type: N.Chain, pos, src: this.src, node, field: fields };
      }
    }
    return node;
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case Tok.Identifier:
        if (!this.opts.hasFunction(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`);
        return { type: N.Identifier, pos: t.pos, src: this.src, ident: t.val };
      case Tok.Dot:
        return { type: N.Dot, pos: t.pos, src: this.src };
      case Tok.Nil:
        return { type: N.Nil, pos: t.pos, src: this.src };
      case Tok.Variable:
        return this.useVar(t.pos, t.val);
      case Tok.Field:
        return { type: N.Field, pos: t.pos, src: this.src, ident: [t.val.slice(1)] };
      case Tok.Bool:
        return { type: N.Bool, pos: t.pos, src: this.src, value: t.val === 'true' };
      case Tok.CharConstant:
      case Tok.Number:
        return this.newNumber(t);
      case Tok.LeftParen:
        return this.pipeline('parenthesized pipeline', Tok.RightParen);
      case Tok.String:
      case Tok.RawString:
        return { type: N.String, pos: t.pos, src: this.src, quoted: t.val, text: unquote(t, (m) => this.errorf(m)) };
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { type: N.Variable, pos, src: this.src, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0])) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0])}`);
  }

  private newNumber(t: Token): NumberNode {
    const n = parseNumber(t.val, t.typ === Tok.CharConstant);
    if (typeof n === 'string') this.errorf(n);
    return { type: N.Number, pos: t.pos, src: this.src, text: t.val, ...n };
  }
}

interface Terminator {
  type: 'end' | 'else';
  pos: number;
  elseIf: boolean;
}

/** Go's number literal rules, reduced to what templates use: ints, floats, char constants. */
function parseNumber(
  text: string,
  isChar: boolean,
): { isInt: boolean; isFloat: boolean; int: number; float: number; constant: number | GoFloat } | string {
  if (isChar) {
    const s = unquoteString(text.slice(1, -1), "'");
    if (s === null || [...s].length !== 1) return `malformed character constant: ${text}`;
    const c = s.codePointAt(0)!;
    return { isInt: true, isFloat: true, int: c, float: c, constant: c };
  }
  if (text.endsWith('i')) return `complex numbers are not supported: ${text}`;
  const clean = text.replace(/_/g, '');
  let sign = 1;
  let body = clean;
  if (body[0] === '+' || body[0] === '-') {
    if (body[0] === '-') sign = -1;
    body = body.slice(1);
  }
  let intVal: number | null = null;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) intVal = parseInt(body.slice(2), 16);
  else if (/^0[oO][0-7]+$/.test(body)) intVal = parseInt(body.slice(2), 8);
  else if (/^0[bB][01]+$/.test(body)) intVal = parseInt(body.slice(2), 2);
  else if (/^0[0-7]+$/.test(body)) intVal = parseInt(body.slice(1), 8);
  else if (/^\d+$/.test(body)) intVal = parseInt(body, 10);
  if (intVal !== null) {
    const v = sign * intVal;
    return { isInt: true, isFloat: true, int: v, float: v, constant: v };
  }
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) {
    const f = sign * parseFloat(body);
    const isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    return { isInt, isFloat: true, int: isInt ? f : 0, float: f, constant: new GoFloat(f) };
  }
  return `illegal number syntax: ${goQuote(text)}`;
}

function unquote(t: Token, fail: (m: string) => never): string {
  if (t.typ === Tok.RawString) return t.val.slice(1, -1).replace(/\r/g, '');
  const s = unquoteString(t.val.slice(1, -1), '"');
  if (s === null) fail('invalid syntax');
  return s;
}

/** strconv.Unquote for the body of a "…" or '…' literal. */
export function unquoteString(body: string, quote: string): string | null {
  if (!body.includes('\\')) return body;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e in simple) {
      flush();
      out += simple[e];
    } else if (e === quote) {
      flush();
      out += e;
    } else if (e === 'x') {
      const h = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) return null;
      const v = parseInt(o, 8);
      if (v > 255) return null;
      bytes.push(v);
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) return null;
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return null;
      flush();
      out += String.fromCodePoint(cp);
      i += n;
    } else return null;
  }
  flush();
  return out;
}
