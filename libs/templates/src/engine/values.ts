/**
 * How Go values are represented in JavaScript for the template engine.
 *
 *   Go                     JavaScript
 *   string                 string (UTF-16 in memory; lengths and indexes are converted to UTF-8 bytes where Go sees bytes)
 *   int, int64             number (an integer)
 *   float64                GoFloat (so that `1` and `1.0` stay different kinds, as Go's comparisons require)
 *   bool                   boolean
 *   nil / no value         undefined (null is accepted as well)
 *   slices                 arrays; a typed slice's Go type is recorded by typedSlice()
 *   maps, structs, others  objects implementing GoObject (their Go type, fields and methods)
 */

export const GO_TYPE: unique symbol = Symbol.for('alert-relay.goType');

export type Kind =
  | 'invalid'
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'slice'
  | 'map'
  | 'struct'
  | 'func'
  | 'pointer';

/** A parameter or result type, as far as the engine needs to check and convert arguments. */
export type ParamType = 'string' | 'int' | 'float64' | 'bool' | 'any' | 'time.Time' | '[]string' | '[]interface {}' | 'time.Duration';

export interface GoMethod {
  params: ParamType[];
  /** Element type of a trailing variadic parameter. */
  variadic?: ParamType;
  /** Returns a value; throws GoCallError for a Go error result. */
  fn: (recv: any, ...args: any[]) => unknown;
}

export interface GoType {
  name: string;
  kind: Kind;
  /** Struct field names in declaration order (used by %v). */
  fields?: readonly string[];
  methods?: Record<string, GoMethod>;
  /** Element type for slices and maps (for the zero value of a missing key). */
  elem?: GoType;
  /** fmt.Stringer / error: how fmt prints the value. */
  stringer?: (v: any) => string;
  /** A named type's underlying unnamed type (template.Strings: '[]string'), which values of it may be passed as. */
  underlying?: ParamType;
  /** encoding/json: the struct's field names in `fields` order (json tags), or how the value encodes. */
  json?: readonly string[] | ((v: any) => unknown);
}

/** A Go value that is not a basic type: a map, a struct, a time. */
export interface GoObject {
  readonly goType: GoType;
  /** Struct field or map key lookup; `undefined` when absent. */
  goField?(name: string): unknown;
  /** For maps: the keys (any order) and values. */
  goKeys?(): string[];
  goLen?(): number;
}

export class GoFloat {
  constructor(readonly v: number) {}
}

/** Thrown by a function or method to stand for its Go `error` result. */
export class GoCallError extends Error {}

export const T_STRING: GoType = { name: 'string', kind: 'string' };
export const T_INT: GoType = { name: 'int', kind: 'int' };
export const T_FLOAT: GoType = { name: 'float64', kind: 'float' };
export const T_BOOL: GoType = { name: 'bool', kind: 'bool' };
export const T_INVALID: GoType = { name: 'invalid', kind: 'invalid' };
export const T_SLICE_ANY: GoType = { name: '[]interface {}', kind: 'slice' };
export const T_SLICE_STRING: GoType = { name: '[]string', kind: 'slice', elem: T_STRING };
export const T_MAP_ANY: GoType = { name: 'map[string]interface {}', kind: 'map' };

/** Go reflect's IsExported: struct fields starting lower-case are not reachable from templates. */
export function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}

/** A map[string]interface{} (what `dict` builds). */
export class GoMap implements GoObject {
  constructor(readonly m: Map<string, unknown>) {}
  declare readonly goType: GoType; // T_MAP_ANY, on the prototype
  goField(name: string): unknown {
    return this.m.get(name);
  }
  goKeys(): string[] {
    return [...this.m.keys()];
  }
  goLen(): number {
    return this.m.size;
  }
}
Object.defineProperty(GoMap.prototype, 'goType', { value: T_MAP_ANY });
export const T_UINT8: GoType = { name: 'uint8', kind: 'int' };

export function typeOf(v: unknown): GoType {
  switch (typeof v) {
    case 'string':
      return T_STRING;
    case 'number':
      return T_INT;
    case 'boolean':
      return T_BOOL;
    case 'undefined':
      return T_INVALID;
    case 'function':
      return { name: 'func', kind: 'func' };
    case 'object': {
      if (v === null) return T_INVALID;
      const t = (v as GoObject).goType;
      if (t && !Array.isArray(v)) return t;
      if (v instanceof GoFloat) return T_FLOAT;
      if (Array.isArray(v)) return typedSliceType(v) ?? T_SLICE_ANY;
      if ((v as GoObject).goType) return (v as GoObject).goType;
      return T_INVALID;
    }
    default:
      return T_INVALID;
  }
}

export function isNil(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

/** A value attached to objects (arrays, mostly) that nothing else can see. */
export interface HiddenSlot<T> {
  get(o: object): T | undefined;
  set(o: object, value: T): void;
}

/** Its constructor returns the object it is given, so a subclass's private field lands on that object. */
class Stamp {
  constructor(o: object) {
    return o as Stamp;
  }
}

/**
 * A new hidden slot: a private class field added to the object itself (invisible to iteration,
 * JSON, Object.keys, symbols, util.inspect and deep equality; a copy does not inherit it). It
 * costs about as much as a property store, unlike a WeakMap entry per object, which costs far
 * more in the garbage collector. Should an engine refuse a field (on a frozen object), a WeakMap
 * keeps the value instead.
 */
export function hiddenSlot<T>(): HiddenSlot<T> {
  const weak = new WeakMap<object, T>();
  class Slot extends Stamp {
    #value: T;
    constructor(o: object, value: T) {
      super(o);
      this.#value = value;
    }
    static get(o: object): T | undefined {
      return #value in o ? (o as Slot).#value : weak.get(o);
    }
    static set(o: object, value: T): void {
      if (#value in o) (o as Slot).#value = value;
      else {
        try {
          new Slot(o, value); // V8 adds private fields to frozen objects too
        } catch {
          weak.set(o, value); // an engine that does not
        }
      }
    }
  }
  return Slot;
}

/** Go slice types of arrays. */
const sliceTypes = hiddenSlot<GoType>();

/** The Go slice type recorded for an array, if any. */
export function typedSliceType(arr: unknown[]): GoType | undefined {
  return sliceTypes.get(arr);
}

/** Records an array's Go slice type (where no one else sees it, so arrays stay plain). */
export function typedSlice<T>(arr: T[], type: GoType): T[] {
  sliceTypes.set(arr, type);
  return arr;
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false; structs are always true. */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    case 'undefined':
      return false;
    case 'function':
      return true;
    default:
      if (v === null) return false;
      if (v instanceof GoFloat) return v.v !== 0;
      if (Array.isArray(v)) return v.length > 0;
      {
        const o = v as GoObject;
        if (o.goType.kind === 'map') return (o.goLen?.() ?? 0) > 0;
        if (o.goType.kind === 'string') return String(o).length > 0;
        if (o.goType.kind === 'int') return (o as any).valueOf() !== 0;
        return true;
      }
  }
}

// ---- UTF-8 helpers (Go strings are bytes) ----

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function utf8Len(s: string): number {
  return isAscii(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** A named string type (html/template.HTML, template.URL …): prints and compares as a string. */
export class NamedString implements GoObject {
  constructor(
    readonly goType: GoType,
    readonly s: string,
  ) {}
  toString() {
    return this.s;
  }
  goLen() {
    return utf8Len(this.s);
  }
}
