/** Go text/template's predefined functions, with Go's comparison rules and error texts. */
import { FuncDef } from './exec';
import { compareStrings, formatV, sprint, sprintf, sprintln } from './fmt';
import { GoDuration, GoEnum, GoTime } from './gotime';
import { isPrintRune } from './lexer';
import { GoCallError, GoFloat, GoObject, isAscii, isNil, isTrue, NamedString, typedSlice, typeOf } from './values';

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int';
    case 'string':
      return 'string';
  }
  if (v instanceof GoFloat) return 'float';
  if (v instanceof GoDuration || v instanceof GoEnum) return 'int';
  if (v instanceof NamedString) return 'string';
  return 'invalid';
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.v;
  return Number((v as any).valueOf());
}

const BAD_COMPARISON = 'incompatible types for comparison';
const BAD_COMPARISON_TYPE = 'invalid type for comparison';

export function goEq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new GoCallError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) throw new GoCallError(BAD_COMPARISON);
    } else {
      switch (k1) {
        case 'bool':
          truth = arg1 === arg;
          break;
        case 'int':
        case 'float':
          truth = num(arg1) === num(arg);
          break;
        case 'string':
          truth = String(arg1) === String(arg);
          break;
        default: {
          if (isNil(arg1) || isNil(arg)) {
            truth = isNil(arg1) === isNil(arg);
            break;
          }
          const t1 = typeOf(arg1);
          const t2 = typeOf(arg);
          if (t1 !== t2 && t1.name !== t2.name) {
            throw new GoCallError(`non-comparable types ${formatV(arg1)}: ${t1.name}, ${t2.name}: ${formatV(arg)}`);
          }
          if (t1.kind === 'slice' || t1.kind === 'map' || t1.kind === 'func') {
            throw new GoCallError(`non-comparable type ${formatV(arg)}: ${t2.name}`);
          }
          if (arg1 instanceof GoTime && arg instanceof GoTime) {
            truth = arg1.sec === arg.sec && arg1.nsec === arg.nsec && arg1.loc === arg.loc;
          } else truth = arg1 === arg;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

export function goLt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid') throw new GoCallError(BAD_COMPARISON_TYPE);
  const k2 = basicKind(b);
  if (k2 === 'invalid') throw new GoCallError(BAD_COMPARISON_TYPE);
  if (k1 !== k2) throw new GoCallError(BAD_COMPARISON);
  switch (k1) {
    case 'bool':
      throw new GoCallError(BAD_COMPARISON_TYPE);
    case 'string':
      return compareStrings(String(a), String(b)) < 0;
    default:
      return num(a) < num(b);
  }
}

const goLe = (a: unknown, b: unknown) => goLt(a, b) || goEq(a, b);

function length(item: unknown): number {
  if (typeof item === 'string') return isAscii(item) ? item.length : Buffer.byteLength(item, 'utf8');
  if (Array.isArray(item)) return item.length;
  if (item instanceof NamedString) return item.goLen();
  if (item && typeof item === 'object' && (item as GoObject).goType?.kind === 'map') return (item as GoObject).goLen!();
  if (isNil(item)) throw new GoCallError('len of nil pointer');
  throw new GoCallError(`len of type ${typeOf(item).name}`);
}

function indexArg(index: unknown, cap: number): number {
  let x: number;
  if (typeof index === 'number') x = index;
  else if (index instanceof GoDuration || index instanceof GoEnum) x = Number(index.valueOf());
  else if (isNil(index)) throw new GoCallError('cannot index slice/array with nil');
  else throw new GoCallError(`cannot index slice/array with type ${typeOf(index).name}`);
  if (x < 0 || x > cap) throw new GoCallError(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new GoCallError('index of untyped nil');
  for (const ix of indexes) {
    if (isNil(item)) throw new GoCallError('index of nil pointer');
    if (typeof item === 'string' || item instanceof NamedString) {
      const bytes = Buffer.from(String(item), 'utf8');
      const x = indexArg(ix, bytes.length);
      if (x === bytes.length) throw new GoCallError('reflect: string index out of range');
      item = bytes[x];
    } else if (Array.isArray(item)) {
      const x = indexArg(ix, item.length);
      if (x === item.length) throw new GoCallError('reflect: slice index out of range');
      item = item[x];
    } else if (item && typeof item === 'object' && (item as GoObject).goType?.kind === 'map') {
      const m = item as GoObject;
      const t = m.goType;
      if (isNil(ix)) throw new GoCallError(`value is nil; should be of type string`);
      if (typeof ix !== 'string') throw new GoCallError(`value has type ${typeOf(ix).name}; should be string`);
      const v = m.goField!(ix);
      item = v === undefined ? (t.elem?.kind === 'string' ? '' : undefined) : v;
    } else {
      throw new GoCallError(`can't index item of type ${typeOf(item).name}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new GoCallError('slice of untyped nil');
  if (indexes.length > 3) throw new GoCallError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Buffer | undefined;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new GoCallError('cannot 3-index slice a string');
    bytes = Buffer.from(item, 'utf8');
    len = bytes.length;
  } else if (Array.isArray(item)) len = item.length;
  else throw new GoCallError(`can't slice item of type ${typeOf(item).name}`);
  const idx = [0, len, len];
  indexes.forEach((ix, i) => (idx[i] = indexArg(ix, len)));
  if (idx[0] > idx[1]) throw new GoCallError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new GoCallError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes) return bytes.subarray(idx[0], idx[1]).toString('utf8');
  const arr = item as unknown[];
  const out = arr.slice(idx[0], idx[1]);
  const t = typeOf(arr);
  return t.name === '[]interface {}' ? out : typedSlice(out, t);
}

/** evalArgs: a single string argument as is, otherwise fmt.Sprint of them. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
      else out += ch;
    } else if (isPrintRune(c)) out += ch;
    else out += c < 0x10000 ? '\\u' + c.toString(16).toUpperCase().padStart(4, '0') : `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return out;
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  // common case: nothing to escape
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e;
    if (!ok) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export const BUILTINS: Record<string, FuncDef> = {
  and: { params: ['any'], variadic: 'any', fn: () => undefined, shortCircuit: 'and' },
  or: { params: ['any'], variadic: 'any', fn: () => undefined, shortCircuit: 'or' },
  not: { params: ['any'], fn: (a) => !isTrue(a) },
  len: { params: ['any'], fn: length },
  index: { params: ['any'], variadic: 'any', fn: index },
  slice: { params: ['any'], variadic: 'any', fn: slice },
  print: { params: [], variadic: 'any', fn: (...a) => sprint(a) },
  printf: { params: ['string'], variadic: 'any', fn: (f: string, ...a) => sprintf(f, a) },
  println: { params: [], variadic: 'any', fn: (...a) => sprintln(a) },
  html: { params: [], variadic: 'any', fn: (...a) => htmlEscape(evalArgs(a)) },
  js: { params: [], variadic: 'any', fn: (...a) => jsEscape(evalArgs(a)) },
  urlquery: { params: [], variadic: 'any', fn: (...a) => queryEscape(evalArgs(a)) },
  call: {
    params: ['any'],
    variadic: 'any',
    fn: (f, ...a) => {
      if (isNil(f)) throw new GoCallError('call of nil');
      if (typeof f !== 'function') throw new GoCallError(`non-function of type ${typeOf(f).name}`);
      return f(...a);
    },
  },
  eq: { params: ['any'], variadic: 'any', fn: goEq },
  ne: { params: ['any', 'any'], fn: (a, b) => !goEq(a, b) },
  lt: { params: ['any', 'any'], fn: goLt },
  le: { params: ['any', 'any'], fn: goLe },
  gt: { params: ['any', 'any'], fn: (a, b) => !goLe(a, b) },
  ge: { params: ['any', 'any'], fn: (a, b) => !goLt(a, b) },
};
