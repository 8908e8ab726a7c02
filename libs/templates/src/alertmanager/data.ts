/**
 * Alertmanager's template data model (package template of v0.34: Data, Alert, Alerts, KV, Pairs,
 * Pair, Strings) with the methods templates call: .Alerts.Firing/.Resolved, KV
 * .SortedPairs/.Names/.Values/.Remove, Pairs .Names/.Values, Strings .Join. KV and Pairs are
 * fmt.Stringers since Alertmanager 0.26: they print as `name=value, name=value`.
 */
import type { WebhookPayload } from '@relay/models';
import { compareStrings } from '../engine/fmt';
import { GoTime } from '../engine/gotime';
import { GoObject, GoType, hiddenSlot, T_STRING, typedSlice } from '../engine/values';

/** A record a KV may read when it needs to instead of copying it (see templateData). */
class RecordEntries {
  constructor(readonly rec: Record<string, string>) {}
}

export class KV implements GoObject {
  /** Entries not copied into a Map yet: own enumerable properties, as Object.entries sees them. */
  private rec: Record<string, string> | undefined;
  private map: Map<string, string> | undefined;
  constructor(
    entries: Record<string, string> | Map<string, string> = {},
    /** A nil map (a field absent from the JSON): prints like an empty one, but toJson gives null. */
    readonly isNil = false,
  ) {
    if (entries instanceof Map) this.map = entries;
    else if (entries instanceof RecordEntries) this.rec = entries.rec;
    else this.map = new Map(Object.entries(entries));
  }
  /** The entries. */
  get m(): Map<string, string> {
    return (this.map ??= new Map(Object.entries(this.rec!)));
  }
  declare readonly goType: GoType; // T_KV, on the prototype
  /** Reads left before a record is copied into a Map (quicker to read than records of many shapes). */
  private reads = 8;
  /** The record while it is still read directly; afterwards undefined (and the Map is there). */
  private record(): Record<string, string> | undefined {
    const rec = this.rec;
    if (rec === undefined || --this.reads >= 0) return rec;
    this.map ??= new Map(Object.entries(rec));
    this.rec = undefined;
    return undefined;
  }
  goField(name: string): string | undefined {
    const rec = this.record();
    if (rec !== undefined) return Object.prototype.propertyIsEnumerable.call(rec, name) ? rec[name] : undefined;
    return this.map!.get(name);
  }
  goKeys(): string[] {
    const rec = this.record();
    return rec !== undefined ? Object.keys(rec) : [...this.map!.keys()];
  }
  goLen(): number {
    const rec = this.record();
    return rec !== undefined ? Object.keys(rec).length : this.map!.size;
  }
  /** Keys and their values, for building derived values (these reads do not count). */
  private keyList(): string[] {
    return this.rec !== undefined ? Object.keys(this.rec) : [...this.map!.keys()];
  }
  private entry(key: string): string {
    return this.rec !== undefined ? this.rec[key] : this.map!.get(key)!;
  }
  // A KV never changes once built, so derived values are computed once. Templates get the cached
  // arrays themselves (frozen); the public methods hand out copies.
  private _pairs?: readonly Pair[];
  private _names?: readonly string[];
  private _values?: readonly string[];
  private _removed?: { key: string | undefined; keys: readonly string[] | undefined; kv: KV };

