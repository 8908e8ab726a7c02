/**
 * Go (RE2) regular expressions on JavaScript's engine: the RE2 syntax templates use is translated
 * (leading flag groups, (?P<name>…), \A \z \Q…\E, POSIX classes), and Regexp.Expand's `$1`/`${name}`
 * replacement rules are implemented for reReplaceAll.
 */

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

export function compileGoRegexp(pattern: string, mkErr: (msg: string) => Error, global = false): RegExp {
  const key = (global ? 'g' : '-') + pattern;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let src = pattern;
  let flags = global ? 'g' : '';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  src = translate(src, flags.includes('m'));
  let re: RegExp | undefined;
  let err: unknown;
  for (const extra of ['u', '']) {
    try {
      re = new RegExp(src, flags + extra);
      break;
    } catch (e) {
      err ??= e;
    }
  }
  if (!re) {
    const m = err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(err);
    let msg: string;
    if (/Unterminated group/i.test(m)) msg = `missing closing ): \`${pattern}\``;
    else if (/Unmatched '\)'/i.test(m)) msg = `unexpected ): \`${pattern}\``;
    else if (/Unterminated character class/i.test(m)) msg = `missing closing ]: \`${pattern.slice(pattern.indexOf('['))}\``;
    else if (/Nothing to repeat/i.test(m)) msg = `missing argument to repetition operator: \`${pattern}\``;
    else msg = `${m}: \`${pattern}\``;
    throw mkErr(`error parsing regexp: ${msg}`);
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

function translate(src: string, multiline: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (!inClass && n === 'z') {
        out += '$(?![\\s\\S])';
        i++;
        continue;
      }
      if (!inClass && n === 'A') {
        out += multiline ? '(?<![\\s\\S])' : '^';
        i++;
        continue;
      }
      out += c + (n ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        if (end > 0) {
          let name = src.slice(i + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          if (POSIX[name] && !neg) {
            out += POSIX[name];
            i = end + 1;
            continue;
          }
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    out += c;
  }
  return out;
}

/** Regexp.Expand: `$1`, `$name`, `${name}`, `$$`. A name is the longest run of letters, digits and `_`. */
export function expandGoTemplate(template: string, caps: (string | undefined)[], groups?: Record<string, string | undefined>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      name = close < 0 ? '' : template.slice(i + 2, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        out += '$';
        continue;
      }
      end = close;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      name = m[0];
      end = i + name.length;
    }
    if (/^\d+$/.test(name)) {
      const n = parseInt(name, 10);
      out += caps[n] ?? '';
    } else out += groups?.[name] ?? '';
    i = end;
  }
  return out;
}
