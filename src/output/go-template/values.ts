// The values a template sees: JSON-shaped data plus Go's int (bigint) and float64 (GoFloat).

/** A float64 that did not come from the data (template literals, json.Number's Float64). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** A JSON number whose text a JS number cannot hold exactly (beyond 2^53, or spelled another
 *  way, e.g. 1e-05): kept as the text, as Go's json.Number keeps it. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/**
 * A runtime value: undefined is Go's "no value" (an invalid reflect.Value, e.g. a missing key),
 * null a nil interface{} (a JSON null), bigint an int, GoFloat a float64, number a JSON number,
 * arrays and plain objects JSON arrays and objects.
 */
export type Val = unknown;
export type JsonMap = Record<string, unknown>;

export const MISSING: unique symbol = Symbol('missing');
export type Final = Val | typeof MISSING;

export function isMap(v: Val): v is JsonMap {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat) && !(v instanceof JsonNumber)
  );
}
export function hasKey(m: JsonMap, key: string): boolean {
  return Object.hasOwn(m, key);
}
/** Data only holds JSON values; treat a stray undefined inside it as null. */
export function dataValue(v: unknown): Val {
  return v === undefined ? null : v;
}

/** Go orders strings by bytes; comparing code points gives the same order as UTF-8. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i))
      return (a.codePointAt(i) as number) < (b.codePointAt(i) as number) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}
export function sortedKeys(m: JsonMap): string[] {
  return Object.keys(m).sort(compareGoStrings);
}

/** The text of a JSON number, as Go's json.Number keeps it (what protojson / encoding/json wrote). */
export function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/**
 * Go's truth: false, 0, nil, and empty strings, arrays and maps are false. A json.Number is a
 * non-empty string, so it is true even when it is "0".
 */
export function isTrue(v: Val, jsonNumbers: boolean): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return jsonNumbers || v !== 0;
  if (v instanceof JsonNumber) return true;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof GoFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}
