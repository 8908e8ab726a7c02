/**
 * Go's encoding/json Marshal for template values (Alertmanager's `toJson`): struct fields by
 * their json tags, map keys sorted, HTML-safe string escapes, floats as Go prints them.
 */
import { compareStrings, formatFloatStr } from './fmt';
import { GoDuration, GoEnum, GoTime, Location } from './gotime';
import { GoCallError, GoFloat, GoObject, isExported, NamedString, typeOf } from './values';

const HEX = '0123456789abcdef';

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
      case '\\':
        out += '\\' + ch;
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    // <, > and & are escaped so the JSON is safe inside HTML; U+2028/9 so it is safe in JavaScript
    if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + [12, 8, 4, 0].map((sh) => HEX[(c >> sh) & 0xf]).join('');
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '\ufffd'; // a lone surrogate is invalid UTF-8 to Go
    } else out += ch;
  }
  return out + '"';
}

function float(x: number): string {
  if (!Number.isFinite(x)) throw new GoCallError(`json: unsupported value: ${formatFloatStr(x, 'g', -1)}`);
  const abs = Math.abs(x);
  const exp = abs !== 0 && (abs < 1e-6 || abs >= 1e21);
  const s = formatFloatStr(x, exp ? 'e' : 'f', -1);
  // Go writes e-07 as e-7
  return exp ? s.replace(/e([+-])0(\d)$/, 'e$1$2') : s;
}

function time(t: GoTime): string {
  const year = t.civil().year;
  if (year < 0 || year > 9999) {
    throw new GoCallError('json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]');
  }
  return quote(t.format('2006-01-02T15:04:05.999999999Z07:00'));
}

function encode(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'null';
    case 'string':
      return quote(v);
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v === null) return 'null';
  if (v instanceof GoFloat) return float(v.v);
  if (Array.isArray(v)) return '[' + v.map(encode).join(',') + ']';
  if (v instanceof GoTime) return time(v);
  if (v instanceof GoDuration || v instanceof GoEnum) return String(v.valueOf());
  if (v instanceof NamedString) return quote(v.s);
  // a Location's fields are all unexported
  if (v instanceof Location) return '{}';
  const o = v as GoObject;
  const t = typeOf(o);
  if (typeof t.json === 'function') {
    const as = t.json(o);
    if (as !== o) return encode(as);
  }
  switch (t.kind) {
    case 'map': {
      const keys = o.goKeys!().sort(compareStrings);
      return '{' + keys.map((k) => `${quote(k)}:${encode(o.goField!(k))}`).join(',') + '}';
    }
    case 'struct': {
      const fields = t.fields ?? [];
      const names = Array.isArray(t.json) ? t.json : fields;
      const parts: string[] = [];
      fields.forEach((f, i) => {
        if (isExported(f)) parts.push(`${quote(names[i])}:${encode(o.goField!(f))}`);
      });
      return '{' + parts.join(',') + '}';
    }
  }
  throw new GoCallError(`json: unsupported type: ${t.name}`);
}

/** json.Marshal(v); a GoCallError carries Go's error text. */
export function marshalJSON(v: unknown): string {
  return encode(v);
}
