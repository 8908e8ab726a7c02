import fc from 'fast-check';
import { KV, TemplateSet, templateData } from '@relay/templates';

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const labelMap = fc.dictionary(fc.oneof(labelName, fc.constant('alertname')), fc.string({ maxLength: 8 }), { maxKeys: 12 });

describe('KV property: SortedPairs, Names, Values and Remove agree', () => {
  it('holds for random label maps', () => {
    fc.assert(
      fc.property(labelMap, fc.array(labelName, { maxLength: 5 }), (labels, drop) => {
        const kv = new KV(labels);
        const pairs = kv.sortedPairs();
        const names = kv.names();
        const values = kv.values();
        // every label exactly once, alertname first, the rest in byte order
        expect(pairs.length).toBe(Object.keys(labels).length);
        expect(names).toEqual(pairs.map((p) => p.Name));
        expect(values).toEqual(pairs.map((p) => p.Value));
        pairs.forEach((p) => expect(labels[p.Name]).toBe(p.Value));
        const rest = 'alertname' in labels ? names.slice(1) : names;
        if ('alertname' in labels) expect(names[0]).toBe('alertname');
        expect(rest).toEqual([...rest].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))));
        // Remove drops exactly the given keys and keeps the original intact
        const removed = kv.remove(drop);
        for (const n of names) expect(removed.m.has(n)).toBe(!drop.includes(n));
        expect(removed.names()).toEqual(names.filter((n) => !drop.includes(n)));
        expect(kv.names()).toEqual(names);
      }),
      { numRuns: 300 },
    );
  });

  it('templates see the same through .SortedPairs/.Names/.Values/.Remove', () => {
    const set = TemplateSet.fromSources([], { builtins: [] });
    fc.assert(
      fc.property(labelMap, (labels) => {
        const data = templateData({
          version: '4', groupKey: 'k', truncatedAlerts: 0, status: 'firing', receiver: 'r', groupLabels: labels, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts: [],
        });
        const kv = new KV(labels);
        const joined = set.render('{{ range .GroupLabels.SortedPairs }}{{ .Name }}\x00{{ .Value }}\x01{{ end }}', data);
        expect(joined).toBe(kv.sortedPairs().map((p) => `${p.Name}\x00${p.Value}\x01`).join(''));
        expect(set.render('{{ join "\x00" .GroupLabels.Names }}', data)).toBe(kv.names().join('\x00'));
        expect(set.render('{{ join "\x00" .GroupLabels.Values }}', data)).toBe(kv.values().join('\x00'));
        expect(set.render('{{ len (.GroupLabels.Remove .GroupLabels.Names) }}', data)).toBe('0');
      }),
      { numRuns: 200 },
    );
  });
});
