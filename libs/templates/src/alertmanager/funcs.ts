/**
 * Alertmanager's template functions (template.DefaultFuncs of v0.34.0), plus `relayTimezone`,
 * which the default templates use to show times in `global.timezone`.
 */
import { performance } from 'node:perf_hooks';
import { FuncDef } from '../engine/exec';
import { formatFloatStr } from '../engine/fmt';
import { GoDuration, GoTime, loadLocation, localLocation, parseTime, UTC, ZERO_UNIX } from '../engine/gotime';
import { marshalJSON } from '../engine/json';
import { compileGoRegexp, expandGoTemplate } from '../engine/regexp';
import { GoCallError, GoFloat, GoMap, GoType, NamedString, T_SLICE_STRING, typedSlice, typeOf } from '../engine/values';
import { Data } from './data';

const T_HTML: GoType = { name: 'template.HTML', kind: 'string' };
const T_URL: GoType = { name: 'template.URL', kind: 'string' };

/** strings.ToUpper / strings.ToLower: rune by rune, as Go maps case. */
export function simpleCase(s: string, upper: boolean): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    if (!upper && ch === '\u0130') {
      out += 'i';
      continue;
    }
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    // Go maps rune by rune (simple case mapping): keep characters whose mapping is not one rune.
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

const LETTER = /[\p{L}\p{M}\p{Nd}\p{Nl}\p{No}]/u;
const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;
const MID = new Set(["'", '.', ':', '·', '’', '\u2018', '\u00b7', '\u0387', '\u05f4', '\u2027', '\ufe13', '\ufe52', '\ufe55', '\uff07', '\uff0e', '\uff1a']);

/**
 * cases.Title(language.AmericanEnglish): in each word the first cased letter is upper-cased and
 * the others lower-cased. Words are runs of letters, digits and `_`, which `'`, `.`, `:` (between
 * letters) do not break.
 */
export function goTitle(s: string): string {
  const chars = [...s];
  let out = '';
  let titled = false;
  let inWord = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const isWord = ch === '_' || LETTER.test(ch);
    if (isWord) {
      inWord = true;
      if (CASED.test(ch)) {
        if (!titled) {
          const u = ch.toUpperCase();
          out += [...u].length === 1 ? u : ch[0].toUpperCase() + ch.slice(1).toLowerCase();
          titled = true;
        } else out += simpleCase(ch, false);
      } else out += ch;
      continue;
    }
    if (inWord && MID.has(ch) && i + 1 < chars.length && (chars[i + 1] === '_' || LETTER.test(chars[i + 1]))) {
      out += ch;
      continue;
    }
    inWord = false;
    titled = false;
    out += ch;
  }
  return out;
}

