import { DingtalkToolData, TemplateSet, templateData } from '@relay/templates';

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
  alerts: [{ status: 'firing' as const, labels: { alertname: 'A' }, annotations: {}, startsAt: '2026-11-20T08:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f' }],
};
const data = templateData(payload);

describe('template dialects', () => {
  const tz = process.env.TZ;
  beforeAll(() => (process.env.TZ = 'Asia/Tokyo'));
  afterAll(() => (tz === undefined ? delete process.env.TZ : (process.env.TZ = tz)));

  const set = TemplateSet.fromSources([{ name: 'user.tmpl', text: '{{ define "__subject" }}mine{{ end }}' }], { builtins: [] });
  const tool = set.dialect('prometheus-webhook-dingtalk');

  it.each([
    ['{{ title "hELLO wORLD" }}', 'Hello World', 'HELLO WORLD'],
    ['{{ range .Alerts }}{{ date "15:04 MST" .StartsAt }}{{ end }}', '08:00 UTC', '17:00 JST'],
    ['{{ (toDate "2006-01-02 15:04" "2026-01-02 03:04").Format "15:04 MST" }}', '03:04 UTC', '03:04 JST'],
  ])('%s: Alertmanager\'s meaning by default, sprig\'s in the tool\'s dialect', (text, alertmanager, sprig) => {
    expect(set.render(text, data)).toBe(alertmanager);
    expect(tool.render(text, data)).toBe(sprig);
  });

  it.each([
    ['{{ join "," (list "a" 1) }}', /wrong type for value; expected \[\]string/, 'a,1'],
    ['{{ dict "a" 1 2 | toJson }}', /dict requires an even number of arguments/, '{"2":"","a":1}'],
  ])('%s: refused by Alertmanager\'s, accepted by sprig\'s', (text, refusal, sprig) => {
    expect(() => set.render(text, data)).toThrow(refusal);
    expect(tool.render(text, data)).toBe(sprig);
  });

  it("gives every set sprig's other names, which Alertmanager does not define", () => {
    expect(set.render('{{ "a_b" | markdown }} {{ "x" | upper }} {{ .CommonLabels.nope | default "none" }}', data)).toBe('a\\_b X none');
  });

  it("finds the tool's built-in templates in its dialect only, behind the set's own", () => {
    expect(tool.render('{{ template "__alertmanagerURL" . }}', data)).toBe('http://am/#/alerts?receiver=ops');
    expect(tool.render('{{ template "__subject" . }}', data)).toBe('mine');
    expect(() => set.render('{{ template "__alertmanagerURL" . }}', data)).toThrow(/template "__alertmanagerURL" not defined/);
  });

  it('gives templates .AtMobiles only in the data the tool built', () => {
    const text = '{{ range .AtMobiles }}@{{ . }} {{ end }}';
    expect(tool.render(text, new DingtalkToolData(data, ['13800000000', '13900000000']))).toBe('@13800000000 @13900000000 ');
    expect(() => tool.render(text, data)).toThrow(/can't evaluate field AtMobiles/);
  });
});
