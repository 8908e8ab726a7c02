/**
 * Go's time.Time, time.Duration and time.Location, as templates see them: layouts for
 * Format, String(), Unix, UTC/Local/In, Sub, and IANA zones with their tzdata abbreviations
 * (read from the system's zoneinfo like Go does; offsets from Intl).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoCallError, GoFloat, GoObject, GoType } from './values';

// ------------------------------------------------------------------ locations

export interface ZoneInfo {
  offset: number; // seconds east of UTC
  abbr: string;
}

export class Location implements GoObject {
  declare readonly goType: GoType; // T_LOCATION, on the prototype
  constructor(
    readonly name: string,
    readonly lookup: (unixSec: number) => ZoneInfo,
  ) {}
  toString() {
    return this.name;
  }
}

export const T_LOCATION: GoType = { name: '*time.Location', kind: 'pointer', stringer: (l: Location) => l.name };

export const UTC = new Location('UTC', () => ({ offset: 0, abbr: 'UTC' }));

export function fixedZone(name: string, offset: number): Location {
  const info = { offset, abbr: name };
  return new Location(name, () => info);
}

const zoneCache = new Map<string, Location>();

function zoneinfoDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.ZONEINFO) dirs.push(process.env.ZONEINFO);
  dirs.push('/usr/share/zoneinfo', '/usr/share/lib/zoneinfo', '/usr/lib/locale/TZ');
  return dirs;
}

interface TzifType {
  utoff: number;
  isdst: boolean;
  abbr: string;
}
interface Tzif {
  times: number[];
  idx: number[];
  types: TzifType[];
}

function readTzif(name: string): Tzif | null {
  if (name.includes('..') || name.startsWith('/')) return null;
  for (const dir of zoneinfoDirs()) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(dir, name));
    } catch {
      continue;
    }
    try {
      return parseTzif(buf);
    } catch {
      return null;
    }
  }
  return null;
}

function parseTzif(buf: Buffer): Tzif | null {
  if (buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = buf[4];
  const counts = (off: number) => ({
    isutcnt: buf.readUInt32BE(off + 20),
    isstdcnt: buf.readUInt32BE(off + 24),
    leapcnt: buf.readUInt32BE(off + 28),
    timecnt: buf.readUInt32BE(off + 32),
    typecnt: buf.readUInt32BE(off + 36),
    charcnt: buf.readUInt32BE(off + 40),
  });
  let off = 0;
  let c = counts(0);
  let timeSize = 4;
  if (version >= 0x32) {
    // skip the v1 block
    off = 44 + c.timecnt * 4 + c.timecnt + c.typecnt * 6 + c.charcnt + c.leapcnt * 8 + c.isstdcnt + c.isutcnt;
    c = counts(off);
    timeSize = 8;
  }
  let p = off + 44;
  const times: number[] = [];
  for (let i = 0; i < c.timecnt; i++) {
    times.push(timeSize === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p));
    p += timeSize;
  }
  const idx: number[] = [];
  for (let i = 0; i < c.timecnt; i++) idx.push(buf[p++]);
  const raw: { utoff: number; isdst: boolean; ai: number }[] = [];
  for (let i = 0; i < c.typecnt; i++) {
    raw.push({ utoff: buf.readInt32BE(p), isdst: buf[p + 4] === 1, ai: buf[p + 5] });
    p += 6;
  }
  const chars = buf.subarray(p, p + c.charcnt);
  const types = raw.map((r) => {
    const end = chars.indexOf(0, r.ai);
    return { utoff: r.utoff, isdst: r.isdst, abbr: chars.toString('latin1', r.ai, end < 0 ? undefined : end) };
  });
  return { times, idx, types };
}

function numericAbbr(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + String(h).padStart(2, '0') + (m ? String(m).padStart(2, '0') : '');
}

/**
 * time.LoadLocation. "" and "UTC" are UTC, "Local" the process zone; other names must be IANA
 * zones. Throws GoCallError("unknown time zone NAME") like Go.
 */
export function loadLocation(name: string): Location {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return localLocation();
  const cached = zoneCache.get(name);
  if (cached) return cached;
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    throw new GoCallError(`unknown time zone ${name}`);
  }
  const loc = ianaLocation(name, name, dtf);
  zoneCache.set(name, loc);
  return loc;
}

