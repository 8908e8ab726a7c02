/**
 * The template functions prometheus-webhook-dingtalk (v2.1.0) adds to Go's: its own `markdown`,
 * `toUpper`, `toLower`, and Masterminds sprig v3's text functions (sprig.TxtFuncMap), of which
 * this is the subset listed in the README. Written from sprig's documented behaviour and its
 * source as reference, not translated from it.
 *
 * Two tables:
 * - `sprigFuncs`: names Alertmanager does not define. Every template set has them, so the tool's
 *   template files parse wherever they are loaded; no Alertmanager template can use one of these
 *   names, so none renders differently for their presence.
 * - `dingtalkToolOverrides`: names both define with different semantics (`title`, `join`, `date`,
 *   `toDate`, `mustToDate`, `dict`). Sprig's win only for a DingTalk target with
 *   `template_dialect: prometheus-webhook-dingtalk`, as they did in the tool (it registers sprig
 *   last); everywhere else Alertmanager's do.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { FuncDef } from '../engine/exec';
import { formatV, sprintf } from '../engine/fmt';
import { GoDuration, GoTime, loadLocation, localLocation, parseTime, UTC, ZERO_UNIX } from '../engine/gotime';
import { marshalJSON } from '../engine/json';
import { compileGoRegexp, expandGoTemplate } from '../engine/regexp';
import { GoCallError, GoFloat, GoMap, GoObject, isNil, NamedString, T_SLICE_STRING, typedSlice, typeOf } from '../engine/values';
import { simpleCase } from '../alertmanager/funcs';

export interface DingtalkToolFuncOptions {
  /** Clock for `ago` and for `date` of a value that is not a time (tests). */
  now?: () => Date;
}