  /** Pairs sorted by name, with `alertname` first. */
  sortedPairs(): Pair[] {
    return typedSlice(this.sharedPairs().slice(), T_PAIRS);
  }
  names(): string[] {
    return typedSlice(this.sharedNames().slice(), T_STRINGS);
  }
  values(): string[] {
    return typedSlice(this.sharedValues().slice(), T_STRINGS);
  }
  /** sortedPairs(), computed once: frozen and shared (for templates, which never modify values). */
  sharedPairs(): readonly Pair[] {
    if (!this._pairs) {
      const keys = this.keyList();
      const rest = keys.filter((k) => k !== 'alertname');
      // Go sorts bytewise (code point order); UTF-16 order is the same without surrogates.
      if (rest.some((k) => /[\ud800-\udfff]/.test(k))) rest.sort(compareStrings);
      else rest.sort();
      if (rest.length !== keys.length) rest.unshift('alertname');
      this._pairs = Object.freeze(typedSlice(rest.map((k) => new Pair(k, this.entry(k))), T_PAIRS));
    }
    return this._pairs;
  }
  /** names(), computed once: frozen and shared. */
  sharedNames(): readonly string[] {
    return (this._names ??= Object.freeze(typedSlice(this.sharedPairs().map((p) => p.Name), T_STRINGS)));
  }
  /** values(), computed once: frozen and shared. */
  sharedValues(): readonly string[] {
    return (this._values ??= Object.freeze(typedSlice(this.sharedPairs().map((p) => p.Value), T_STRINGS)));
  }
  remove(keys: readonly string[] | undefined): KV {
    const last = this._removed;
    if (last !== undefined) {
      // a frozen list of keys (a constant in a template, or names of a KV) is the same list when it is the same array
      if (keys !== undefined && last.keys === keys) return last.kv;
      if ((last.key ??= last.keys!.join('\0')) === (keys ?? []).join('\0')) return last.kv;
    }
    const kv = this.removeUncached(keys);
    // a frozen list cannot change: its key is only computed if a different list is compared with it
    const frozen = keys !== undefined && Object.isFrozen(keys);
    this._removed = { key: frozen ? undefined : (keys ?? []).join('\0'), keys: frozen ? keys : undefined, kv };
    return kv;
  }
  private removeUncached(keys: readonly string[] | undefined): KV {
    const list = keys ?? [];
    const drop = list.length > 8 ? new Set(list) : null;
    const out = new Map<string, string>();
    for (const k of this.keyList()) if (!(drop !== null ? drop.has(k) : list.includes(k))) out.set(k, this.entry(k));
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
  declare readonly goType: GoType; // T_PAIR, on the prototype
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
  declare readonly goType: GoType; // T_ALERT, on the prototype
  goField(name: string): unknown {
    switch (name) {
      case 'Status':
        return this.Status;
      case 'Labels':
        return this.Labels;
      case 'Annotations':
        return this.Annotations;
      case 'StartsAt':
        return this.StartsAt;
      case 'EndsAt':
        return this.EndsAt;
      case 'GeneratorURL':
        return this.GeneratorURL;
      case 'Fingerprint':
        return this.Fingerprint;
    }
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
    readonly NotificationReason = '',
    readonly RouteLabels: KV = new KV({}, true),
  ) {}
  /**
   * Alertmanager's unexported routeLabelsRendered: route labels in a notification were rendered
   * at dispatch, so `routeLabels` returns them as they are. Templates cannot read it; %v prints it.
   */
  readonly routeLabelsRendered = true;
  declare readonly goType: GoType; // T_DATA, on the prototype
  goField(name: string): unknown {
    switch (name) {
      case 'Receiver':
        return this.Receiver;
      case 'Status':
        return this.Status;
      case 'Alerts':
        return this.Alerts;
      case 'GroupLabels':
        return this.GroupLabels;
      case 'CommonLabels':
        return this.CommonLabels;
      case 'CommonAnnotations':
        return this.CommonAnnotations;
      case 'ExternalURL':
        return this.ExternalURL;
      case 'NotificationReason':
        return this.NotificationReason;
      case 'RouteLabels':
        return this.RouteLabels;
      case 'routeLabelsRendered':
        return this.routeLabelsRendered;
    }
    return (this as any)[name];
  }
}

/** What templates are executed with. */
export type TemplateData = Data;

/** Pairs.String and KV.String: `name=value, name=value`. */
const pairsString = (ps: readonly Pair[]): string => ps.map((p) => `${p.Name}=${p.Value}`).join(', ');

export const T_STRINGS: GoType = {
  name: 'template.Strings',
  kind: 'slice',
  elem: T_STRING,
  underlying: '[]string',
  methods: { Join: { params: ['string'], fn: (s: readonly string[], sep: string) => s.join(sep) } },
};
export const T_PAIR: GoType = { name: 'template.Pair', kind: 'struct', fields: ['Name', 'Value'], json: ['Name', 'Value'] };
export const T_PAIRS: GoType = {
  name: 'template.Pairs',
  kind: 'slice',
  elem: T_PAIR,
  stringer: pairsString,
  methods: {
    String: { params: [], fn: pairsString },
    Names: { params: [], fn: (ps: readonly Pair[]) => pairsDerived(ps).names },
    Values: { params: [], fn: (ps: readonly Pair[]) => pairsDerived(ps).values },
  },
};
export const T_KV: GoType = {
  name: 'template.KV',
  kind: 'map',
  elem: T_STRING,
  stringer: (kv: KV) => pairsString(kv.sharedPairs()),
  json: (kv: KV) => (kv.isNil ? undefined : kv),
  methods: {
    String: { params: [], fn: (kv: KV) => pairsString(kv.sharedPairs()) },
    SortedPairs: { params: [], fn: (kv: KV) => kv.sharedPairs() },
    Names: { params: [], fn: (kv: KV) => kv.sharedNames() },
    Values: { params: [], fn: (kv: KV) => kv.sharedValues() },
    Remove: { params: ['[]string'], fn: (kv: KV, keys: readonly string[] | undefined) => kv.remove(keys) },
  },
};
export const T_ALERT: GoType = {
  name: 'template.Alert',
  kind: 'struct',
  fields: ['Status', 'Labels', 'Annotations', 'StartsAt', 'EndsAt', 'GeneratorURL', 'Fingerprint'],
  json: ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'],
};
export const T_ALERT_SLICE: GoType = { name: '[]template.Alert', kind: 'slice', elem: T_ALERT };
/** The alerts of a notification as Go's typed `[]Alert` (what `.Alerts`, `.Firing`, `len` and `range` expect). */
export function alertList(alerts: Alert[]): Alert[] {
  return typedSlice(alerts, T_ALERTS);
}

export const T_ALERTS: GoType = {
  name: 'template.Alerts',
  kind: 'slice',
  elem: T_ALERT,
  methods: {
    Firing: { params: [], fn: (as: Alert[]) => byStatus(as, 'firing') },
    Resolved: { params: [], fn: (as: Alert[]) => byStatus(as, 'resolved') },
  },
};
export const T_DATA: GoType = {
  name: 'template.Data',
  kind: 'struct',
  fields: ['Receiver', 'Status', 'Alerts', 'NotificationReason', 'GroupLabels', 'CommonLabels', 'CommonAnnotations', 'RouteLabels', 'ExternalURL', 'routeLabelsRendered'],
  json: ['receiver', 'status', 'alerts', 'notification_reason', 'groupLabels', 'commonLabels', 'commonAnnotations', 'routeLabels', 'externalURL'],
};

// Go types live on the prototypes as plain values (cheaper to read than getters).
for (const [cls, t] of [
  [KV, T_KV],
  [Pair, T_PAIR],
  [Alert, T_ALERT],
  [Data, T_DATA],
] as const) {
  Object.defineProperty(cls.prototype, 'goType', { value: t });
}

/** Derived values, remembered on the arrays they derive from. */
const pairsDerivedSlot = hiddenSlot<PairsDerived>();
const byStatusSlot = hiddenSlot<{ firing: Alert[]; resolved: Alert[] }>();

interface PairsDerived {
  names: string[];
  values: string[];
}


/** Names and Values of a frozen (shared) Pairs, computed once; of other Pairs, each time. */
function pairsDerived(ps: readonly Pair[]): { names: string[]; values: string[] } {
  const frozen = Object.isFrozen(ps);
  const d = frozen ? pairsDerivedSlot.get(ps) : undefined;
  if (d !== undefined) return d;
  const fresh = {
    names: typedSlice(ps.map((p) => p.Name), T_STRINGS),
    values: typedSlice(ps.map((p) => p.Value), T_STRINGS),
  };
  if (frozen) {
    Object.freeze(fresh.names);
    Object.freeze(fresh.values);
    pairsDerivedSlot.set(ps, fresh);
  }
  return fresh;
}

/**
 * Alerts.Firing / Alerts.Resolved, remembered per Alerts slice (frozen, shared). The slice itself
 * could be changed by its owner between renders, so a remembered result is checked against it.
 */
function byStatus(as: Alert[], status: 'firing' | 'resolved'): Alert[] {
  const hit = byStatusSlot.get(as);
  if (hit) {
    const list = status === 'firing' ? hit.firing : hit.resolved;
    let j = 0;
    let same = true;
    for (let i = 0; i < as.length; i++) {
      const a = as[i];
      if (a === undefined || (a.Status === status && list[j++] !== a)) {
        same = false;
        break;
      }
    }
    if (same && j === list.length) return list;
  }
  const firing = Object.freeze(typedSlice(as.filter((a) => a.Status === 'firing'), T_ALERT_SLICE)) as Alert[];
  const resolved = Object.freeze(typedSlice(as.filter((a) => a.Status === 'resolved'), T_ALERT_SLICE)) as Alert[];
  byStatusSlot.set(as, { firing, resolved });
  return status === 'firing' ? firing : resolved;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
// The payload's label and annotation objects are read as needed, not copied: the payload does not change once received.
const kv = (v: unknown): KV =>
  new KV(new RecordEntries(v && typeof v === 'object' ? (v as Record<string, string>) : {}) as unknown as Record<string, string>, v === undefined || v === null);
const time = (v: unknown): GoTime => GoTime.parseRFC3339(typeof v === 'string' && v ? v : '0001-01-01T00:00:00Z');

/**
 * Alertmanager's data model for a webhook payload: what `amtool template render --template.data`
 * builds from the same JSON. Fields are taken as sent (the receiver stays QuoteMeta-escaped);
 * fields absent from it are nil maps, as json.Unmarshal leaves them. Route labels count as
 * rendered, as in the notification the payload came from (amtool would execute them again).
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
    alertList(alerts),
    kv(payload.groupLabels),
    kv(payload.commonLabels),
    kv(payload.commonAnnotations),
    str(payload.externalURL),
    str(payload.notification_reason),
    kv(payload.routeLabels),
  );
}