function ianaLocation(goName: string, ianaName: string, dtf: Intl.DateTimeFormat): Location {
  const tzif = readTzif(ianaName);
  const cache = new Map<number, ZoneInfo>();
  const offsetAt = (sec: number): number => {
    // Intl accepts dates within ±8.64e15 ms
    const ms = Math.max(-8.64e15, Math.min(8.64e15, sec * 1000));
    const part = dtf.formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(part);
    if (!m || !m[1]) return 0;
    const v = parseInt(m[2], 10) * 3600 + parseInt(m[3], 10) * 60 + (m[4] ? parseInt(m[4], 10) : 0);
    return m[1] === '-' ? -v : v;
  };
  const abbrFor = (sec: number, offset: number): string => {
    if (tzif && tzif.types.length) {
      // the type in effect, if its offset agrees
      let i = -1;
      let lo = 0;
      let hi = tzif.times.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (tzif.times[mid] <= sec) {
          i = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (i >= 0) {
        const t = tzif.types[tzif.idx[i]];
        if (t.utoff === offset) return t.abbr;
      }
      // otherwise the most recent type with that offset
      for (let j = tzif.idx.length - 1; j >= 0; j--) {
        const t = tzif.types[tzif.idx[j]];
        if (t.utoff === offset) return t.abbr;
      }
      for (const t of tzif.types) if (t.utoff === offset) return t.abbr;
    }
    return numericAbbr(offset);
  };
  return new Location(goName, (sec) => {
    const bucket = Math.floor(sec / 900);
    const hit = cache.get(bucket);
    if (hit) return hit;
    const offset = offsetAt(sec);
    const info = { offset, abbr: abbrFor(sec, offset) };
    if (cache.size > 10000) cache.clear();
    cache.set(bucket, info);
    return info;
  });
}

let local: Location | undefined;
let localKey: string | undefined;
/** Go's time.Local: the TZ environment variable, else the system zone. */
export function localLocation(): Location {
  const tz = process.env.TZ;
  const key = tz ?? '\0';
  if (local && localKey === key) return local;
  localKey = key;
  let iana: string;
  if (tz === undefined) iana = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  else if (tz === '' || tz === 'UTC' || tz === 'Etc/UTC' || tz === 'UTC0') iana = 'UTC';
  else iana = tz.startsWith(':') ? tz.slice(1) : tz;
  if (iana === 'UTC' || iana === 'Etc/UTC') {
    local = new Location('Local', () => ({ offset: 0, abbr: 'UTC' }));
    return local;
  }
  try {
    const dtf = new Intl.DateTimeFormat('en-US', { timeZone: iana, timeZoneName: 'longOffset' });
    local = ianaLocation('Local', iana, dtf);
  } catch {
    local = new Location('Local', () => ({ offset: 0, abbr: 'UTC' }));
  }
  return local;
}

// ------------------------------------------------------------------ civil time

const DAY = 86400;

/** Days since 1970-01-01 → proleptic Gregorian y/m/d (Howard Hinnant's algorithm). */
function civil(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: m <= 2 ? y + 1 : y, m, d };
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}


export const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Seconds of Go's zero time (0001-01-01 00:00:00 UTC) since the Unix epoch. */
export const ZERO_UNIX = -62135596800;

export interface Civil {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  min: number;
  sec: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
  zone: ZoneInfo;
}

/** The number in s[i, i+n) when those are all ASCII digits, else -1. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (const end = i + n; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The common case of GoTime.parseRFC3339 without a regular expression: a UTC time
 * (`2006-01-02T15:04:05[.999999999]Z`). Anything else (offsets, errors) is left to it: undefined.
 */
