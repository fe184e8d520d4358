// JSON exactly as crictl master prints a CRI message: Go's protojson with EmitDefaultValues and
// a two-space indent (crictl 1.26 used jsonpb, which differs where noted). lowerCamelCase names
// in declaration order, every scalar, list and map present (int64 as quoted decimals, enums by
// name, unknown ones as numbers, bytes as base64), map keys sorted; unset messages are left out
// (jsonpb: null), empty lists, maps and messages print as [] and {} (jsonpb: across two lines),
// strings escape only quote, backslash, control characters and DEL (jsonpb also escaped <, >, &,
// U+2028 and U+2029). protojson may add a second space after a colon in some builds (its
// deliberate instability); crictl-ts always writes one.
import { NOT_FAST, SHAPERS } from '../cri/generated/shape.js';
import { messageType, type protobuf } from '../cri/schema.js';
import { SHORT_ESCAPES } from './go-json.js';

const QUOTED_LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** A JSON string literal as protojson writes it: \b \f \n \r \t short, other control
 *  characters and DEL as \u00XX, everything else as it is. */
export function protoJsonString(s: string): string {
  return `"${s.replace(/["\\\u0000-\u001f\u007f]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Formats a plain message object of `typeName` (e.g. `runtime.v1.ListContainersResponse`). */
export function messageToJson(typeName: string, value: unknown): string {
  const type = messageType(typeName);
  return viaStringify(typeName, type, value) ?? piecewiseJson(type, value);
}

/** The same text built piece by piece: the reference the fast path is tested against. */
export function piecewiseJson(type: protobuf.Type, value: unknown): string {
  const out: string[] = [];
  writeMessage(out, type, value as Record<string, unknown> | null, '');
  return out.join('');
}

// The fast path: the message rebuilt as plain objects in protojson's shape (fields in
// declaration order, defaults filled in, unset messages left out, map keys sorted), printed by
// V8's native JSON.stringify, which already spells everything as protojson does but DEL. Inputs
// it cannot print like Go take the piecewise writer below (several times slower at scale).

function viaStringify(typeName: string, type: protobuf.Type, value: unknown): string | undefined {
  // Messages a response can carry have a shaper generated from the schema (src/cri/generated/
  // shape.ts): the rebuild below unrolled, several times faster over long lists.
  const generated = SHAPERS[typeName];
  let shaped: unknown;
  try {
    shaped =
      generated && value != null ? generated(value) : shapeMessage(type, value as Record<string, unknown> | null);
  } catch (err) {
    if (err === NOT_FAST) return undefined;
    throw err;
  }
  const text = JSON.stringify(shaped, null, 2);
  // protojson escapes DEL, which is not JSON syntax, so it can only stand inside strings.
  return text.includes('\u007f') ? text.replaceAll('\u007f', '\\u007f') : text;
}

/** A canonical array index ("0", "17"): JS objects list such keys first, in numeric order. */
const INDEX_KEY = /^(0|[1-9]\d{0,9})$/;

function shapeMessage(
  type: protobuf.Type,
  obj: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (obj == null) return null;
  const shaped: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = obj[field.name];
    if (value == null && (field.partOf || isSingleMessage(field))) continue;
    if (field.map) {
      const map: Record<string, unknown> = {};
      const keys = Object.keys((value ?? {}) as object).sort();
      for (const k of keys) {
        // Objects list index-like keys first, and "__proto__" would set the prototype.
        if (k === '__proto__' || (INDEX_KEY.test(k) && Number(k) < 4294967295)) throw NOT_FAST;
        map[k] = shapeSingle(field, (value as Record<string, unknown>)[k]);
      }
      shaped[field.name] = map;
    } else if (field.repeated) {
      shaped[field.name] = ((value ?? []) as unknown[]).map((v) => shapeSingle(field, v));
    } else {
      shaped[field.name] = shapeSingle(field, value);
    }
  }
  return shaped;
}

/** A singular message field: protojson leaves it out when unset (jsonpb wrote null). */
function isSingleMessage(field: protobuf.Field): boolean {
  const resolved = field.resolvedType;
  return !field.map && !field.repeated && resolved !== null && 'fieldsArray' in resolved;
}

function shapeSingle(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) {
    // A null inside a list or map has no protojson spelling: the piecewise writer decides.
    if (value == null) throw NOT_FAST;
    return shapeMessage(resolved as protobuf.Type, value as Record<string, unknown>);
  }
  const scalar = scalarValue(field, value);
  // JSON.stringify cannot write NaN, Infinity or -0 as Go does.
  if (FLOATS.has(field.type) && formatFloat(scalar as number) !== String(scalar)) throw NOT_FAST;
  return scalar;
}

const FLOATS = new Set(['double', 'float']);

/** A scalar or enum field as jsonpb has it, defaults filled in: enums by name (an unknown number
 *  stays a number, as Go prints it), int64 as decimal strings, bytes as base64. */
function scalarValue(field: protobuf.Field, value: unknown): string | number | boolean {
  const enumType = field.resolvedType as protobuf.Enum | null;
  if (enumType) {
    const names = enumType.valuesById;
    if (typeof value === 'number') return names[value] ?? value;
    return String(value ?? names[0]);
  }
  switch (field.type) {
    case 'string':
      return String(value ?? '');
    case 'bool':
      return Boolean(value);
    case 'bytes':
      return value ? Buffer.from(value as Uint8Array).toString('base64') : '';
    default:
      return QUOTED_LONGS.has(field.type) ? String(value ?? '0') : Number(value ?? 0);
  }
}

// The piecewise writer.

const I = '  ';

function writeMessage(
  out: string[],
  type: protobuf.Type,
  obj: Record<string, unknown> | null | undefined,
  indent: string,
): void {
  if (obj == null) {
    out.push('null');
    return;
  }
  const inner = indent + I;
  let first = true;
  out.push('{');
  for (const field of type.fieldsArray) {
    // A oneof emits only its chosen member; an unset message is left out.
    if (obj[field.name] == null && (field.partOf || isSingleMessage(field))) continue;
    out.push(first ? '\n' : ',\n', inner, '"', field.name, '": ');
    first = false;
    writeField(out, field, obj[field.name], inner);
  }
  if (!first) out.push('\n', indent);
  out.push('}');
}

/** A field's value; `indent` is that of the field's own line. */
function writeField(out: string[], field: protobuf.Field, value: unknown, indent: string): void {
  const item = indent + I;
  if (field.map) {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    out.push('{');
    entries.forEach(([k, v], i) => {
      out.push(i === 0 ? '\n' : ',\n', item, protoJsonString(k), ': ');
      writeSingle(out, field, v, item);
    });
    if (entries.length > 0) out.push('\n', indent);
    out.push('}');
    return;
  }
  if (field.repeated) {
    const list = (value ?? []) as unknown[];
    out.push('[');
    list.forEach((v, i) => {
      out.push(i === 0 ? '\n' : ',\n', item);
      writeSingle(out, field, v, item);
    });
    if (list.length > 0) out.push('\n', indent);
    out.push(']');
    return;
  }
  writeSingle(out, field, value, indent);
}

/** One value; `indent` is that of the line it starts on. */
function writeSingle(out: string[], field: protobuf.Field, value: unknown, indent: string): void {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) {
    writeMessage(out, resolved as protobuf.Type, value as Record<string, unknown> | null, indent);
    return;
  }
  const scalar = scalarValue(field, value);
  if (typeof scalar === 'string') out.push(protoJsonString(scalar));
  else out.push(FLOATS.has(field.type) ? formatFloat(scalar as number) : String(scalar));
}

/** protojson's float64: Go's shortest spelling (1e-7, 1e+21 from 1e21 on), NaN and the
 *  infinities as quoted words. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return '"NaN"';
  if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
  return Object.is(n, -0) ? '-0' : String(n);
}