/** What sprig's strval gives: a string as is, a Stringer or error by its text, anything else as %v. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof NamedString) return v.toString();
  return formatV(v);
}

/** `markdown`: a backslash before each `_`, `*` and `` ` `` (the tool's own escape for DingTalk markdown). */
export function markdownEscape(s: string): string {
  return s.replace(/[_*`]/g, '\\$&');
}

/** sprig's empty: Go's zero values, empty strings, slices and maps, nil; a struct (a time, an alert) never. */
export function isEmpty(v: unknown): boolean {
  if (isNil(v)) return true;
  if (typeof v === 'string') return v.length === 0;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'boolean') return !v;
  if (v instanceof GoFloat) return v.v === 0;
  if (v instanceof GoDuration) return v.ns === 0;
  if (v instanceof NamedString) return v.toString().length === 0;
  if (Array.isArray(v)) return v.length === 0;
  const t = typeOf(v);
  if (t.kind === 'map') return ((v as GoObject).goLen?.() ?? (v as GoObject).goKeys?.().length ?? 0) === 0;
  return false;
}

/**
 * spf13/cast's ToInt64 (what sprig's `int`, `add`, `sub`… use): numbers truncated, bools 0/1,
 * strings parsed with Go's base prefixes (`0x1f`, `0o17`, `0b101`), anything else 0.
 */
export function toInt64(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof GoFloat) return Number.isFinite(v.v) ? Math.trunc(v.v) : 0;
  if (v instanceof GoDuration) return v.ns;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' || v instanceof NamedString) {
    const s = String(v);
    const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[1-9][0-9_]*|0)$/.exec(s);
    if (!m) return 0;
    let digits = m[2].replace(/_/g, '');
    let base = 10;
    if (/^0[xX]/.test(digits)) [base, digits] = [16, digits.slice(2)];
    else if (/^0[bB]/.test(digits)) [base, digits] = [2, digits.slice(2)];
    else if (/^0[oO]/.test(digits)) [base, digits] = [8, digits.slice(2)];
    else if (digits.length > 1 && digits.startsWith('0')) [base, digits] = [8, digits.slice(1)];
    const n = parseInt(digits, base);
    return m[1] === '-' ? -n : n;
  }
  return 0;
}

/** cast.ToFloat64: numbers, bools and decimal strings; anything else 0. */
function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return Number(v);
  return 0;
}

/** sprig's strslice: a list's non-nil elements as strings; nil is empty; anything else one element. */
function toStrings(v: unknown): string[] {
  if (isNil(v)) return [];
  if (Array.isArray(v)) return v.filter((e) => !isNil(e)).map(strval);
  return [strval(v)];
}

/** A list argument (sprig's list functions take any slice); anything else is Go's panic, an exec error. */
function listOf(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new GoCallError(`Cannot find ${fn} on type ${typeOf(v).name}`);
}

function mapOf(v: unknown, fn: string): GoMap {
  if (v instanceof GoMap) return v;
  throw new GoCallError(`wrong type for value; expected map[string]interface {}; got ${typeOf(v).name} (${fn})`);
}

/** Go's reflect.DeepEqual for template values: sprig's `has`, `uniq` and `without` compare with it. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof GoFloat && b instanceof GoFloat) return a.v === b.v;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof GoMap && b instanceof GoMap) return a.m.size === b.m.size && [...a.m].every(([k, x]) => b.m.has(k) && deepEqual(x, b.m.get(k)));
  if (a instanceof GoTime && b instanceof GoTime) return a.sec === b.sec && a.nsec === b.nsec && a.loc === b.loc;
  return false;
}

/** The UTF-8 bytes from..to of s (Go slices strings by byte); a cut through a character shows U+FFFD. */
function byteSlice(s: string, from: number, to?: number): string {
  return Buffer.from(s, 'utf8').subarray(from, to).toString('utf8');
}

function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Go's strings.Title (what sprig's `title` is): each letter after a separator upper-cased, the rest kept. */
export function stringsTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isTitleSeparator(prev) ? simpleCase(ch, true) : ch;
    prev = ch;
  }
  return out;
}

function isTitleSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/** sprig's time argument: a time as is, Unix seconds (int), anything else now. */
function timeArg(v: unknown, now: () => GoTime): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'number') return new GoTime(Math.trunc(v), 0, UTC);
  return now();
}

/** time.LoadLocation as sprig uses it: an unknown zone gives UTC, not an error. */
function zone(name: string) {
  if (name === 'Local') return localLocation();
  try {
    return loadLocation(name);
  } catch {
    return UTC;
  }
}

const ZERO_TIME = new GoTime(ZERO_UNIX, 0, UTC);

function regexp(pattern: string, global = false): RegExp {
  return compileGoRegexp(pattern, (m) => new GoCallError(`regexp: Compile(${JSON.stringify(pattern)}): ${m}`), global);
}

/** Go's regexp.QuoteMeta. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** sprig's toPrettyJson: encoding/json's MarshalIndent with two spaces, from the compact form. */
function indentJSON(compact: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i];
    if (inString) {
      out += c;
      if (c === '\\') out += compact[++i];
      else if (c === '"') inString = false;
      continue;
    }
    const nl = (d: number) => '\n' + '  '.repeat(d);
    if (c === '"') inString = true;
    if ((c === '{' || c === '[') && (compact[i + 1] === '}' || compact[i + 1] === ']')) {
      out += c + compact[++i];
    } else if (c === '{' || c === '[') out += c + nl(++depth);
    else if (c === '}' || c === ']') out += nl(--depth) + c;
    else if (c === ',') out += c + nl(depth);
    else if (c === ':') out += ': ';
    else out += c;
  }
  return out;
}

/** encoding/json with SetEscapeHTML(false), as sprig's toRawJson writes it (no trailing newline). */
function rawJSON(v: unknown): string {
  return marshalJSON(v).replace(/\\u003c/g, '<').replace(/\\u003e/g, '>').replace(/\\u0026/g, '&');
}

/** Every sprig function alert-relay provides whose name Alertmanager does not define. */
export function sprigFuncs(opts: DingtalkToolFuncOptions = {}): Record<string, FuncDef> {
  const nowTime = () => GoTime.fromMillis((opts.now?.() ?? new Date()).getTime(), localLocation());
  const dateInZone = (layout: string, t: unknown, zoneName: string) => timeArg(t, nowTime).in(zone(zoneName)).format(layout);
  const bool = (fn: (...a: any[]) => boolean, params: FuncDef['params']): FuncDef => ({ params, fn });
  const s1 = (fn: (s: string) => string): FuncDef => ({ params: ['string'], fn });
  const s2 = (fn: (a: string, b: string) => string): FuncDef => ({ params: ['string', 'string'], fn });
  const intOp = (fn: (a: number, b: number) => number): FuncDef => ({ params: ['any', 'any'], fn: (a: unknown, b: unknown) => fn(toInt64(a), toInt64(b)) });
  const mathF = (fn: (x: number) => number): FuncDef => ({ params: ['any'], fn: (a: unknown) => new GoFloat(fn(toFloat64(a))) });
  const regexMatch: FuncDef = { params: ['string', 'string'], fn: (re: string, s: string) => regexp(re).test(s) };
  const regexFindAll: FuncDef = {
    params: ['string', 'string', 'int'],
    fn: (re: string, s: string, n: number) => {
      const all = [...s.matchAll(regexp(re, true))].map((m) => m[0]);
      return typedSlice(n < 0 ? all : all.slice(0, n), T_SLICE_STRING);
    },
  };
  const regexFind: FuncDef = { params: ['string', 'string'], fn: (re: string, s: string) => regexp(re).exec(s)?.[0] ?? '' };
  const regexReplaceAll: FuncDef = {
    params: ['string', 'string', 'string'],
    // Go's Regexp.Expand ($1, ${1}, $name, ${name}), as Alertmanager's reReplaceAll
    fn: (re: string, s: string, repl: string) =>
      s.replace(regexp(re, true), (...m: unknown[]) => {
        const hasGroups = typeof m[m.length - 1] === 'object';
        const groups = (hasGroups ? m[m.length - 1] : undefined) as Record<string, string> | undefined;
        return expandGoTemplate(repl, m.slice(0, hasGroups ? -3 : -2) as (string | undefined)[], groups);
      }),
  };
  const regexReplaceAllLiteral: FuncDef = { params: ['string', 'string', 'string'], fn: (re: string, s: string, repl: string) => s.replace(regexp(re, true), () => repl) };
  const regexSplit: FuncDef = {
    params: ['string', 'string', 'int'],
    // Go's Regexp.Split: an empty match at the start adds no part, and nothing follows a match at the end
    fn: (re: string, s: string, n: number) => {
      if (n === 0) return typedSlice([], T_SLICE_STRING);
      if (re !== '' && s === '') return typedSlice([''], T_SLICE_STRING);
      const parts: string[] = [];
      let begin = 0;
      let end = 0;
      for (const m of s.matchAll(regexp(re, true))) {
        if (n > 0 && parts.length === n - 1) break;
        end = m.index!;
        const matchEnd = m.index! + m[0].length;
        if (matchEnd !== 0) parts.push(s.slice(begin, end));
        begin = matchEnd;
      }
      if (end !== s.length) parts.push(s.slice(begin));
      return typedSlice(parts, T_SLICE_STRING);
    },
  };
  const toJsonChecked = (v: unknown) => marshalJSON(v);
  const first: FuncDef = { params: ['any'], fn: (l: unknown) => listOf(l, 'first')[0] };
  const last: FuncDef = { params: ['any'], fn: (l: unknown) => listOf(l, 'last').at(-1) };
  const rest: FuncDef = { params: ['any'], fn: (l: unknown) => listOf(l, 'rest').slice(1) };
  const initial: FuncDef = { params: ['any'], fn: (l: unknown) => listOf(l, 'initial').slice(0, -1) };
  const reverse: FuncDef = { params: ['any'], fn: (l: unknown) => [...listOf(l, 'reverse')].reverse() };
  const uniq: FuncDef = {
    params: ['any'],
    fn: (l: unknown) => listOf(l, 'uniq').reduce<unknown[]>((acc, v) => (acc.some((x) => deepEqual(x, v)) ? acc : [...acc, v]), []),
  };
  const without: FuncDef = { params: ['any'], variadic: 'any', fn: (l: unknown, ...omit: unknown[]) => listOf(l, 'without').filter((v) => !omit.some((o) => deepEqual(o, v))) };
  const has: FuncDef = { params: ['any', 'any'], fn: (needle: unknown, l: unknown) => !isNil(l) && listOf(l, 'has').some((v) => deepEqual(v, needle)) };
  const prepend: FuncDef = { params: ['any', 'any'], fn: (l: unknown, v: unknown) => [v, ...listOf(l, 'prepend')] };
  const compact: FuncDef = { params: ['any'], fn: (l: unknown) => listOf(l, 'compact').filter((v) => !isEmpty(v)) };

  return {
    markdown: s1(markdownEscape),

    // strings
    upper: s1((s) => simpleCase(s, true)),
    lower: s1((s) => simpleCase(s, false)),
    trim: s1((s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')),
    trimAll: s2((cut, s) => trimChars(s, cut)),
    trimall: s2((cut, s) => trimChars(s, cut)),
    trimPrefix: s2((p, s) => (p && s.startsWith(p) ? s.slice(p.length) : s)),
    trimSuffix: s2((p, s) => (p && s.endsWith(p) ? s.slice(0, -p.length) : s)),
    untitle: s1((s) => s.replace(/(^|\s)(\S)/gu, (_, sp, c) => sp + simpleCase(c, false))),
    nospace: s1((s) => s.replace(/\s/gu, '')),
    initials: s1((s) => s.split(/\s+/u).filter(Boolean).map((w) => [...w][0]).join('')),
    swapcase: s1((s) => [...s].map((c) => (c === simpleCase(c, true) ? simpleCase(c, false) : simpleCase(c, true))).join('')),
    repeat: { params: ['int', 'string'], fn: (n: number, s: string) => {
      if (n < 0) throw new GoCallError('strings: negative Repeat count');
      return s.repeat(n);
    } },
    substr: { params: ['int', 'int', 'string'], fn: (start: number, end: number, s: string) => {
      const n = byteLen(s);
      if (start < 0) return byteSlice(s, 0, Math.min(Math.max(end, 0), n));
      if (end < 0 || end > n) return byteSlice(s, Math.min(start, n));
      if (start > end) throw new GoCallError(`slice bounds out of range [${start}:${end}]`);
      return byteSlice(s, start, end);
    } },
    trunc: { params: ['int', 'string'], fn: (c: number, s: string) => {
      const n = byteLen(s);
      if (c < 0 && n + c > 0) return byteSlice(s, n + c);
      if (c >= 0 && n > c) return byteSlice(s, 0, c);
      return s;
    } },
    abbrev: { params: ['int', 'string'], fn: (width: number, s: string) => {
      if (width < 4 || byteLen(s) <= width) return s;
      return byteSlice(s, 0, width - 3) + '...';
    } },
    contains: bool((sub: string, s: string) => s.includes(sub), ['string', 'string']),
    hasPrefix: bool((p: string, s: string) => s.startsWith(p), ['string', 'string']),
    hasSuffix: bool((p: string, s: string) => s.endsWith(p), ['string', 'string']),
    replace: { params: ['string', 'string', 'string'], fn: (old: string, repl: string, s: string) => replaceAll(s, old, repl) },
    quote: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.filter((x) => !isNil(x)).map((x) => sprintf('%q', [strval(x)])).join(' ') },
    squote: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.filter((x) => !isNil(x)).map((x) => `'${formatV(x)}'`).join(' ') },
    cat: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.filter((x) => !isNil(x)).map(formatV).join(' ') },
    indent: { params: ['int', 'string'], fn: (n: number, s: string) => indent(n, s) },
    nindent: { params: ['int', 'string'], fn: (n: number, s: string) => '\n' + indent(n, s) },
    plural: { params: ['string', 'string', 'int'], fn: (one: string, many: string, n: number) => (n === 1 ? one : many) },
    toString: { params: ['any' as const], fn: strval },
    toStrings: { params: ['any'], fn: (v: unknown) => typedSlice(toStrings(v), T_SLICE_STRING) },
    splitList: { params: ['string', 'string'], fn: (sep: string, s: string) => typedSlice(goSplit(s, sep, -1), T_SLICE_STRING) },
    split: { params: ['string', 'string'], fn: (sep: string, s: string) => partsMap(goSplit(s, sep, -1)) },
    splitn: { params: ['string', 'int', 'string'], fn: (sep: string, n: number, s: string) => partsMap(goSplit(s, sep, n)) },
    sortAlpha: { params: ['any'], fn: (v: unknown) => typedSlice(toStrings(v).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))), T_SLICE_STRING) },

    // defaults and flow
    default: { params: ['any'], variadic: 'any', fn: (d: unknown, ...given: unknown[]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]) },
    empty: { params: ['any'], fn: isEmpty },
    coalesce: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.find((x) => !isEmpty(x)) },
    all: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.every((x) => !isEmpty(x)) },
    any: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.some((x) => !isEmpty(x)) },
    ternary: { params: ['any', 'any', 'bool'], fn: (t: unknown, f: unknown, c: boolean) => (c ? t : f) },
    fail: { params: ['string'], fn: (msg: string) => {
      throw new GoCallError(msg);
    } },

    // numbers (sprig's integer math is int64; results are ints)
    atoi: { params: ['string'], fn: (s: string) => (/^[+-]?\d+$/.test(s) ? Number(s) : 0) },
    int: { params: ['any'], fn: toInt64 },
    int64: { params: ['any'], fn: toInt64 },
    float64: { params: ['any'], fn: (v: unknown) => new GoFloat(toFloat64(v)) },
    add: { params: [], variadic: 'any', fn: (...v: unknown[]) => v.reduce<number>((a, b) => a + toInt64(b), 0) },
    add1: { params: ['any'], fn: (v: unknown) => toInt64(v) + 1 },
    sub: intOp((a, b) => a - b),
    mul: { params: ['any'], variadic: 'any', fn: (a: unknown, ...v: unknown[]) => v.reduce<number>((x, b) => x * toInt64(b), toInt64(a)) },
    div: intOp((a, b) => {
      if (b === 0) throw new GoCallError('runtime error: integer divide by zero');
      return Math.trunc(a / b);
    }),
    mod: intOp((a, b) => {
      if (b === 0) throw new GoCallError('runtime error: integer divide by zero');
      return a % b;
    }),
    max: { params: ['any'], variadic: 'any', fn: (a: unknown, ...v: unknown[]) => Math.max(toInt64(a), ...v.map(toInt64)) },
    biggest: { params: ['any'], variadic: 'any', fn: (a: unknown, ...v: unknown[]) => Math.max(toInt64(a), ...v.map(toInt64)) },
    min: { params: ['any'], variadic: 'any', fn: (a: unknown, ...v: unknown[]) => Math.min(toInt64(a), ...v.map(toInt64)) },
    floor: mathF(Math.floor),
    ceil: mathF(Math.ceil),
    // Go's math.Round: half away from zero (JavaScript's rounds half up)
    round: { params: ['any', 'int'], variadic: 'any', fn: (v: unknown, places: number, roundOn?: unknown) => {
      const on = roundOn === undefined ? 0.5 : toFloat64(roundOn);
      const pow = 10 ** places;
      const x = toFloat64(v) * pow;
      const whole = Math.trunc(x);
      const frac = Math.abs(x - whole);
      return new GoFloat((frac >= on ? whole + Math.sign(x) : whole) / pow);
    } },
    until: { params: ['int'], fn: (n: number) => untilStep(0, n, n < 0 ? -1 : 1) },
    untilStep: { params: ['int', 'int', 'int'], fn: untilStep },

    // dates
    dateInZone: { params: ['string', 'any', 'string'], fn: dateInZone },
    date_in_zone: { params: ['string', 'any', 'string'], fn: dateInZone },
    htmlDate: { params: ['any'], fn: (t: unknown) => dateInZone('2006-01-02', t, 'Local') },
    htmlDateInZone: { params: ['any', 'string'], fn: (t: unknown, z: string) => dateInZone('2006-01-02', t, z) },
    ago: { params: ['any'], fn: (t: unknown) => {
      const ns = nowTime().sub(timeArg(t, nowTime)).ns;
      return new GoDuration(Math.round(ns / 1e9) * 1e9).toString();
    } },
    duration: { params: ['any'], fn: (v: unknown) => {
      // sprig reads a string or an int64; a template's number literal is an int, which it takes as 0
      const n = typeof v === 'string' && /^[+-]?\d+$/.test(v) ? Number(v) : 0;
      return new GoDuration(n * 1e9).toString();
    } },
    unixEpoch: { params: ['time.Time'], fn: (t: GoTime) => String(t.sec) },

    // lists and dicts
    tuple: { params: [], variadic: 'any', fn: (...v: unknown[]) => v },
    push: { params: ['any', 'any'], fn: (l: unknown, v: unknown) => [...listOf(l, 'push'), v] },
    prepend,
    first,
    last,
    rest,
    initial,
    reverse,
    uniq,
    without,
    has,
    compact,
    concat: { params: [], variadic: 'any', fn: (...lists: unknown[]) => lists.flatMap((l) => listOf(l, 'concat')) },
    get: { params: ['any', 'string'], fn: (d: unknown, k: string) => (mapOf(d, 'get').m.has(k) ? mapOf(d, 'get').m.get(k) : '') },
    set: { params: ['any', 'string', 'any'], fn: (d: unknown, k: string, v: unknown) => (mapOf(d, 'set').m.set(k, v), d) },
    unset: { params: ['any', 'string'], fn: (d: unknown, k: string) => (mapOf(d, 'unset').m.delete(k), d) },
    hasKey: { params: ['any', 'string'], fn: (d: unknown, k: string) => mapOf(d, 'hasKey').m.has(k) },
    // Go's map order is random; here the order the keys were set in
    keys: { params: [], variadic: 'any', fn: (...ds: unknown[]) => typedSlice(ds.flatMap((d) => [...mapOf(d, 'keys').m.keys()]), T_SLICE_STRING) },
    values: { params: ['any'], fn: (d: unknown) => [...mapOf(d, 'values').m.values()] },
    pluck: { params: ['string'], variadic: 'any', fn: (k: string, ...ds: unknown[]) => ds.map((d) => mapOf(d, 'pluck')).filter((d) => d.m.has(k)).map((d) => d.m.get(k)) },
    pick: { params: ['any'], variadic: 'string', fn: (d: unknown, ...ks: string[]) => new GoMap(new Map([...mapOf(d, 'pick').m].filter(([k]) => ks.includes(k)))) },
    omit: { params: ['any'], variadic: 'string', fn: (d: unknown, ...ks: string[]) => new GoMap(new Map([...mapOf(d, 'omit').m].filter(([k]) => !ks.includes(k)))) },

    // encodings
    b64enc: s1((s) => Buffer.from(s, 'utf8').toString('base64')),
    b64dec: s1((s) => {
      // sprig returns the decoder's error text as the result
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return 'illegal base64 data at input byte 0';
      return Buffer.from(s, 'base64').toString('utf8');
    }),
    toPrettyJson: { params: ['any'], fn: (v: unknown) => indentJSON(toJsonChecked(v)) },
    toRawJson: { params: ['any'], fn: rawJSON },
    mustToJson: { params: ['any'], fn: toJsonChecked },
    mustToPrettyJson: { params: ['any'], fn: (v: unknown) => indentJSON(toJsonChecked(v)) },
    mustToRawJson: { params: ['any'], fn: rawJSON },
    sha1sum: s1((s) => createHash('sha1').update(s, 'utf8').digest('hex')),
    sha256sum: s1((s) => createHash('sha256').update(s, 'utf8').digest('hex')),
    adler32sum: s1((s) => String(adler32(Buffer.from(s, 'utf8')))),

    // regular expressions (RE2, as the relay maps it onto JavaScript's)
    regexMatch: { params: ['string', 'string'], fn: (re: string, s: string) => {
      try {
        return regexp(re).test(s);
      } catch {
        return false; // sprig ignores a bad pattern here; mustRegexMatch reports it
      }
    } },
    mustRegexMatch: regexMatch,
    regexFind,
    mustRegexFind: regexFind,
    regexFindAll,
    mustRegexFindAll: regexFindAll,
    regexReplaceAll,
    mustRegexReplaceAll: regexReplaceAll,
    regexReplaceAllLiteral,
    mustRegexReplaceAllLiteral: regexReplaceAllLiteral,
    regexSplit,
    mustRegexSplit: regexSplit,
    regexQuoteMeta: s1(quoteMeta),

    // reflection
    typeOf: { params: ['any'], fn: (v: unknown) => (isNil(v) ? '<nil>' : typeOf(v).name) },
    kindOf: { params: ['any'], fn: (v: unknown) => (isNil(v) ? 'invalid' : goKind(v)) },
    typeIs: { params: ['string', 'any'], fn: (t: string, v: unknown) => t === (isNil(v) ? '<nil>' : typeOf(v).name) },
    kindIs: { params: ['string', 'any'], fn: (k: string, v: unknown) => k === (isNil(v) ? 'invalid' : goKind(v)) },

    // paths (slash-separated, as Go's path package)
    base: s1((p) => (p === '' ? '.' : posix.basename(p.replace(/\/+$/, '')) || '/')),
    dir: s1((p) => cleanPath(p.slice(0, p.lastIndexOf('/') + 1))),
    clean: s1(cleanPath),
    ext: s1((p) => {
      const i = p.lastIndexOf('.');
      return i >= 0 && !p.slice(i).includes('/') ? p.slice(i) : '';
    }),
    isAbs: bool((p: string) => p.startsWith('/'), ['string']),
  };
}

/**
 * The names both sprig and Alertmanager define, with sprig's meaning: what they did in the tool.
 * `title` keeps the rest of each word as it is (strings.Title; Alertmanager's lower-cases it),
 * `join` takes any list, `date` shows the time in the relay's local zone (`TZ`; Alertmanager's
 * keeps the time's own), `toDate`/`mustToDate` read a time in the local zone (Alertmanager's in
 * UTC), `dict` takes keys of any type and an odd count (Alertmanager's refuses both).
 */
export function dingtalkToolOverrides(opts: DingtalkToolFuncOptions = {}): Record<string, FuncDef> {
  const nowTime = () => GoTime.fromMillis((opts.now?.() ?? new Date()).getTime(), localLocation());
  return {
    title: { params: ['string'], fn: stringsTitle },
    join: { params: ['string', 'any'], fn: (sep: string, v: unknown) => toStrings(v).join(sep) },
    date: { params: ['string', 'any'], fn: (layout: string, t: unknown) => timeArg(t, nowTime).in(localLocation()).format(layout) },
    toDate: {
      params: ['string', 'string'],
      fn: (layout: string, s: string) => {
        try {
          return parseTime(layout, s, localLocation());
        } catch (e) {
          if (e instanceof GoCallError) return ZERO_TIME;
          throw e;
        }
      },
    },
    mustToDate: { params: ['string', 'string'], fn: (layout: string, s: string) => parseTime(layout, s, localLocation()) },
    dict: {
      params: [],
      variadic: 'any',
      fn: (...v: unknown[]) => {
        const m = new Map<string, unknown>();
        for (let i = 0; i < v.length; i += 2) m.set(strval(v[i]), i + 1 < v.length ? v[i + 1] : '');
        return new GoMap(m);
      },
    },
  };
}

function goKind(v: unknown): string {
  const t = typeOf(v);
  switch (t.kind) {
    case 'float':
      return 'float64';
    case 'int':
      return t.name === 'time.Duration' ? 'int64' : 'int';
    default:
      return t.kind;
  }
}

/** strings.Trim(s, cutset): the characters of cutset off both ends. */
function trimChars(s: string, cutset: string): string {
  if (!cutset) return s;
  const cut = new Set(cutset);
  const chars = [...s];
  let i = 0;
  let j = chars.length;
  while (i < j && cut.has(chars[i])) i++;
  while (j > i && cut.has(chars[j - 1])) j--;
  return chars.slice(i, j).join('');
}

/** strings.Replace(s, old, new, -1): an empty `old` matches before each character and at the end. */
function replaceAll(s: string, old: string, repl: string): string {
  if (old === '') return [...s].map((c) => repl + c).join('') + repl;
  return s.split(old).join(repl);
}

/** strings.SplitN: n < 0 all parts, n == 0 none; an empty separator splits after each character. */
function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  const all = sep === '' ? [...s] : s.split(sep);
  if (n < 0 || all.length <= n) return all;
  const head = all.slice(0, n - 1);
  return [...head, all.slice(n - 1).join(sep)];
}

/** sprig's split result: {_0: first, _1: second, …}. */
function partsMap(parts: string[]): GoMap {
  return new GoMap(new Map(parts.map((p, i) => [`_${i}`, p])));
}

/** Go's path.Clean. */
function cleanPath(p: string): string {
  if (p === '') return '.';
  const c = posix.normalize(p);
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c;
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(Math.max(n, 0));
  return pad + s.split('\n').join('\n' + pad);
}

function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (step === 0) return out;
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}