function parseUtcRFC3339(s: string): GoTime | undefined {
  const len = s.length;
  if (len < 20 || len > 30) return undefined;
  const last = s.charCodeAt(len - 1);
  if (last !== 90 /* Z */ && last !== 122 /* z */) return undefined;
  const t = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (t !== 84 && t !== 116) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const se = digitsAt(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return undefined;
  let nsec = 0;
  if (len > 20) {
    // a fraction of 1 to 9 digits
    if (s.charCodeAt(19) !== 46) return undefined;
    const n = len - 21;
    if (n < 1 || n > 9) return undefined;
    const f = digitsAt(s, 20, n);
    if (f < 0) return undefined;
    nsec = f * 10 ** (9 - n);
  }
  return new GoTime(daysFromCivil(y, mo, d) * DAY + h * 3600 + mi * 60 + se, nsec, UTC);
}

// ------------------------------------------------------------------ Time

export class GoTime implements GoObject {
  private _civil?: Civil;
  constructor(
    /** Unix seconds (integer). */
    readonly sec: number,
    /** Nanoseconds 0..999,999,999. */
    readonly nsec: number,
    readonly loc: Location,
    /** Monotonic clock reading in seconds, printed by String() as m=±… (only for times from "now"). */
    readonly mono?: number,
  ) {}

  declare readonly goType: GoType; // T_TIME, on the prototype

  static fromMillis(ms: number, loc: Location = UTC): GoTime {
    const sec = Math.floor(ms / 1000);
    return new GoTime(sec, Math.round((ms - sec * 1000) * 1e6), loc);
  }

  /** Parses RFC3339 (what Alertmanager's JSON holds), the way Go's time.Time.UnmarshalJSON does. */
  static parseRFC3339(s: string): GoTime {
    const fast = parseUtcRFC3339(s);
    if (fast !== undefined) return fast;
    const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(s);
    if (!m) throw new GoCallError(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
    const days = daysFromCivil(+m[1], +m[2], +m[3]);
    let sec = days * DAY + +m[4] * 3600 + +m[5] * 60 + +m[6];
    const nsec = m[7] ? parseInt(m[7].padEnd(9, '0'), 10) : 0;
    if (m[8]) return new GoTime(sec, nsec, UTC);
    const off = (m[9] === '-' ? -1 : 1) * (+m[10] * 3600 + +m[11] * 60);
    sec -= off;
    const localLoc = localLocation();
    if (localLoc.lookup(sec).offset === off) return new GoTime(sec, nsec, localLoc);
    return new GoTime(sec, nsec, fixedZone('', off));
  }

  civil(): Civil {
    if (this._civil) return this._civil;
    const zone = this.loc.lookup(this.sec);
    const local = this.sec + zone.offset;
    const days = Math.floor(local / DAY);
    let rem = local - days * DAY;
    const { y, m, d } = civil(days);
    const hour = Math.floor(rem / 3600);
    rem -= hour * 3600;
    const min = Math.floor(rem / 60);
    const sec = rem - min * 60;
    const weekday = (((days + 4) % 7) + 7) % 7;
    const yday = days - daysFromCivil(y, 1, 1) + 1;
    this._civil = { year: y, month: m, day: d, hour, min, sec, weekday, yday, zone };
    return this._civil;
  }

  isZero(): boolean {
    return this.sec === ZERO_UNIX && this.nsec === 0;
  }
  private _in?: GoTime;
  in(loc: Location): GoTime {
    // Like Go, In/UTC/Local drop the monotonic reading.
    if (loc === this.loc && this.mono === undefined) return this;
    if (this._in?.loc === loc) return this._in;
    return (this._in = new GoTime(this.sec, this.nsec, loc));
  }
  /** Go's t.Sub(u) in nanoseconds (saturating like Go). */
  sub(u: GoTime): GoDuration {
    if (this.mono !== undefined && u.mono !== undefined) return new GoDuration(Math.round((this.mono - u.mono) * 1e9));
    const ns = (this.sec - u.sec) * 1e9 + (this.nsec - u.nsec);
    // Go's math.MaxInt64; a double rounds it to 2^63, close enough to clamp a duration.
    const max = 2 ** 63;
    return new GoDuration(Math.max(-max - 1, Math.min(max, ns)));
  }
  add(d: GoDuration): GoTime {
    let nsec = this.nsec + (d.ns % 1e9);
    let sec = this.sec + Math.trunc(d.ns / 1e9);
    if (nsec >= 1e9) {
      sec++;
      nsec -= 1e9;
    } else if (nsec < 0) {
      sec--;
      nsec += 1e9;
    }
    return new GoTime(sec, nsec, this.loc, this.mono === undefined ? undefined : this.mono + d.ns / 1e9);
  }

  private _fmtLayout?: string;
  private _fmtOut?: string;
  format(layout: string): string {
    // A time never changes: the last Format is remembered (templates print the same time again and again).
    if (this._fmtLayout === layout) return this._fmtOut!;
    const out = formatTime(this, layout);
    this._fmtLayout = layout;
    this._fmtOut = out;
    return out;
  }

  toString(): string {
    let s = formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
    if (this.mono !== undefined) {
      const m = this.mono;
      const sign = m < 0 ? '-' : '+';
      const a = Math.abs(m);
      const whole = Math.floor(a);
      const frac = Math.round((a - whole) * 1e9);
      s += ` m=${sign}${whole}.${String(frac).padStart(9, '0')}`;
    }
    return s;
  }
}

// ------------------------------------------------------------------ Duration

export class GoDuration implements GoObject {
  constructor(readonly ns: number) {}
  declare readonly goType: GoType; // T_DURATION, on the prototype
  valueOf() {
    return this.ns;
  }
  seconds(): number {
    return this.ns / 1e9;
  }
  /** Go's Duration.String(): 1h2m3.5s, 1.5ms, 0s. */
  toString(): string {
    const d = this.ns;
    if (d === 0) return '0s';
    const sign = d < 0 ? '-' : '';
    const u = Math.abs(d);
    if (u < 1e3) return `${sign}${u}ns`;
    if (u < 1e6) return `${sign}${fracString(u, 3)}µs`;
    if (u < 1e9) return `${sign}${fracString(u, 6)}ms`;
    const secTotal = Math.floor(u / 1e9);
    const fracNs = u - secTotal * 1e9;
    const frac = fracNs ? '.' + String(fracNs).padStart(9, '0').replace(/0+$/, '') : '';
    const s = secTotal % 60;
    const mTotal = Math.floor(secTotal / 60);
    const m = mTotal % 60;
    const h = Math.floor(mTotal / 60);
    if (h > 0) return `${sign}${h}h${m}m${s}${frac}s`;
    if (mTotal > 0) return `${sign}${m}m${s}${frac}s`;
    return `${sign}${s}${frac}s`;
  }
}

/** v / 10^prec printed with trailing fractional zeros removed. */
function fracString(v: number, prec: number): string {
  const div = 10 ** prec;
  const whole = Math.floor(v / div);
  let frac = String(v - whole * div).padStart(prec, '0').replace(/0+$/, '');
  if (frac) frac = '.' + frac;
  return String(whole) + frac;
}

// ------------------------------------------------------------------ Format

const enum Std {
  None,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  prefix: string;
  std: Std;
  suffix: string;
  /** digits for fractional seconds; separator */
  n?: number;
  sep?: string;
}

const isLower = (s: string, i: number) => i < s.length && s[i] >= 'a' && s[i] <= 'z';
const isDigitAt = (s: string, i: number) => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Go's nextStdChunk: the first standard element in the layout. */
function nextStdChunk(layout: string): Chunk {
  const ret = (i: number, std: Std, len: number, extra: Partial<Chunk> = {}): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    suffix: layout.slice(i + len),
    ...extra,
  });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const rest = (n: number) => layout.slice(i, i + n);
    switch (c) {
      case 'J':
        if (rest(3) === 'Jan') {
          if (rest(7) === 'January') return ret(i, Std.LongMonth, 7);
          if (!isLower(layout, i + 3)) return ret(i, Std.Month, 3);
        }
        break;
      case 'M':
        if (layout.length >= i + 3) {
          if (rest(3) === 'Mon') {
            if (rest(6) === 'Monday') return ret(i, Std.LongWeekDay, 6);
            if (!isLower(layout, i + 3)) return ret(i, Std.WeekDay, 3);
          }
          if (rest(3) === 'MST') return ret(i, Std.TZ, 3);
        }
        break;
      case '0':
        if (layout.length >= i + 2 && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          const std0x = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year];
          return ret(i, std0x[layout.charCodeAt(i + 1) - 49], 2);
        }
        if (rest(3) === '002') return ret(i, Std.ZeroYearDay, 3);
        break;
      case '1':
        if (layout[i + 1] === '5') return ret(i, Std.Hour, 2);
        return ret(i, Std.NumMonth, 1);
      case '2':
        if (rest(4) === '2006') return ret(i, Std.LongYear, 4);
        return ret(i, Std.Day, 1);
      case '_':
        if (layout[i + 1] === '2') {
          if (layout.slice(i + 1, i + 5) === '2006') return { prefix: layout.slice(0, i + 1), std: Std.LongYear, suffix: layout.slice(i + 5) };
          return ret(i, Std.UnderDay, 2);
        }
        if (layout[i + 1] === '_' && layout[i + 2] === '2') return ret(i, Std.UnderYearDay, 3);
        break;
      case '3':
        return ret(i, Std.Hour12, 1);
      case '4':
        return ret(i, Std.Minute, 1);
      case '5':
        return ret(i, Std.Second, 1);
      case 'P':
        if (layout[i + 1] === 'M') return ret(i, Std.PM, 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return ret(i, Std.pm, 2);
        break;
      case '-':
        if (rest(7) === '-070000') return ret(i, Std.NumSecondsTz, 7);
        if (rest(9) === '-07:00:00') return ret(i, Std.NumColonSecondsTZ, 9);
        if (rest(5) === '-0700') return ret(i, Std.NumTZ, 5);
        if (rest(6) === '-07:00') return ret(i, Std.NumColonTZ, 6);
        if (rest(3) === '-07') return ret(i, Std.NumShortTZ, 3);
        break;
      case 'Z':
        if (rest(7) === 'Z070000') return ret(i, Std.ISO8601SecondsTZ, 7);
        if (rest(9) === 'Z07:00:00') return ret(i, Std.ISO8601ColonSecondsTZ, 9);
        if (rest(5) === 'Z0700') return ret(i, Std.ISO8601TZ, 5);
        if (rest(6) === 'Z07:00') return ret(i, Std.ISO8601ColonTZ, 6);
        if (rest(3) === 'Z07') return ret(i, Std.ISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return ret(i, ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j - i, { n: j - (i + 1), sep: c });
          }
        }
        break;
    }
  }
  return { prefix: layout, std: Std.None, suffix: '' };
}

