/**
 * Alertmanager's template data model (package template: Data, Alert, Alerts, KV, Pairs, Pair)
 * with the methods templates call: .Alerts.Firing/.Resolved, KV .SortedPairs/.Names/.Values/.Remove,
 * Pairs .Names/.Values. As in Alertmanager 0.25, KV and Pairs print as Go maps and slices.
 */
import type { WebhookPayload } from '@relay/models';
import { compareStrings } from '../engine/fmt';
import { GoTime } from '../engine/gotime';
import { GoObject, GoType, T_SLICE_STRING, T_STRING, typedSlice } from '../engine/values';

export class KV implements GoObject {
  readonly m: Map<string, string>;
  constructor(entries: Record<string, string> | Map<string, string> = {}) {
    this.m = entries instanceof Map ? entries : new Map(Object.entries(entries));
  }
  get goType(): GoType {
    return T_KV;
  }
  goField(name: string): string | undefined {
    return this.m.get(name);
  }
  goKeys(): string[] {
    return [...this.m.keys()];
  }
  goLen(): number {
    return this.m.size;
  }
  // A KV never changes once built, so derived values are computed once (copies are handed out).
  private _pairs?: Pair[];
  private _removed?: { key: string; kv: KV };

  /** Pairs sorted by name, with `alertname` first. */
  sortedPairs(): Pair[] {
    if (!this._pairs) {
      const keys = [...this.m.keys()];
      const rest = keys.filter((k) => k !== 'alertname');
      // Go sorts bytewise (code point order); UTF-16 order is the same without surrogates.
      if (rest.some((k) => /[\ud800-\udfff]/.test(k))) rest.sort(compareStrings);
      else rest.sort();
      if (rest.length !== keys.length) rest.unshift('alertname');
      this._pairs = rest.map((k) => new Pair(k, this.m.get(k)!));
    }
    return typedSlice(this._pairs.slice(), T_PAIRS);
  }
  names(): string[] {
    return typedSlice(
      this.sortedPairs().map((p) => p.Name),
      T_SLICE_STRING,
    );
  }
  values(): string[] {
    return typedSlice(
      this.sortedPairs().map((p) => p.Value),
      T_SLICE_STRING,
    );
  }
  remove(keys: string[] | undefined): KV {
    const key = (keys ?? []).join('\0');
    if (this._removed?.key === key) return this._removed.kv;
    const kv = this.removeUncached(keys);
    this._removed = { key, kv };
    return kv;
  }
  private removeUncached(keys: string[] | undefined): KV {
    const drop = new Set(keys ?? []);
    const out = new Map<string, string>();
    for (const [k, v] of this.m) if (!drop.has(k)) out.set(k, v);
    return new KV(out);
  }
  toObject(): Record<string, string> {
    return Object.fromEntries(this.m);
  }
}

export class Pair implements GoObject {
  constructor(
    readonly Name: string,
    readonly Value: string,
  ) {}
  get goType(): GoType {
    return T_PAIR;
  }
  goField(name: string): unknown {
    return name === 'Name' ? this.Name : name === 'Value' ? this.Value : undefined;
  }
}

export class Alert implements GoObject {
  constructor(
    readonly Status: string,
    readonly Labels: KV,
    readonly Annotations: KV,
    readonly StartsAt: GoTime,
    readonly EndsAt: GoTime,
    readonly GeneratorURL: string,
    readonly Fingerprint: string,
  ) {}
  get goType(): GoType {
    return T_ALERT;
  }
  goField(name: string): unknown {
    return (this as any)[name];
  }
}

export class Data implements GoObject {
  constructor(
    readonly Receiver: string,
    readonly Status: string,
    readonly Alerts: Alert[],
    readonly GroupLabels: KV,
    readonly CommonLabels: KV,
    readonly CommonAnnotations: KV,
    readonly ExternalURL: string,
  ) {}
  get goType(): GoType {
    return T_DATA;
  }
  goField(name: string): unknown {
    return (this as any)[name];
  }
}

/** What templates are executed with. */
export type TemplateData = Data;

export const T_PAIR: GoType = { name: 'template.Pair', kind: 'struct', fields: ['Name', 'Value'] };
export const T_PAIRS: GoType = {
  name: 'template.Pairs',
  kind: 'slice',
  elem: T_PAIR,
  methods: {
    Names: { params: [], fn: (ps: Pair[]) => typedSlice(ps.map((p) => p.Name), T_SLICE_STRING) },
    Values: { params: [], fn: (ps: Pair[]) => typedSlice(ps.map((p) => p.Value), T_SLICE_STRING) },
  },
};
export const T_KV: GoType = {
  name: 'template.KV',
  kind: 'map',
  elem: T_STRING,
  methods: {
    SortedPairs: { params: [], fn: (kv: KV) => kv.sortedPairs() },
    Names: { params: [], fn: (kv: KV) => kv.names() },
    Values: { params: [], fn: (kv: KV) => kv.values() },
    Remove: { params: ['[]string'], fn: (kv: KV, keys: string[] | undefined) => kv.remove(keys) },
  },
};
export const T_ALERT: GoType = {
  name: 'template.Alert',
  kind: 'struct',
  fields: ['Status', 'Labels', 'Annotations', 'StartsAt', 'EndsAt', 'GeneratorURL', 'Fingerprint'],
};
export const T_ALERT_SLICE: GoType = { name: '[]template.Alert', kind: 'slice', elem: T_ALERT };
export const T_ALERTS: GoType = {
  name: 'template.Alerts',
  kind: 'slice',
  elem: T_ALERT,
  methods: {
    Firing: { params: [], fn: (as: Alert[]) => typedSlice(as.filter((a) => a.Status === 'firing'), T_ALERT_SLICE) },
    Resolved: { params: [], fn: (as: Alert[]) => typedSlice(as.filter((a) => a.Status === 'resolved'), T_ALERT_SLICE) },
  },
};
export const T_DATA: GoType = {
  name: 'template.Data',
  kind: 'struct',
  fields: ['Receiver', 'Status', 'Alerts', 'GroupLabels', 'CommonLabels', 'CommonAnnotations', 'ExternalURL'],
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const kv = (v: unknown): KV => new KV(v && typeof v === 'object' ? (v as Record<string, string>) : {});
const time = (v: unknown): GoTime => GoTime.parseRFC3339(typeof v === 'string' && v ? v : '0001-01-01T00:00:00Z');

/**
 * Alertmanager's data model for a webhook payload: what `amtool template render --template.data`
 * builds from the same JSON. Fields are taken as sent (the receiver stays QuoteMeta-escaped).
 */
export function templateData(payload: WebhookPayload): TemplateData {
  const alerts = (payload.alerts ?? []).map(
    (a) =>
      new Alert(
        str(a.status),
        kv(a.labels),
        kv(a.annotations),
        time(a.startsAt),
        time(a.endsAt),
        str(a.generatorURL),
        str(a.fingerprint),
      ),
  );
  return new Data(
    str(payload.receiver),
    str(payload.status),
    typedSlice(alerts, T_ALERTS),
    kv(payload.groupLabels),
    kv(payload.commonLabels),
    kv(payload.commonAnnotations),
    str(payload.externalURL),
  );
}
