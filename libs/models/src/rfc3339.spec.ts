import { isRfc3339Time } from './rfc3339';

describe('isRfc3339Time', () => {
  it.each([
    '0001-01-01T00:00:00Z', // Alertmanager's zero time, the endsAt of a firing alert
    '2026-11-20T08:00:00Z',
    '2026-11-20T08:00:00.1Z',
    '2026-11-20T08:00:00.123456789Z',
    '2026-11-20T16:00:00.123456789+08:00',
    '2024-02-29T10:00:00Z', // leap year
    '2000-02-29T10:00:00Z', // divisible by 400: leap
    '0000-02-29T00:00:00Z', // year 0 of the proleptic calendar is divisible by 400
    '9999-12-31T23:59:59.999999999Z',
    '2026-04-30T23:59:59+23:59',
    '2026-04-30T00:00:00-23:59',
    '2026-04-30T00:00:00-00:00', // RFC 3339's "offset unknown"
    '2026-04-30t00:00:00z', // RFC 3339 allows lower case T and Z
  ])('accepts %s', (time) => {
    expect(isRfc3339Time(time)).toBe(true);
  });

  it.each([
    ['2024-02-30T10:00:00Z', 'no 30 February'],
    ['2023-02-29T10:00:00Z', 'not a leap year'],
    ['1900-02-29T10:00:00Z', 'divisible by 100 but not 400: not leap'],
    ['2026-04-31T10:00:00Z', 'April has 30 days'],
    ['2026-00-10T10:00:00Z', 'month 0'],
    ['2026-13-10T10:00:00Z', 'month 13'],
    ['2026-01-00T10:00:00Z', 'day 0'],
    ['2024-13-45T99:99:99Z', 'everything out of range'],
    ['2026-01-01T24:00:00Z', 'hour 24'],
    ['2026-01-01T23:60:00Z', 'minute 60'],
    ['2026-12-31T23:59:60Z', 'a leap second: Go refuses it, so Alertmanager never sends one'],
    ['2026-01-01T10:00:00+99:99', 'offset out of range'],
    ['2026-01-01T10:00:00+24:00', 'offset hour 24'],
    ['2026-01-01T10:00:00+08:60', 'offset minute 60'],
    ['2026-01-01T10:00:00.1234567890Z', '10 fraction digits'],
    ['2026-01-01T10:00:00.Z', 'a dot without digits'],
    ['2026-01-01T10:00:00', 'no zone'],
    ['2026-01-01 10:00:00Z', 'a space for T'],
    ['2026-01-01T10:00:00+0800', 'offset without colon'],
    ['2026-01-01T10:00:00+08:00 ', 'trailing space'],
    ['2026-1-01T10:00:00Z', 'one-digit month'],
    ['+2026-01-01T10:00:00Z', 'signed year'],
    ['２０２６-01-01T10:00:00Z', 'non-ASCII digits'],
    ['yesterday', 'words'],
    ['', 'empty'],
  ])('refuses %s (%s)', (time) => {
    expect(isRfc3339Time(time)).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 0, 1732089600000, {}, ['2026-01-01T10:00:00Z'], new Date()]) expect(isRfc3339Time(value)).toBe(false);
  });
});
