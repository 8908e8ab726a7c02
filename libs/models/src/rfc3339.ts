/**
 * RFC 3339 `date-time` (section 5.6) as a real instant: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
 *
 * A pattern alone let `2024-02-30T10:00:00Z` and `2024-13-45T99:99:99Z` through, and the
 * templates' date arithmetic then rolled them over into another day (1 March, a date in 2025):
 * the alert was shown at a time it never had. So every part is range-checked here:
 * - the date is a day of the proleptic Gregorian calendar (month lengths, leap years; year
 *   0000-9999 as RFC 3339's four digits allow);
 * - hours 00-23, minutes 00-59, seconds 00-59. A leap second (`:60`) is refused: Go's
 *   time.Parse (Alertmanager's side) refuses it, so Alertmanager never sends one, and neither
 *   JavaScript's Date nor the templates' GoTime can hold it without moving it to the next minute;
 * - the fraction has 1 to 9 digits (Go's nanoseconds, what Alertmanager writes);
 * - the offset is `Z` or ±HH:MM within ±23:59 (`-00:00` included, which RFC 3339 allows).
 * `T` and `Z` may be lower case, as RFC 3339's note on ABNF case allows (the templates read both).
 *
 * Character codes rather than a regular expression: it runs for every startsAt and endsAt on the
 * ingest hot path and allocates nothing.
 */
export function isRfc3339Time(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const s = value;
  const length = s.length;
  // `2006-01-02T15:04:05Z` is the shortest; 9 fraction digits and an offset the longest.
  if (length < 20 || length > 35) return false;
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return false;
  const t = s.charCodeAt(10);
  if (t !== UPPER_T && t !== LOWER_T) return false;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;

  let i = 19;
  if (s.charCodeAt(i) === DOT) {
    const start = ++i;
    while (i < length && isDigit(s.charCodeAt(i))) i++;
    const fractionDigits = i - start;
    if (fractionDigits < 1 || fractionDigits > 9) return false;
  }
  const zone = s.charCodeAt(i);
  if (zone === UPPER_Z || zone === LOWER_Z) return i + 1 === length;
  if (zone !== PLUS && zone !== DASH) return false;
  if (i + 6 !== length || s.charCodeAt(i + 3) !== COLON) return false;
  const offsetHours = digitsAt(s, i + 1, 2);
  const offsetMinutes = digitsAt(s, i + 4, 2);
  return offsetHours >= 0 && offsetHours <= 23 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

const DASH = 45;
const DOT = 46;
const COLON = 58;
const PLUS = 43;
const UPPER_T = 84;
const LOWER_T = 116;
const UPPER_Z = 90;
const LOWER_Z = 122;

const isDigit = (code: number) => code >= 48 && code <= 57;

/** The number written in s[start, start + count) when those are all ASCII digits, else -1. */
function digitsAt(s: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = s.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 48);
  }
  return value;
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
}
