/**
 * The part of Go's fmt package that templates reach: print, println, printf, and the %v form
 * used to print a pipeline's value. Verbs: v s d q x X o b c U e E f F g G t % with the flags
 * `+ - # 0 space`, width and precision.
 */
import { goQuote } from './lexer';
import { GoFloat, GoObject, isNil, runeCount, typeOf } from './values';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number; // -1: none
  prec: number; // -1: none
}

const NO_SPEC: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };

/** fmt.Sprint: operands joined, with a space between two operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, 'v', NO_SPEC, 0);
  }
  return out;
}

/** fmt.Sprintln: operands joined by spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a, 'v', NO_SPEC, 0)).join(' ') + '\n';
}

/** fmt.Sprint of one value (%v). */
export function formatV(v: unknown): string {
  if (typeof v === 'string') return v;
  return formatValue(v, 'v', NO_SPEC, 0);
}

export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argNum = 0;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...NO_SPEC };
    // flags
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') {
        spec.minus = true;
        spec.zero = false;
      } else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    // width
    if (format[i] === '*') {
      i++;
      const a = args[argNum++];
      if (typeof a === 'number') {
        spec.width = Math.abs(a);
        if (a < 0) {
          spec.minus = true;
          spec.zero = false;
        }
      } else out += '%!(BADWIDTH)';
    } else {
      const s = i;
      while (i < n && format[i] >= '0' && format[i] <= '9') i++;
      if (i > s) spec.width = parseInt(format.slice(s, i), 10);
    }
    // precision
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const a = args[argNum++];
        if (typeof a === 'number' && a >= 0) spec.prec = a;
        else out += '%!(BADPREC)';
      } else {
        const s = i;
        while (i < n && format[i] >= '0' && format[i] <= '9') i++;
        spec.prec = i > s ? parseInt(format.slice(s, i), 10) : 0;
      }
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    out += formatValue(arg, verb, spec, 0);
  }
  if (argNum < args.length) {
    out += '%!(EXTRA ';
    out += args
      .slice(argNum)
      .map((a) => (isNil(a) ? '<nil>' : `${typeOf(a).name}=${formatValue(a, 'v', NO_SPEC, 0)}`))
      .join(', ');
    out += ')';
  }
  return out;
}

