/**
 * Lexer for Go's text/template syntax, written after the behaviour documented for Go's
 * text/template/parse package: text, `{{ }}` actions, trim markers, comments, and the tokens
 * inside actions. Positions are UTF-16 offsets into the source; errors convert them to Go's
 * byte-based columns.
 */

export const enum Tok {
  Error,
  EOF,
  Text,
  Comment,
  LeftDelim,
  RightDelim,
  Space,
  Assign, // =
  Declare, // :=
  Pipe, // |
  LeftParen,
  RightParen,
  Char, // a single ASCII char, e.g. ','
  CharConstant,
  Bool,
  Number,
  String,
  RawString,
  Dot,
  Field, // .Name
  Variable, // $name or $
  Identifier,
  // keywords (all above Keyword)
  Keyword,
  Block,
  Break,
  Continue,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

const KEYWORDS: Record<string, Tok> = {
  '.': Tok.Dot,
  block: Tok.Block,
  break: Tok.Break,
  continue: Tok.Continue,
  define: Tok.Define,
  else: Tok.Else,
  end: Tok.End,
  if: Tok.If,
  range: Tok.Range,
  nil: Tok.Nil,
  template: Tok.Template,
  with: Tok.With,
};

export interface Token {
  typ: Tok;
  pos: number;
  val: string;
  line: number;
}

/** Go's item.String(): how a token is named in parse errors. */
export function tokenString(t: Token): string {
  if (t.typ === Tok.EOF) return 'EOF';
  if (t.typ === Tok.Error) return t.val;
  if (t.typ > Tok.Keyword) return `<${t.val}>`;
  if (t.val.length > 10) return `${goQuote(t.val).slice(0, 11)}...`;
  return goQuote(t.val);
}

/** strconv.Quote for the ASCII-ish strings that appear in messages. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else if (!isPrintRune(c)) {
      out += c < 0x10000 ? '\\u' + c.toString(16).padStart(4, '0') : '\\U' + c.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + '"';
}

const NON_PRINT = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}]|[\p{Zs}]/u;
export function isPrintRune(c: number): boolean {
  if (c < 0x7f) return c >= 0x20;
  if (c === 0x20) return true;
  const ch = String.fromCodePoint(c);
  return !NON_PRINT.test(ch);
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string) => c === '_' || /[\p{L}\p{Nd}]/u.test(c);

const LEFT = '{{';
const RIGHT = '}}';

/**
 * Lexes the whole input into tokens up front (templates are small, and parsing is done once).
 * After an Error token no more tokens follow.
 */
export function lex(input: string): Token[] {
  const items: Token[] = [];
  let pos = 0; // current position
  let start = 0; // start of the current token
  let parenDepth = 0;
  let insideAction = false;
  // Line numbers are computed lazily: token starts only move forward.
  let linePos = 0;
  let lineNo = 1;
  const lineOf = (p: number) => {
    if (p > linePos) {
      lineNo += countNewlines(input, linePos, p);
      linePos = p;
    }
    return lineNo;
  };

  const emit = (typ: Tok, val = input.slice(start, pos)) => {
    items.push({ typ, pos: start, val, line: lineOf(start) });
    start = pos;
  };
  const ignore = () => {
    start = pos;
  };
  const error = (msg: string): Token[] => {
    items.push({ typ: Tok.Error, pos: start, val: msg, line: lineOf(start) });
    return items;
  };

  // Is there a right delimiter (possibly with a trim marker " -") at pos?
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (pos + 1 < input.length && isSpace(input[pos]) && input.startsWith('-' + RIGHT, pos + 1)) {
      return { delim: true, trim: true };
    }
    if (input.startsWith(RIGHT, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const skipSpaces = () => {
    while (pos < input.length && isSpace(input[pos])) pos++;
  };

  const atTerminator = (): boolean => {
    if (pos >= input.length) return true;
    const c = input[pos];
    if (isSpace(c) || c === '.' || c === ',' || c === '|' || c === ':' || c === ')' || c === '(') return true;
    return input.startsWith(RIGHT, pos);
  };

  for (;;) {
    if (!insideAction) {
      // lexText
      const x = input.indexOf(LEFT, pos);
      if (x < 0) {
        pos = input.length;
        if (pos > start) emit(Tok.Text);
        items.push({ typ: Tok.EOF, pos, val: '', line: lineOf(pos) });
        return items;
      }
      let textEnd = x;
      const trimLeft = input[x + 2] === '-' && x + 3 < input.length && isSpace(input[x + 3]);
      if (trimLeft) {
        while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
      }
      if (textEnd > start) {
        pos = textEnd;
        emit(Tok.Text);
      }
      pos = x;
      start = x;
      // lexLeftDelim
      pos += LEFT.length;
      const afterMarker = trimLeft ? 2 : 0;
      if (input.startsWith('/*', pos + afterMarker)) {
        pos += afterMarker;
        ignore();
        const end = input.indexOf('*/', pos + 2);
        if (end < 0) return error('unclosed comment');
        pos = end + 2;
        const r = atRightDelim();
        if (!r.delim) return error('comment ends before closing delimiter');
        emit(Tok.Comment);
        if (r.trim) pos += 2;
        pos += RIGHT.length;
        if (r.trim) skipSpaces();
        ignore();
        continue;
      }
      emit(Tok.LeftDelim);
      pos += afterMarker;
      ignore();
      parenDepth = 0;
      insideAction = true;
      continue;
    }

    // lexInsideAction
    const rd = atRightDelim();
    if (rd.delim) {
      if (parenDepth === 0) {
        if (rd.trim) {
          pos += 2;
          ignore();
        }
        pos += RIGHT.length;
        emit(Tok.RightDelim);
        if (rd.trim) {
          skipSpaces();
          ignore();
        }
        insideAction = false;
        continue;
      }
      return error('unclosed left paren');
    }
    if (pos >= input.length) return error('unclosed action');
    const r = input[pos];
    if (isSpace(r)) {
      let numSpaces = 0;
      while (pos < input.length && isSpace(input[pos])) {
        pos++;
        numSpaces++;
      }
      // A trim-marked right delimiter starts with a space: leave that space to it.
      if (input.startsWith('-' + RIGHT, pos)) {
        pos--;
        if (numSpaces === 1) continue;
      }
      emit(Tok.Space);
      continue;
    }
    pos++;
    if (r === '=') {
      emit(Tok.Assign);
    } else if (r === ':') {
      if (input[pos] !== '=') return error('expected :=');
      pos++;
      emit(Tok.Declare);
    } else if (r === '|') {
      emit(Tok.Pipe);
    } else if (r === '"') {
      for (;;) {
        const c = input[pos];
        if (c === '\\') {
          pos++;
          const n = input[pos];
          if (n !== undefined && n !== '\n') {
            pos++;
            continue;
          }
          return error('unterminated quoted string');
        }
        if (c === undefined || c === '\n') return error('unterminated quoted string');
        pos++;
        if (c === '"') break;
      }
      emit(Tok.String);
    } else if (r === '`') {
      const end = input.indexOf('`', pos);
      if (end < 0) return error('unterminated raw quoted string');
      pos = end + 1;
      emit(Tok.RawString);
    } else if (r === '$') {
      if (atTerminator()) {
        emit(Tok.Variable);
        continue;
      }
      while (pos < input.length && isAlphaNumeric(input[pos])) pos++;
      if (!atTerminator()) return error(`bad character ${goRuneDesc(input.codePointAt(pos)!)}`);
      emit(Tok.Variable);
    } else if (r === "'") {
      for (;;) {
        const c = input[pos];
        if (c === '\\') {
          pos++;
          if (input[pos] !== undefined && input[pos] !== '\n') {
            pos++;
            continue;
          }
          return error('unterminated character constant');
        }
        if (c === undefined || c === '\n') return error('unterminated character constant');
        pos++;
        if (c === "'") break;
      }
      emit(Tok.CharConstant);
    } else if (r === '.' && !(pos < input.length && input[pos] >= '0' && input[pos] <= '9')) {
      if (atTerminator()) {
        emit(Tok.Dot);
        continue;
      }
      while (pos < input.length && isAlphaNumeric(input[pos])) pos++;
      if (!atTerminator()) return error(`bad character ${goRuneDesc(input.codePointAt(pos)!)}`);
      emit(Tok.Field);
    } else if (r === '.' || r === '+' || r === '-' || (r >= '0' && r <= '9')) {
      pos--;
      if (!scanNumber()) return error(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
      emit(Tok.Number);
    } else if (isAlphaNumeric(r)) {
      while (pos < input.length && isAlphaNumeric(input[pos])) pos++;
      const word = input.slice(start, pos);
      if (!atTerminator()) return error(`bad character ${goRuneDesc(input.codePointAt(pos)!)}`);
      const kw = KEYWORDS[word];
      if (kw !== undefined && kw > Tok.Keyword) emit(kw);
      else if (word === 'true' || word === 'false') emit(Tok.Bool);
      else emit(Tok.Identifier);
    } else if (r === '(') {
      emit(Tok.LeftParen);
      parenDepth++;
    } else if (r === ')') {
      parenDepth--;
      if (parenDepth < 0) return error('unexpected right paren');
      emit(Tok.RightParen);
    } else if (r.charCodeAt(0) <= 0x7f && r.charCodeAt(0) >= 0x20) {
      emit(Tok.Char);
    } else {
      return error(`unrecognized character in action: ${goRuneDesc(input.codePointAt(pos - 1)!)}`);
    }
  }

  function scanNumber(): boolean {
    const accept = (valid: string) => {
      if (pos < input.length && valid.includes(input[pos])) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string) => {
      while (pos < input.length && valid.includes(input[pos])) pos++;
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (pos < input.length && isAlphaNumeric(input[pos])) {
      pos++;
      return false;
    }
    return true;
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Go's %#U: U+0040 '@' */
export function goRuneDesc(c: number): string {
  const hex = 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
  return isPrintRune(c) ? `${hex} '${String.fromCodePoint(c)}'` : hex;
}
