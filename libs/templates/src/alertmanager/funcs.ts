/**
 * Alertmanager's template functions (template.DefaultFuncs), plus `relayTimezone`, which the
 * default templates use to show times in `global.timezone`.
 */
import { FuncDef } from '../engine/exec';
import { formatFloatStr } from '../engine/fmt';
import { GoDuration, GoTime, loadLocation } from '../engine/gotime';
import { compileGoRegexp, expandGoTemplate } from '../engine/regexp';
import { GoCallError, GoFloat, GoType, NamedString, T_SLICE_STRING, typedSlice, typeOf } from '../engine/values';

const T_HTML: GoType = { name: 'template.HTML', kind: 'string' };
const T_URL: GoType = { name: 'template.URL', kind: 'string' };

function simpleCase(s: string, upper: boolean): string {
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

function toFloat(v: unknown): number {
  if (v instanceof GoFloat) return v.v;
  if (typeof v === 'number') return v;
  if (v instanceof GoDuration) return v.seconds();
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    const f = /^[+-]?(inf|infinity)$/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : /^[+-]?nan$/i.test(t) ? NaN : t.replace(/_/g, '') !== '' && !Number.isNaN(Number(t)) ? Number(t) : undefined;
    if (f === undefined) throw new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return f;
  }
  throw new GoCallError(`can't convert ${typeOf(v).name} to float`);
}

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
  /** Clock for `since`; the system clock when absent. */
  now?: () => Date;
}

export function alertmanagerFuncs(opts: FuncOptions): Record<string, FuncDef> {
  const clock = opts.now;
  const nowTime = () => GoTime.fromMillis(clock ? clock().getTime() : Date.now());
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
    date: { params: ['string', 'time.Time'], fn: (layout: string, t: GoTime) => t.format(layout) },
    tz: { params: ['string', 'time.Time'], fn: (name: string, t: GoTime) => t.in(loadLocation(name)) },
    since: { params: ['time.Time'], fn: (t: GoTime) => nowTime().sub(t) },
    humanizeDuration: { params: ['any'], fn: humanizeDuration },
    /** alert-relay: the configured `global.timezone` (IANA name), for `tz relayTimezone .StartsAt`. */
    relayTimezone: { params: [], fn: () => opts.timezone },
  };
}
