/** Corners of the v0.34 functions that the golden cases do not reach. */
import { GoTime, UTC, ZERO_UNIX, parseTime } from '../engine/gotime';
import { marshalJSON } from '../engine/json';
import { GoFloat } from '../engine/values';
import { base64UrlDecode, parseFloat64 } from './funcs';

describe('strconv.ParseFloat', () => {
  it.each([
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['-1e3', -1000],
    ['0x1p-2', 0.25],
    ['-Infinity', -Infinity],
  ])('%s', (s, v) => expect(parseFloat64(s)).toBe(v));
  it.each(['1_000', '0x10', '0b1', ' 1', '+nan', ''])('%s is invalid syntax', (s) => expect(() => parseFloat64(s)).toThrow('invalid syntax'));
});

describe('base64.URLEncoding.DecodeString', () => {
  it('skips line breaks', () => expect(base64UrlDecode('dGVz\r\ndA==\n')).toBe('test'));
  it('reports the first bad byte', () => {
    expect(() => base64UrlDecode('dGVzdA=')).toThrow('illegal base64 data at input byte 7');
    expect(() => base64UrlDecode('dGVzdA==x')).toThrow('illegal base64 data at input byte 8');
    expect(() => base64UrlDecode('dGVz+A==')).toThrow('illegal base64 data at input byte 4');
  });
});

describe('json.Marshal', () => {
  it('prints floats as Go does', () => {
    expect(marshalJSON([new GoFloat(-0), new GoFloat(1e-7), new GoFloat(123456789), new GoFloat(1e21)])).toBe('[-0,1e-7,123456789,1e+21]');
    expect(() => marshalJSON(new GoFloat(NaN))).toThrow('json: unsupported value: NaN');
  });
  it('escapes control characters', () => expect(marshalJSON('\u0001\b\f\u2029')).toBe('"\\u0001\\b\\f\\u2029"'));
  it('refuses years Time.MarshalJSON cannot write', () => {
    const yearMinusOne = new GoTime(ZERO_UNIX - 367 * 86400, 0, UTC);
    expect(() => marshalJSON(yearMinusOne)).toThrow('year outside of range [0,9999]');
  });
});

describe('time.Parse', () => {
  it.each([
    ['Mon Jan _2 15:04:05 2006', 'Fri Mar 15 10:11:12 2024', '2024-03-15 10:11:12 +0000 UTC'],
    ['2006-01-02 15:04:05.999', '2024-03-15 10:11:12.25', '2024-03-15 10:11:12.25 +0000 UTC'],
    ['2006-01-02 15:04:05', '2024-03-15 10:11:12.125', '2024-03-15 10:11:12.125 +0000 UTC'],
    ['02 Jan 06 15:04 -0700', '15 Mar 24 10:11 -0130', '2024-03-15 10:11:00 -0130 -0130'],
  ])('%s', (layout, value, printed) => expect(parseTime(layout, value, UTC).toString()).toBe(printed));
  it.each([
    ['2006-01-02', '2024-3-15', 'parsing time "2024-3-15" as "2006-01-02": cannot parse "3-15" as "01"'],
    ['15:04', '25:00', 'parsing time "25:00": hour out of range'],
    ['2006-002', '2023-366', 'parsing time "2023-366": day-of-year out of range'],
    ['Jan 2', 'Foo 2', 'parsing time "Foo 2" as "Jan 2": cannot parse "Foo 2" as "Jan"'],
  ])('%s %s', (layout, value, message) => expect(() => parseTime(layout, value, UTC)).toThrow(message));
});