const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** url.QueryUnescape */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = s.slice(i, i + 3);
        throw new GoCallError(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/;

/** strconv.ParseFloat(s, 64): Go's syntax (no spaces or underscores; hex needs a p exponent). */
export function parseFloat64(s: string): number {
  const fail = (why: string) => new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: ${why}`);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  let f: number;
  const hex = HEX_FLOAT.exec(s);
  if (DECIMAL_FLOAT.test(s)) f = Number(s);
  else if (hex && hex[2] + hex[3] !== '') {
    f = parseInt(hex[2] + hex[3], 16) * 2 ** (Number(hex[4]) - 4 * hex[3].length);
    if (hex[1] === '-') f = -f;
  } else throw fail('invalid syntax');
  if (!Number.isFinite(f)) throw fail('value out of range');
  return f;
}

function toFloat(v: unknown): number {
  if (v instanceof GoFloat) return v.v;
  if (typeof v === 'number') return v;
  if (v instanceof GoDuration) return v.seconds();
  if (typeof v === 'string') return parseFloat64(v);
  throw new GoCallError(`can't convert ${typeOf(v).name} to float`);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64.URLEncoding.DecodeString: padding required, line breaks skipped, and Go's error for the
 * first bad input byte (Node's decoder accepts anything).
 */
export function base64UrlDecode(text: string): string {
  const src = Buffer.from(text, 'utf8');
  const corrupt = (at: number) => new GoCallError(`illegal base64 data at input byte ${at}`);
  const isNewline = (b: number) => b === 0x0a || b === 0x0d;
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const quantum: number[] = [];
    let end = false;
    while (quantum.length < 4) {
      if (si === src.length) {
        if (quantum.length === 0) return Buffer.from(out).toString('utf8');
        throw corrupt(si - quantum.length);
      }
      const b = src[si++];
      const v = BASE64URL.indexOf(String.fromCharCode(b));
      if (b < 0x80 && v >= 0) {
        quantum.push(v);
        continue;
      }
      if (isNewline(b)) continue;
      if (b !== 0x3d /* = */ || quantum.length < 2) throw corrupt(si - 1);
      if (quantum.length === 2) {
        // "==": the first "=" is read
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) throw corrupt(si);
      end = true;
      break;
    }
    const n = quantum.length;
    while (quantum.length < 4) quantum.push(0);
    const val = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
    out.push(...[(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff].slice(0, n - 1));
    if (end) return Buffer.from(out).toString('utf8');
  }
}

/** Go's zero time.Time, what toDate returns for text it cannot parse. */
const ZERO_TIME = new GoTime(ZERO_UNIX, 0, UTC);

/** Prometheus' humanizeDuration: seconds → "1d 2h 3m 4s", "1.5s", "25ms". */
export function humanizeDuration(v: unknown): string {
  let x = toFloat(v);
  const g4 = (n: number) => formatFloatStr(n, 'g', 4);
  if (Number.isNaN(x) || !Number.isFinite(x)) return g4(x);
  if (x === 0) return `${g4(x)}s`;
  if (Math.abs(x) >= 1) {
    let sign = '';
    if (x < 0) {
      sign = '-';
      x = -x;
    }
    const i = Math.trunc(x);
    const seconds = i % 60;
    const minutes = Math.trunc(i / 60) % 60;
    const hours = Math.trunc(i / 3600) % 24;
    const days = Math.trunc(i / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(x)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(x) >= 1) break;
    prefix = p;
    x *= 1000;
  }
  return `${g4(x)}${prefix}s`;
}

export interface FuncOptions {
  timezone: string;
  /** Clock for `now` and `since`; the system clock when absent. */
  now?: () => Date;
  /** The data the render in progress was started with (what `routeLabels` reads, whatever dot is). */
  renderData: () => unknown;
}

export function alertmanagerFuncs(opts: FuncOptions): Record<string, FuncDef> {
  const clock = opts.now;
  // Go's time.Now: local time with a monotonic reading (seconds since the process started)
  const nowTime = () => {
    if (clock) return GoTime.fromMillis(clock().getTime(), localLocation());
    const mono = performance.now();
    const t = GoTime.fromMillis(performance.timeOrigin + mono, localLocation());
    return new GoTime(t.sec, t.nsec, t.loc, mono / 1000);
  };
  return {
    toUpper: { params: ['string'], fn: (s: string) => simpleCase(s, true) },
    toLower: { params: ['string'], fn: (s: string) => simpleCase(s, false) },
    title: { params: ['string'], fn: goTitle },
    trimSpace: { params: ['string'], fn: (s: string) => s.replace(GO_SPACE, '') },
    join: { params: ['string', '[]string'], fn: (sep: string, s: string[] | undefined) => (s ?? []).join(sep) },
    match: {
      params: ['string', 'string'],
      fn: (pattern: string, text: string) => {
        const re = compileGoRegexp(pattern, (m) => new GoCallError(m));
        return re.test(text);
      },
    },
    reReplaceAll: {
      params: ['string', 'string', 'string'],
      fn: (pattern: string, repl: string, text: string) => {
        const re = compileGoRegexp(pattern, (m) => new GoCallError(`regexp: Compile(\`${pattern}\`): ${m}`), true);
        return text.replace(re, (...m: unknown[]) => {
          const hasGroups = typeof m[m.length - 1] === 'object';
          const groups = (hasGroups ? m[m.length - 1] : undefined) as Record<string, string> | undefined;
          const caps = m.slice(0, hasGroups ? -3 : -2) as (string | undefined)[];
          return expandGoTemplate(repl, caps, groups);
        });
      },
    },
    safeHtml: { params: ['string'], fn: (s: string) => new NamedString(T_HTML, s) },
    safeUrl: { params: ['string'], fn: (s: string) => new NamedString(T_URL, s) },
    urlUnescape: { params: ['string'], fn: queryUnescape },
    stringSlice: { params: [], variadic: 'string', pure: true, fn: (...s: string[]) => typedSlice(s, T_SLICE_STRING) },
    routeLabels: {
      params: ['string'],
      fn: (name: string) => {
        const data = opts.renderData();
        return (data instanceof Data && data.RouteLabels.goField(name)) || '';
      },
    },
    date: { params: ['string', 'time.Time'], fn: (layout: string, t: GoTime) => t.format(layout) },
    tz: { params: ['string', 'time.Time'], fn: (name: string, t: GoTime) => t.in(loadLocation(name)) },
    now: { params: [], fn: nowTime },
    since: { params: ['time.Time'], fn: (t: GoTime) => nowTime().sub(t) },
    humanizeDuration: { params: ['any'], fn: humanizeDuration },
    toDate: {
      params: ['string', 'string'],
      fn: (layout: string, s: string) => {
        try {
          return parseTime(layout, s, UTC);
        } catch (e) {
          if (e instanceof GoCallError) return ZERO_TIME;
          throw e;
        }
      },
    },
    mustToDate: { params: ['string', 'string'], fn: (layout: string, s: string) => parseTime(layout, s, UTC) },
    toJson: { params: ['any'], fn: marshalJSON },
    base64encode: { params: ['string'], fn: (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_') },
    base64decode: { params: ['string'], fn: base64UrlDecode },
    list: { params: [], variadic: 'any', fn: (...args: unknown[]) => args },
    append: { params: ['[]interface {}'], variadic: 'any', fn: (slice: unknown[] | undefined, ...args: unknown[]) => [...(slice ?? []), ...args] },
    dict: {
      params: [],
      variadic: 'any',
      fn: (...values: unknown[]) => {
        if (values.length % 2 !== 0) throw new GoCallError('dict requires an even number of arguments');
        const m = new Map<string, unknown>();
        for (let i = 0; i < values.length; i += 2) {
          const key = values[i];
          if (typeof key !== 'string') throw new GoCallError('dict keys must be strings');
          m.set(key, values[i + 1]);
        }
        return new GoMap(m);
      },
    },
    /** alert-relay: the configured `global.timezone` (IANA name), for `tz relayTimezone .StartsAt`. */
    relayTimezone: { params: [], fn: () => opts.timezone },
  };
}