const layoutCache = new Map<string, Chunk[]>();
function compileLayout(layout: string): Chunk[] {
  let chunks = layoutCache.get(layout);
  if (chunks) return chunks;
  chunks = [];
  let rest = layout;
  while (rest !== '') {
    const c = nextStdChunk(rest);
    chunks.push(c);
    rest = c.suffix;
    if (c.std === Std.None) break;
  }
  if (layoutCache.size > 1000) layoutCache.clear();
  layoutCache.set(layout, chunks);
  return chunks;
}

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));
function padN(n: number, w: number): string {
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(w, '0');
  return neg ? '-' + s : s;
}

export function formatTime(t: GoTime, layout: string): string {
  const c = t.civil();
  let out = '';
  for (const ch of compileLayout(layout)) {
    out += ch.prefix;
    switch (ch.std) {
      case Std.None:
        break;
      case Std.Year:
        out += pad2(((c.year % 100) + 100) % 100);
        break;
      case Std.LongYear:
        out += padN(c.year, 4);
        break;
      case Std.Month:
        out += LONG_MONTHS[c.month - 1].slice(0, 3);
        break;
      case Std.LongMonth:
        out += LONG_MONTHS[c.month - 1];
        break;
      case Std.NumMonth:
        out += c.month;
        break;
      case Std.ZeroMonth:
        out += pad2(c.month);
        break;
      case Std.WeekDay:
        out += LONG_DAYS[c.weekday].slice(0, 3);
        break;
      case Std.LongWeekDay:
        out += LONG_DAYS[c.weekday];
        break;
      case Std.Day:
        out += c.day;
        break;
      case Std.UnderDay:
        out += c.day < 10 ? ' ' + c.day : String(c.day);
        break;
      case Std.ZeroDay:
        out += pad2(c.day);
        break;
      case Std.UnderYearDay:
        out += String(c.yday).padStart(3, ' ');
        break;
      case Std.ZeroYearDay:
        out += padN(c.yday, 3);
        break;
      case Std.Hour:
        out += pad2(c.hour);
        break;
      case Std.Hour12:
        out += c.hour % 12 === 0 ? 12 : c.hour % 12;
        break;
      case Std.ZeroHour12:
        out += pad2(c.hour % 12 === 0 ? 12 : c.hour % 12);
        break;
      case Std.Minute:
        out += c.min;
        break;
      case Std.ZeroMinute:
        out += pad2(c.min);
        break;
      case Std.Second:
        out += c.sec;
        break;
      case Std.ZeroSecond:
        out += pad2(c.sec);
        break;
      case Std.PM:
        out += c.hour >= 12 ? 'PM' : 'AM';
        break;
      case Std.pm:
        out += c.hour >= 12 ? 'pm' : 'am';
        break;
      case Std.ISO8601TZ:
      case Std.ISO8601ColonTZ:
      case Std.ISO8601SecondsTZ:
      case Std.ISO8601ShortTZ:
      case Std.ISO8601ColonSecondsTZ:
      case Std.NumTZ:
      case Std.NumColonTZ:
      case Std.NumSecondsTz:
      case Std.NumShortTZ:
      case Std.NumColonSecondsTZ: {
        const offset = c.zone.offset;
        const iso =
          ch.std === Std.ISO8601TZ ||
          ch.std === Std.ISO8601ColonTZ ||
          ch.std === Std.ISO8601SecondsTZ ||
          ch.std === Std.ISO8601ShortTZ ||
          ch.std === Std.ISO8601ColonSecondsTZ;
        if (iso && offset === 0) {
          out += 'Z';
          break;
        }
        let zone = Math.trunc(offset / 60);
        let abs = offset;
        if (zone < 0) {
          out += '-';
          zone = -zone;
          abs = -abs;
        } else out += '+';
        out += pad2(Math.floor(zone / 60));
        const colon =
          ch.std === Std.ISO8601ColonTZ || ch.std === Std.NumColonTZ || ch.std === Std.ISO8601ColonSecondsTZ || ch.std === Std.NumColonSecondsTZ;
        if (colon) out += ':';
        if (ch.std !== Std.NumShortTZ && ch.std !== Std.ISO8601ShortTZ) out += pad2(zone % 60);
        if (ch.std === Std.ISO8601SecondsTZ || ch.std === Std.NumSecondsTz || ch.std === Std.NumColonSecondsTZ || ch.std === Std.ISO8601ColonSecondsTZ) {
          if (ch.std === Std.NumColonSecondsTZ || ch.std === Std.ISO8601ColonSecondsTZ) out += ':';
          out += pad2(abs % 60);
        }
        break;
      }
      case Std.TZ: {
        if (c.zone.abbr !== '') {
          out += c.zone.abbr;
          break;
        }
        let zone = Math.trunc(c.zone.offset / 60);
        if (zone < 0) {
          out += '-';
          zone = -zone;
        } else out += '+';
        out += pad2(Math.floor(zone / 60)) + pad2(zone % 60);
        break;
      }
      case Std.FracSecond0: {
        const digits = String(t.nsec).padStart(9, '0').slice(0, ch.n);
        out += ch.sep + digits;
        break;
      }
      case Std.FracSecond9: {
        let digits = String(t.nsec).padStart(9, '0').slice(0, ch.n);
        digits = digits.replace(/0+$/, '');
        if (digits) out += ch.sep + digits;
        break;
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ Go types with methods

const T_MONTH: GoType = { name: 'time.Month', kind: 'int', stringer: (m: GoEnum) => LONG_MONTHS[m.v - 1] };
const T_WEEKDAY: GoType = { name: 'time.Weekday', kind: 'int', stringer: (d: GoEnum) => LONG_DAYS[d.v] };

export class GoEnum implements GoObject {
  constructor(
    readonly goType: GoType,
    readonly v: number,
  ) {}
  valueOf() {
    return this.v;
  }
}

export const T_DURATION: GoType = {
  name: 'time.Duration',
  kind: 'int',
  stringer: (d: GoDuration) => d.toString(),
  methods: {
    String: { params: [], fn: (d: GoDuration) => d.toString() },
    Seconds: { params: [], fn: (d: GoDuration) => new GoFloat(d.ns / 1e9) },
    Minutes: { params: [], fn: (d: GoDuration) => new GoFloat(d.ns / 6e10) },
    Hours: { params: [], fn: (d: GoDuration) => new GoFloat(d.ns / 3.6e12) },
    Milliseconds: { params: [], fn: (d: GoDuration) => Math.trunc(d.ns / 1e6) },
    Nanoseconds: { params: [], fn: (d: GoDuration) => d.ns },
  },
};

export const T_TIME: GoType = {
  name: 'time.Time',
  kind: 'struct',
  fields: ['wall', 'ext', 'loc'],
  stringer: (t: GoTime) => t.toString(),
  methods: {
    String: { params: [], fn: (t: GoTime) => t.toString() },
    Format: { params: ['string'], fn: (t: GoTime, layout: string) => t.format(layout) },
    Unix: { params: [], fn: (t: GoTime) => t.sec },
    UnixMilli: { params: [], fn: (t: GoTime) => t.sec * 1000 + Math.floor(t.nsec / 1e6) },
    UnixMicro: { params: [], fn: (t: GoTime) => t.sec * 1e6 + Math.floor(t.nsec / 1e3) },
    UnixNano: { params: [], fn: (t: GoTime) => t.sec * 1e9 + t.nsec },
    UTC: { params: [], fn: (t: GoTime) => t.in(UTC) },
    Local: { params: [], fn: (t: GoTime) => t.in(localLocation()) },
    In: {
      params: ['any'],
      fn: (t: GoTime, loc: unknown) => {
        if (!(loc instanceof Location)) throw new GoCallError('time: missing Location in call to Time.In');
        return t.in(loc);
      },
    },
    Location: { params: [], fn: (t: GoTime) => t.loc },
    Sub: {
      params: ['time.Time'],
      fn: (t: GoTime, u: GoTime) => t.sub(u),
    },
    Add: { params: ['time.Duration'], fn: (t: GoTime, d: GoDuration) => t.add(d) },
    Year: { params: [], fn: (t: GoTime) => t.civil().year },
    Month: { params: [], fn: (t: GoTime) => new GoEnum(T_MONTH, t.civil().month) },
    Day: { params: [], fn: (t: GoTime) => t.civil().day },
    Hour: { params: [], fn: (t: GoTime) => t.civil().hour },
    Minute: { params: [], fn: (t: GoTime) => t.civil().min },
    Second: { params: [], fn: (t: GoTime) => t.civil().sec },
    Nanosecond: { params: [], fn: (t: GoTime) => t.nsec },
    YearDay: { params: [], fn: (t: GoTime) => t.civil().yday },
    Weekday: { params: [], fn: (t: GoTime) => new GoEnum(T_WEEKDAY, t.civil().weekday) },
    IsZero: { params: [], fn: (t: GoTime) => t.isZero() },
    Before: { params: ['time.Time'], fn: (t: GoTime, u: GoTime) => t.sec < u.sec || (t.sec === u.sec && t.nsec < u.nsec) },
    After: { params: ['time.Time'], fn: (t: GoTime, u: GoTime) => t.sec > u.sec || (t.sec === u.sec && t.nsec > u.nsec) },
    Equal: { params: ['time.Time'], fn: (t: GoTime, u: GoTime) => t.sec === u.sec && t.nsec === u.nsec },
    Zone: { params: [], fn: (t: GoTime) => t.civil().zone.abbr },
  },
};
T_MONTH.methods = { String: { params: [], fn: (m: GoEnum) => LONG_MONTHS[m.v - 1] } };
T_WEEKDAY.methods = { String: { params: [], fn: (d: GoEnum) => LONG_DAYS[d.v] } };
// Go types live on the prototypes as plain values (cheaper to read than getters).
Object.defineProperty(Location.prototype, 'goType', { value: T_LOCATION });
Object.defineProperty(GoTime.prototype, 'goType', { value: T_TIME });
Object.defineProperty(GoDuration.prototype, 'goType', { value: T_DURATION });
T_LOCATION.methods = { String: { params: [], fn: (l: Location) => l.name } };


// ------------------------------------------------------------------ Parse

const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));
const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const daysInMonth = (m: number, y: number) => (m === 2 && isLeapYear(y) ? 29 : DAYS_BEFORE_MONTH[m] - DAYS_BEFORE_MONTH[m - 1]);

/** Go's time.quote: non-ASCII and control characters as \x bytes. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  }
  return out + '"';
}

/** An element that did not match; Go's errBad. */
const BAD = Symbol('bad');

const digitAt = (s: string, i: number) => (i < s.length && s[i] >= '0' && s[i] <= '9' ? s.charCodeAt(i) - 48 : -1);

function getnum(s: string, fixed: boolean): [number, string] {
  const a = digitAt(s, 0);
  if (a < 0) throw BAD;
  const b = digitAt(s, 1);
  if (b < 0) {
    if (fixed) throw BAD;
    return [a, s.slice(1)];
  }
  return [a * 10 + b, s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && digitAt(s, i) >= 0; i++) n = n * 10 + digitAt(s, i);
  if (i === 0 || (fixed && i !== 3)) throw BAD;
  return [n, s.slice(i)];
}

/** Go's atoi: an optional sign and decimal digits, nothing else. */
function atoi(s: string): number {
  if (!/^[+-]?\d*$/.test(s)) throw BAD;
  const n = parseInt(s, 10);
  return Number.isNaN(n) ? 0 : n;
}

function lookupName(tab: readonly string[], val: string): [number, string] {
  for (let i = 0; i < tab.length; i++) {
    const v = tab[i];
    if (val.length >= v.length && val.slice(0, v.length).toLowerCase() === v.toLowerCase()) return [i, val.slice(v.length)];
  }
  throw BAD;
}

const cutSpace = (s: string) => s.replace(/^ +/, '');

function skipPrefix(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw BAD;
      prefix = cutSpace(prefix);
      value = cutSpace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw BAD;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

const commaOrPeriod = (c: string | undefined) => c === '.' || c === ',';

/** Nanoseconds from value[0, nbytes): a separator and digits; a range error names the element. */
function parseNanoseconds(value: string, nbytes: number): { ns: number; rangeErr: string } {
  if (!commaOrPeriod(value[0])) throw BAD;
  if (nbytes > 10) nbytes = 10;
  const ns = atoi(value.slice(1, nbytes));
  if (ns < 0) return { ns: 0, rangeErr: 'fractional second' };
  return { ns: ns * 10 ** (10 - nbytes), rangeErr: '' };
}

function parseSignedOffset(value: string): number {
  if (value[0] !== '-' && value[0] !== '+') return 0;
  const m = /^\d+/.exec(value.slice(1));
  if (!m || Number(m[0]) > 12) return 0;
  return 1 + m[0].length;
}

/** Go's parseTimeZone: the length of a zone abbreviation at the start of value, 0 if none. */
function timeZoneLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) return value.length === 3 ? 3 : 3 + parseSignedOffset(value.slice(3));
  if (value[0] === '+' || value[0] === '-') return parseSignedOffset(value);
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper] >= 'A' && value[upper] <= 'Z') upper++;
  switch (upper) {
    case 3:
      return 3;
    case 4:
      return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0;
    case 5:
      return value[4] === 'T' ? 5 : 0;
  }
  return 0;
}