function badVerb(v: unknown, verb: string): string {
  if (isNil(v)) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeOf(v).name}=${formatValue(v, 'v', NO_SPEC, 0)})`;
}

function pad(s: string, spec: Spec, zeroOk = true): string {
  if (spec.width < 0) return s;
  const w = runeCount(s);
  if (w >= spec.width) return s;
  const fill = spec.width - w;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && zeroOk) return '0'.repeat(fill) + s;
  return ' '.repeat(fill) + s;
}

/** Pads a number, putting zero padding after the sign. */
function padNumber(s: string, spec: Spec): string {
  if (spec.width < 0 || s.length >= spec.width) return s;
  if (spec.zero && !spec.minus) {
    const signed = s[0] === '-' || s[0] === '+' || s[0] === ' ';
    const sign = signed ? s[0] : '';
    const body = signed ? s.slice(1) : s;
    return sign + '0'.repeat(spec.width - s.length) + body;
  }
  return pad(s, { ...spec, zero: false });
}

export function formatValue(v: unknown, verb: string, spec: Spec, depth: number): string {
  if (isNil(v)) {
    if (verb === 'v') return pad('<nil>', spec, false);
    return badVerb(v, verb);
  }
  switch (typeof v) {
    case 'boolean':
      if (verb === 'v' || verb === 't') return pad(v ? 'true' : 'false', spec, false);
      return badVerb(v, verb);
    case 'number':
      return formatInt(v, verb, spec);
    case 'string':
      return formatString(v, verb, spec);
  }
  if (v instanceof GoFloat) return formatFloat(v.v, verb, spec);
  const t = typeOf(v);
  if (t.stringer && (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) {
    return formatString(t.stringer(v), verb, spec);
  }
  if (Array.isArray(v)) {
    return '[' + v.map((e) => formatValue(e, verb, spec, depth + 1)).join(' ') + ']';
  }
  const o = v as GoObject;
  switch (t.kind) {
    case 'map': {
      const keys = o.goKeys!().sort(compareStrings);
      return 'map[' + keys.map((k) => `${formatValue(k, verb, spec, depth + 1)}:${formatValue(o.goField!(k), verb, spec, depth + 1)}`).join(' ') + ']';
    }
    case 'struct':
      return '{' + (t.fields ?? []).map((f) => formatValue(o.goField!(f), verb, spec, depth + 1)).join(' ') + '}';
    case 'int':
      return formatInt((o as any).valueOf(), verb, spec);
    case 'string':
      return formatString(String(o), verb, spec);
  }
  return badVerb(v, verb);
}

export function compareStrings(a: string, b: string): number {
  // Go compares strings bytewise (UTF-8), which equals code point order.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
    case 's':
      if (spec.prec >= 0) s = [...s].slice(0, spec.prec).join('');
      return pad(s, spec);
    case 'q':
      if (spec.prec >= 0) s = [...s].slice(0, spec.prec).join('');
      // %#q uses a raw string only when no control character would need escaping, as Go does.
      // eslint-disable-next-line no-control-regex
      if (spec.sharp && !s.includes('`') && !/[\x00-\x08\x0a-\x1f\x7f]/.test(s)) return pad('`' + s + '`', spec);
      return pad(spec.plus ? asciiQuote(s) : goQuote(s), spec);
    case 'x':
    case 'X': {
      let b = Buffer.from(s, 'utf8');
      if (spec.prec >= 0) b = b.subarray(0, spec.prec);
      const parts: string[] = [];
      for (const byte of b) {
        let h = byte.toString(16).padStart(2, '0');
        if (verb === 'X') h = h.toUpperCase();
        parts.push(h);
      }
      let out: string;
      if (spec.space) out = parts.map((h) => (spec.sharp ? (verb === 'x' ? '0x' : '0X') + h : h)).join(' ');
      else out = (spec.sharp && parts.length ? (verb === 'x' ? '0x' : '0X') : '') + parts.join('');
      return pad(out, spec);
    }
  }
  return badVerb(s, verb);
}

function asciiQuote(s: string): string {
  // %+q escapes everything outside ASCII.
  // eslint-disable-next-line no-control-regex
  return goQuote(s).replace(/[^\x00-\x7f]/gu, (ch) => {
    const c = ch.codePointAt(0)!;
    return c < 0x10000 ? '\\u' + c.toString(16).padStart(4, '0') : '\\U' + c.toString(16).padStart(8, '0');
  });
}

function formatInt(n: number, verb: string, spec: Spec): string {
  let digits: string;
  let prefix = '';
  const neg = n < 0;
  const abs = Math.abs(n);
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString(10);
      break;
    case 'x':
      digits = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'o':
      digits = abs.toString(8);
      if (spec.sharp) prefix = '0';
      break;
    case 'O':
      digits = abs.toString(8);
      prefix = '0o';
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(validRune(n)), spec);
    case 'q': {
      const ch = String.fromCodePoint(validRune(n));
      const q = goQuote(ch);
      return pad("'" + q.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'", spec);
    }
    case 'U': {
      let s = 'U+' + abs.toString(16).toUpperCase().padStart(4, '0');
      if (spec.sharp) s += ` '${String.fromCodePoint(validRune(n))}'`;
      return pad(s, spec);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return badVerb(n, verb);
    default:
      return badVerb(n, verb);
  }
  if (spec.prec >= 0) {
    if (spec.prec === 0 && n === 0) digits = '';
    else digits = digits.padStart(spec.prec, '0');
  }
  let sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const s = sign + prefix + digits;
  if (spec.prec >= 0) return pad(s, { ...spec, zero: false });
  if (spec.zero && !spec.minus && spec.width > s.length) {
    return sign + prefix + '0'.repeat(spec.width - s.length) + digits;
  }
  sign = '';
  return pad(s, spec);
}

function validRune(n: number): number {
  return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n < 0xe000) ? n : 0xfffd;
}

