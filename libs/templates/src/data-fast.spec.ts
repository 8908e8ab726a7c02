/**
 * The cheaper data model behind templateData against what it replaces: a KV reading the payload's
 * record when needed equals a KV copied into a Map; the regex-free RFC 3339 parse equals the
 * regular expression; slice types and derived values kept in hidden slots stay invisible and
 * survive freezing.
 */
import { GoTime, KV, templateData } from '@relay/templates';
import { hiddenSlot, T_SLICE_STRING, typedSlice, typedSliceType, typeOf } from './engine/values';

const records: Record<string, string>[] = [
  {},
  { alertname: 'A' },
  { severity: 'critical', alertname: 'HighCPU', instance: 'a:9100', job: 'node' },
  { b: '2', a: '1', 10: 'ten', 2: 'two', 'é': 'e', '\u{1F600}': 'smile', '': 'empty' },
  JSON.parse('{"__proto__": "p", "constructor": "c", "toString": "t", "alertname": "x"}'),
];

function lazyKV(rec: Record<string, string>): KV {
  // templateData builds its KVs from the payload's records
  return templateData({ receiver: 'r', status: 'firing', alerts: [{ status: 'firing', labels: rec }] } as never).Alerts[0].Labels;
}

describe('KV read from a record equals KV copied into a Map', () => {
  it.each(records.map((r) => [JSON.stringify(r), r] as const))('%s', (_n, rec) => {
    const lazy = lazyKV(rec);
    const eager = new KV(new Map(Object.entries(rec)));
    for (const k of [...Object.keys(rec), 'nope', '__proto__', 'constructor', 'hasOwnProperty', 'length', '0']) {
      expect(lazy.goField(k)).toBe(eager.goField(k));
    }
    expect(lazy.goKeys()).toEqual(eager.goKeys());
    expect(lazy.goLen()).toBe(eager.goLen());
    expect(lazy.sortedPairs()).toEqual(eager.sortedPairs());
    expect(lazy.names()).toEqual(eager.names());
    expect(lazy.values()).toEqual(eager.values());
    expect(lazy.remove(['alertname', 'b']).toObject()).toEqual(eager.remove(['alertname', 'b']).toObject());
    expect(lazy.toObject()).toEqual(eager.toObject());
    expect([...lazy.m]).toEqual([...eager.m]);
    expect(lazy.goField('nope')).toBeUndefined();
    // read often, it copies the record into a Map: the same answers before, during and after
    const fresh = lazyKV(rec);
    for (let i = 0; i < 20; i++) {
      expect(fresh.goLen()).toBe(eager.goLen());
      expect(fresh.goKeys()).toEqual(eager.goKeys());
      for (const k of [...Object.keys(rec), 'nope', 'constructor']) expect(fresh.goField(k)).toBe(eager.goField(k));
    }
    expect(fresh.sortedPairs()).toEqual(eager.sortedPairs());
  });
});

describe('RFC 3339 without the regular expression', () => {
  const reference = (s: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(s);
    return m && m[8] ? m : null;
  };
  const inputs = [
    '2026-11-20T08:00:00Z',
    '0001-01-01T00:00:00Z',
    '2026-11-20t08:01:30.5z',
    '2026-11-20T09:15:00.123456789Z',
    '2026-11-20T09:15:00.1234567890Z',
    '2026-11-20T09:15:00.Z',
    '2026-11-20T09:15:00Z ',
    ' 2026-11-20T09:15:00Z',
    '2026-11-20 09:15:00Z',
    '2026-1-20T09:15:00Z',
    '2026-11-20T09:15:0aZ',
    '2026-11-20T09:15:00+08:00',
    '2026-11-20T09:15:00.5-01:30',
    '9999-12-31T23:59:59.999999999Z',
    '2024-02-29T12:00:00.000000001Z',
    '1969-12-31T23:59:59.9Z',
    '2026-13-40T25:61:61Z',
    '２026-11-20T08:00:00Z',
  ];
  it.each(inputs)('%s', (s) => {
    const outcome = (f: () => GoTime) => {
      try {
        const t = f();
        return `${t.sec} ${t.nsec} ${t.loc.name} ${t.format('2006-01-02T15:04:05.999999999Z07:00 MST')}`;
      } catch (e) {
        return `ERR ${(e as Error).message}`;
      }
    };
    const got = outcome(() => GoTime.parseRFC3339(s));
    if (reference(s)) {
      const m = reference(s)!;
      const day = new Date(0);
      day.setUTCFullYear(+m[1], +m[2] - 1, +m[3]); // Date.UTC would take years below 100 as 19xx
      const days = day.getTime() / 86400000;
      const sec = days * 86400 + +m[4] * 3600 + +m[5] * 60 + +m[6];
      const nsec = m[7] ? parseInt(m[7].padEnd(9, '0'), 10) : 0;
      expect(got.startsWith(`${sec} ${nsec} UTC `)).toBe(true);
    } else if (/[+-]\d{2}:\d{2}$/.test(s) && /^\d{4}-/.test(s)) {
      expect(got.startsWith('ERR')).toBe(false);
    } else {
      expect(got).toBe(`ERR parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
    }
  });
});

describe('hidden slots', () => {
  it('keep slice types out of sight, through freezing and copying', () => {
    const a = typedSlice(['x', 'y'], T_SLICE_STRING);
    expect(typeOf(a)).toBe(T_SLICE_STRING);
    expect(a).toEqual(['x', 'y']);
    expect(a).toStrictEqual(['x', 'y']);
    expect(Object.getOwnPropertySymbols(a)).toEqual([]);
    expect(Object.getOwnPropertyNames(a)).toEqual(['0', '1', 'length']);
    expect(JSON.stringify(a)).toBe('["x","y"]');
    Object.freeze(a);
    expect(typedSliceType(a)).toBe(T_SLICE_STRING);
    expect(typedSliceType(a.slice())).toBeUndefined();
    const other = { name: 'other', kind: 'slice' as const };
    typedSlice(a, other); // typed again once frozen
    expect(typeOf(a)).toBe(other);
    const frozen = Object.freeze(['z']) as string[];
    typedSlice(frozen, T_SLICE_STRING); // typed only once frozen
    expect(typeOf(frozen)).toBe(T_SLICE_STRING);
  });

  it('are separate per slot', () => {
    const s1 = hiddenSlot<number>();
    const s2 = hiddenSlot<number>();
    const o = {};
    s1.set(o, 1);
    expect(s1.get(o)).toBe(1);
    expect(s2.get(o)).toBeUndefined();
    s2.set(o, 2);
    s1.set(o, 3);
    expect([s1.get(o), s2.get(o)]).toEqual([3, 2]);
    expect(o).toEqual({});
  });

  it('remember Firing and Resolved per Alerts, and notice a changed slice', () => {
    const data = templateData({
      receiver: 'r',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'A' } },
        { status: 'resolved', labels: { alertname: 'B' } },
      ],
    } as never);
    const firing = data.Alerts.filter((a) => a.Status === 'firing');
    const f1 = typeOf(data.Alerts).methods!.Firing.fn(data.Alerts) as unknown[];
    expect(f1).toEqual(firing);
    expect(typeOf(data.Alerts).methods!.Firing.fn(data.Alerts)).toBe(f1);
    data.Alerts.pop();
    data.Alerts.push(data.Alerts[0]);
    const f2 = typeOf(data.Alerts).methods!.Firing.fn(data.Alerts) as unknown[];
    expect(f2).toHaveLength(2);
    expect(typeOf(data.Alerts).methods!.Resolved.fn(data.Alerts)).toEqual([]);
  });
});