/**
 * Go's time.ParseInLocation: `value` read with a layout like Format's, elements checked
 * for range, and Go's ParseError texts. Times without a zone are in `loc`.
 */
export function parseTime(layout: string, value: string, loc: Location): GoTime {
  const fullLayout = layout;
  const fullValue = value;
  const cannotParse = (valueElem: string, layoutElem: string) =>
    new GoCallError(`parsing time ${timeQuote(fullValue)} as ${timeQuote(fullLayout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`);
  const failed = (message: string) => new GoCallError(`parsing time ${timeQuote(fullValue)}${message}`);

  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let zoneUTC = false;
  let zoneOffset = -1;
  let zoneName = '';
  let pmSet = false;
  let amSet = false;

  for (;;) {
    const { prefix, std, suffix } = nextStdChunk(layout);
    const stdstr = layout.slice(prefix.length, layout.length - suffix.length);
    try {
      value = skipPrefix(value, prefix);
    } catch {
      throw cannotParse(value, prefix);
    }
    if (std === Std.None) {
      if (value.length !== 0) throw failed(`: extra text: ${timeQuote(value)}`);
      break;
    }
    layout = suffix;
    const hold = value;
    let rangeErr = '';
    try {
      switch (std) {
        case Std.Year:
          if (value.length < 2) throw BAD;
          year = atoi(value.slice(0, 2));
          year += year >= 69 ? 1900 : 2000;
          value = value.slice(2);
          break;
        case Std.LongYear:
          if (value.length < 4 || digitAt(value, 0) < 0) throw BAD;
          year = atoi(value.slice(0, 4));
          value = value.slice(4);
          break;
        case Std.Month:
          [month, value] = lookupName(SHORT_MONTHS, value);
          month++;
          break;
        case Std.LongMonth:
          [month, value] = lookupName(LONG_MONTHS, value);
          month++;
          break;
        case Std.NumMonth:
        case Std.ZeroMonth:
          [month, value] = getnum(value, std === Std.ZeroMonth);
          if (month <= 0 || month > 12) rangeErr = 'month';
          break;
        case Std.WeekDay:
          value = lookupName(SHORT_DAYS, value)[1];
          break;
        case Std.LongWeekDay:
          value = lookupName(LONG_DAYS, value)[1];
          break;
        case Std.Day:
        case Std.UnderDay:
        case Std.ZeroDay:
          if (std === Std.UnderDay && value[0] === ' ') value = value.slice(1);
          // any one- or two-digit day; checked against the month once everything is read
          [day, value] = getnum(value, std === Std.ZeroDay);
          break;
        case Std.UnderYearDay:
        case Std.ZeroYearDay:
          for (let i = 0; i < 2; i++) if (std === Std.UnderYearDay && value[0] === ' ') value = value.slice(1);
          [yday, value] = getnum3(value, std === Std.ZeroYearDay);
          break;
        case Std.Hour:
          [hour, value] = getnum(value, false);
          if (hour >= 24) rangeErr = 'hour';
          break;
        case Std.Hour12:
        case Std.ZeroHour12:
          [hour, value] = getnum(value, std === Std.ZeroHour12);
          if (hour > 12) rangeErr = 'hour';
          break;
        case Std.Minute:
        case Std.ZeroMinute:
          [min, value] = getnum(value, std === Std.ZeroMinute);
          if (min >= 60) rangeErr = 'minute';
          break;
        case Std.Second:
        case Std.ZeroSecond: {
          [sec, value] = getnum(value, std === Std.ZeroSecond);
          if (sec >= 60) {
            rangeErr = 'second';
            break;
          }
          // A fraction the layout does not ask for is read here, unless the layout's next element is one.
          if (value.length >= 2 && commaOrPeriod(value[0]) && digitAt(value, 1) >= 0) {
            const next = nextStdChunk(layout).std;
            if (next === Std.FracSecond0 || next === Std.FracSecond9) break;
            let n = 2;
            while (n < value.length && digitAt(value, n) >= 0) n++;
            ({ ns: nsec, rangeErr } = parseNanoseconds(value, n));
            value = value.slice(n);
          }
          break;
        }
        case Std.PM:
        case Std.pm: {
          if (value.length < 2) throw BAD;
          const p = value.slice(0, 2);
          value = value.slice(2);
          const [pm, am] = std === Std.PM ? ['PM', 'AM'] : ['pm', 'am'];
          if (p === pm) pmSet = true;
          else if (p === am) amSet = true;
          else throw BAD;
          break;
        }
        case Std.ISO8601TZ:
        case Std.ISO8601ShortTZ:
        case Std.ISO8601ColonTZ:
        case Std.ISO8601SecondsTZ:
        case Std.ISO8601ColonSecondsTZ:
        case Std.NumTZ:
        case Std.NumShortTZ:
        case Std.NumColonTZ:
        case Std.NumSecondsTz:
        case Std.NumColonSecondsTZ: {
          const iso = std === Std.ISO8601TZ || std === Std.ISO8601ShortTZ || std === Std.ISO8601ColonTZ || std === Std.ISO8601SecondsTZ || std === Std.ISO8601ColonSecondsTZ;
          if (iso && value[0] === 'Z') {
            value = value.slice(1);
            zoneUTC = true;
            break;
          }
          let hh: string;
          let mm = '00';
          let ss = '00';
          if (std === Std.ISO8601ColonTZ || std === Std.NumColonTZ) {
            if (value.length < 6 || value[3] !== ':') throw BAD;
            [hh, mm] = [value.slice(1, 3), value.slice(4, 6)];
          } else if (std === Std.NumShortTZ || std === Std.ISO8601ShortTZ) {
            if (value.length < 3) throw BAD;
            hh = value.slice(1, 3);
          } else if (std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ) {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw BAD;
            [hh, mm, ss] = [value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
          } else if (std === Std.ISO8601SecondsTZ || std === Std.NumSecondsTz) {
            if (value.length < 7) throw BAD;
            [hh, mm, ss] = [value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
          } else {
            if (value.length < 5) throw BAD;
            [hh, mm] = [value.slice(1, 3), value.slice(3, 5)];
          }
          const sign = value[0];
          value = value.slice(zoneFieldLength(std));
          const hr = getnum(hh, true)[0];
          const mi = getnum(mm, true)[0];
          const se = getnum(ss, true)[0];
          // > rather than >=: offsets of 24 hours or 60 minutes are written
          if (hr > 24) rangeErr = 'time zone offset hour';
          if (mi > 60) rangeErr = 'time zone offset minute';
          if (se > 60) rangeErr = 'time zone offset second';
          zoneOffset = (hr * 60 + mi) * 60 + se;
          if (sign === '-') zoneOffset = -zoneOffset;
          else if (sign !== '+') throw BAD;
          break;
        }
        case Std.TZ: {
          if (value.startsWith('UTC')) {
            zoneUTC = true;
            value = value.slice(3);
            break;
          }
          const n = timeZoneLength(value);
          if (n === 0) throw BAD;
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case Std.FracSecond0: {
          // the exact number of digits the layout has, after its separator
          const ndigit = stdstr.length;
          if (value.length < ndigit) throw BAD;
          ({ ns: nsec, rangeErr } = parseNanoseconds(value, ndigit));
          value = value.slice(ndigit);
          break;
        }
        case Std.FracSecond9: {
          // an omitted fraction is fine; otherwise any number of digits, as for seconds
          if (value.length < 2 || !commaOrPeriod(value[0]) || digitAt(value, 1) < 0) break;
          let i = 0;
          while (i + 1 < value.length && digitAt(value, i + 1) >= 0) i++;
          ({ ns: nsec, rangeErr } = parseNanoseconds(value, 1 + i));
          value = value.slice(1 + i);
          break;
        }
      }
    } catch (e) {
      if (e !== BAD) throw e;
      throw cannotParse(hold, stdstr);
    }
    if (rangeErr !== '') throw failed(`: ${rangeErr} out of range`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    if (isLeapYear(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) yday--;
    }
    if (yday < 1 || yday > 365) throw failed(': day-of-year out of range');
    if (m === 0) {
      m = Math.floor((yday - 1) / 31) + 1;
      if (DAYS_BEFORE_MONTH[m] < yday) m++;
      d = yday - DAYS_BEFORE_MONTH[m - 1];
    }
    if (month >= 0 && month !== m) throw failed(': day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) throw failed(': day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysInMonth(month, year)) throw failed(': day out of range');

  const wall = daysFromCivil(year, month, day) * DAY + hour * 3600 + min * 60 + sec;
  if (zoneUTC) return new GoTime(wall, nsec, UTC);
  if (zoneOffset !== -1) {
    const t = wall - zoneOffset;
    const z = loc.lookup(t);
    if (z.offset === zoneOffset && (zoneName === '' || z.abbr === zoneName)) return new GoTime(t, nsec, loc);
    return new GoTime(t, nsec, fixedZone(zoneName, zoneOffset));
  }
  if (zoneName !== '') {
    const known = zoneOffsetByName(loc, zoneName, wall);
    if (known !== undefined) return new GoTime(wall - known, nsec, loc);
    // an unknown abbreviation keeps its name with offset 0 (GMT±h: that many hours)
    const offset = zoneName.length > 3 && zoneName.startsWith('GMT') ? parseInt(zoneName.slice(3), 10) * 3600 : 0;
    return new GoTime(wall, nsec, fixedZone(zoneName, offset));
  }
  // A wall time in loc (ParseInLocation with a zone other than UTC, sprig's toDate): Go's
  // time.Date takes the offset in force at that wall time, looked up again across a transition.
  const guess = loc.lookup(wall).offset;
  const offset = loc.lookup(wall - guess).offset;
  return new GoTime(wall - offset, nsec, loc);
}

/** How many characters of the value a numeric zone element takes. */
function zoneFieldLength(std: Std): number {
  switch (std) {
    case Std.ISO8601ColonTZ:
    case Std.NumColonTZ:
      return 6;
    case Std.NumShortTZ:
    case Std.ISO8601ShortTZ:
      return 3;
    case Std.ISO8601ColonSecondsTZ:
    case Std.NumColonSecondsTZ:
      return 9;
    case Std.ISO8601SecondsTZ:
    case Std.NumSecondsTz:
      return 7;
    default:
      return 5;
  }
}

/**
 * Go's Location.lookupName, for the zone in effect at `wall` only (Go also tries the zone's
 * other abbreviations; toDate parses in UTC, which has none).
 */
function zoneOffsetByName(loc: Location, name: string, wall: number): number | undefined {
  const z = loc.lookup(wall);
  return z.abbr === name && loc.lookup(wall - z.offset).abbr === name ? z.offset : undefined;
}