/** Decimal digits of |x| and the decimal point position: x = 0.d1d2d3… × 10^dp. */
function decimalDigits(x: number, sigDigits: number): { d: string; dp: number } {
  if (x === 0) return { d: '', dp: 0 };
  const e = sigDigits < 0 ? x.toExponential() : x.toExponential(Math.min(sigDigits - 1, 100));
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(e)!;
  let d = m[1] + (m[2] ?? '');
  d = d.replace(/0+$/, '');
  return { d, dp: parseInt(m[3], 10) + 1 };
}

function fmtE(neg: boolean, d: string, dp: number, prec: number, e: string): string {
  let s = neg ? '-' : '';
  s += d.length ? d[0] : '0';
  if (prec > 0) {
    s += '.';
    s += d.slice(1, 1 + prec).padEnd(prec, '0');
  }
  const exp = d.length === 0 ? 0 : dp - 1;
  s += e + (exp < 0 ? '-' : '+');
  const ae = Math.abs(exp);
  s += ae < 10 ? '0' + ae : String(ae);
  return s;
}

function fmtF(neg: boolean, d: string, dp: number, prec: number): string {
  let s = neg ? '-' : '';
  if (dp > 0) s += d.slice(0, dp).padEnd(dp, '0');
  else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = dp + i;
      s += j >= 0 && j < d.length ? d[j] : '0';
    }
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64). */
export function formatFloatStr(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const shortest = prec < 0;
  switch (verb) {
    case 'e':
    case 'E': {
      const { d, dp } = decimalDigits(ax, shortest ? -1 : prec + 1);
      return fmtE(neg, d, dp, shortest ? Math.max(d.length - 1, 0) : prec, verb);
    }
    case 'f':
    case 'F': {
      if (shortest) {
        const { d, dp } = decimalDigits(ax, -1);
        return fmtF(neg, d, dp, Math.max(d.length - dp, 0));
      }
      return (neg ? '-' : '') + toFixedHalfEven(ax, prec);
    }
    default: {
      // g / G
      let p = prec;
      if (p === 0) p = 1;
      const { d, dp } = decimalDigits(ax, shortest ? -1 : p);
      if (shortest) p = d.length;
      let eprec = p;
      if (eprec > d.length && d.length >= dp) eprec = d.length;
      if (shortest) eprec = 6;
      const exp = dp - 1;
      if (d.length > 0 && (exp < -4 || exp >= eprec)) {
        if (p > d.length) p = d.length;
        return fmtE(neg, d, dp, p - 1, verb === 'G' ? 'E' : 'e');
      }
      if (p > dp) p = d.length;
      return fmtF(neg, d, dp, Math.max(p - dp, 0));
    }
  }
}

/** x.toFixed(prec) but rounding exact ties to even, as Go does. */
function toFixedHalfEven(x: number, prec: number): string {
  if (x >= 1e21) {
    const { d, dp } = decimalDigits(x, -1);
    return fmtF(false, d, dp, prec);
  }
  const extra = Math.min(100, prec + 30);
  const long = x.toFixed(extra);
  const cut = long.length - (extra - prec);
  const rest = long.slice(cut);
  if (/^50*$/.test(rest)) {
    // exact tie: round half to even
    const kept = long.slice(0, cut).replace(/\.$/, '');
    const lastDigit = kept.replace('.', '').slice(-1);
    if (parseInt(lastDigit, 10) % 2 === 0) return kept;
  }
  return x.toFixed(prec);
}

function formatFloat(x: number, verb: string, spec: Spec): string {
  let s: string;
  switch (verb) {
    case 'v':
      s = formatFloatStr(x, 'g', spec.prec);
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      s = formatFloatStr(x, verb, spec.prec < 0 ? 6 : spec.prec);
      break;
    case 'g':
    case 'G':
      s = formatFloatStr(x, verb, spec.prec);
      break;
    default:
      return badVerb(new GoFloat(x), verb);
  }
  if (spec.plus && s[0] !== '-' && s[0] !== '+') s = '+' + s;
  else if (spec.space && s[0] !== '-' && s[0] !== '+') s = ' ' + s;
  else if (s[0] === '+' && !spec.plus) s = s.slice(0); // +Inf keeps its sign
  if (!Number.isFinite(x)) return pad(s, { ...spec, zero: false });
  return padNumber(s, spec);
}
