import { GoTime, TemplateSet, templateData } from '@relay/templates';
import { humanizeDuration, goTitle, queryUnescape } from './alertmanager/funcs';
import { GoDuration } from './engine/gotime';
import { GoFloat } from './engine/values';

const payload = {
  version: '4',
  groupKey: 'k',
  truncatedAlerts: 0,
  status: 'firing' as const,
  receiver: 'ops',
  groupLabels: { alertname: 'A' },
  commonLabels: { alertname: 'A' },
  commonAnnotations: {},
  externalURL: 'http://am',
  alerts: [
    { status: 'firing' as const, labels: { alertname: 'A', b: '2', a: '1' }, annotations: {}, startsAt: '2026-11-20T08:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f' },
  ],
};
const now = new Date('2026-11-20T09:30:05Z');
const set = TemplateSet.fromSources([], { builtins: [], now: () => now });
const data = templateData(payload);
const r = (text: string) => set.render(text, data);

describe('Alertmanager functions', () => {
  it.each([
    ['{{ toUpper "abc ß" }}', 'ABC ß'],
    ['{{ toLower "ÀBC" }}', 'àbc'],
    ['{{ title "hello wORLD foo_bar x-y 1st" }}', 'Hello World Foo_bar X-Y 1St'],
    ['{{ trimSpace "  a b \\n\\t" }}', 'a b'],
    ['{{ join "," (stringSlice "a" "b") }}', 'a,b'],
    ['{{ match "^a.c$" "abc" }} {{ match "(?i)ABC" "xabcx" }}', 'true true'],
    ['{{ reReplaceAll "(a)(b)?" "[$1$2${1}x$1x]" "ab a" }}', '[abax] [aax]'],
    ['{{ reReplaceAll "(?P<k>\\\\w+)=(\\\\w+)" "${k}:$2" "x=1 y=2" }}', 'x:1 y:2'],
    ['{{ safeHtml "<b>" }} {{ safeUrl "http://x?a=1&b" }}', '<b> http://x?a=1&b'],
    ['{{ urlUnescape "a%20b+c%E4%B8%AD" }}', 'a b c中'],
    ['{{ stringSlice }}|{{ stringSlice "x" "y" }}', '[]|[x y]'],
    ['{{ range .Alerts }}{{ date "2006-01-02 15:04 MST" .StartsAt }}{{ end }}', '2026-11-20 08:00 UTC'],
    ['{{ range .Alerts }}{{ (tz "Asia/Shanghai" .StartsAt).Format "15:04 MST -07:00" }}{{ end }}', '16:00 CST +08:00'],
    ['{{ range .Alerts }}{{ .StartsAt | tz "America/New_York" }}{{ end }}', '2026-11-20 03:00:00 -0500 EST'],
    ['{{ range .Alerts }}{{ since .StartsAt }} {{ since .StartsAt | humanizeDuration }}{{ end }}', '1h30m5s 1h 30m 5s'],
    ['{{ humanizeDuration 0 }} {{ humanizeDuration 0.25 }} {{ humanizeDuration 59.5 }} {{ humanizeDuration 90061 }} {{ humanizeDuration "3600" }}', '0s 250ms 59.5s 1d 1h 1m 1s 1h 0m 0s'],
    ['{{ relayTimezone }}', 'UTC'],
  ])('%s', (text, expected) => expect(r(text)).toBe(expected));

  it('relayTimezone is the set\'s timezone', () => {
    const s = TemplateSet.fromSources([], { timezone: 'Asia/Tokyo', builtins: [] });
    expect(s.render('{{ relayTimezone }} {{ range .Alerts }}{{ (.StartsAt | tz relayTimezone).Format "15:04 MST" }}{{ end }}', data)).toBe('Asia/Tokyo 17:00 JST');
  });

  it('error paths read like Go', () => {
    expect(() => r('{{ tz "Nowhere/City" (index .Alerts 0).StartsAt }}')).toThrow('error calling tz: unknown time zone Nowhere/City');
    expect(() => r('{{ urlUnescape "%zz" }}')).toThrow('error calling urlUnescape: invalid URL escape "%zz"');
    expect(() => r('{{ humanizeDuration "abc" }}')).toThrow('error calling humanizeDuration: strconv.ParseFloat: parsing "abc": invalid syntax');
    expect(() => r('{{ humanizeDuration .Alerts }}')).toThrow("can't convert template.Alerts to float");
    expect(() => r('{{ match "(" "x" }}')).toThrow('error calling match: error parsing regexp: missing closing ): `(`');
    expect(() => r('{{ date "x" 1 }}')).toThrow("can't handle 1 for arg of type time.Time");
    expect(() => r('{{ join "," .Alerts }}')).toThrow('wrong type for value; expected []string; got template.Alerts');
    expect(() => r('{{ since }}')).toThrow('wrong number of args for since: want 1 got 0');
  });

  it('humanizeDuration matches Prometheus', () => {
    expect(humanizeDuration(new GoFloat(0.0005))).toBe('500us');
    expect(humanizeDuration(-65)).toBe('-1m 5s');
    expect(humanizeDuration(new GoDuration(1.5e9))).toBe('1.5s');
    expect(humanizeDuration(new GoFloat(Infinity))).toBe('+Inf');
  });

  it('title, queryUnescape helpers', () => {
    expect(goTitle("o'neil a.b a,b")).toBe("O'neil A.b A,B");
    expect(queryUnescape('%E4%B8%AD')).toBe('中');
  });
});

describe('Go time', () => {
  it('prints the zero time and layouts as Go does', () => {
    const z = GoTime.parseRFC3339('0001-01-01T00:00:00Z');
    expect(z.toString()).toBe('0001-01-01 00:00:00 +0000 UTC');
    const t = GoTime.parseRFC3339('2026-03-01T14:05:09.120Z');
    expect(t.format('Mon Jan _2 3:04:05.000 PM 2006 MST Z07:00 .999 002')).toBe('Sun Mar  1 2:05:09.120 PM 2026 UTC Z .12 060');
    expect(t.format('January Monday 06 1 2 15 4 5 pm -0700 -07')).toBe('March Sunday 26 3 1 14 5 9 pm +0000 +00');
  });
  it('Duration.String', () => {
    expect(new GoDuration(0).toString()).toBe('0s');
    expect(new GoDuration(1500).toString()).toBe('1.5µs');
    expect(new GoDuration(2.5e6).toString()).toBe('2.5ms');
    expect(new GoDuration(3723.5e9).toString()).toBe('1h2m3.5s');
    expect(new GoDuration(-60e9).toString()).toBe('-1m0s');
  });
});
