// JSON exactly as crictl prints a CRI message: Go's jsonpb (golang/protobuf 1.5) with
// EmitDefaults and a two-space indent. Its quirks are kept on purpose so scripts that compare
// output byte for byte keep working: lowerCamelCase names in declaration order, every field
// present, int64 as quoted decimals, enums by name (unknown ones as numbers), bytes as base64,
// map keys sorted, unset messages as null, an empty list as "[" newline "]" and an empty
// message as "{" blank line "}"; strings escaped as Go's encoding/json escapes them.
import { messageType, type protobuf } from '../cri/schema.js';

const QUOTED_LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A JSON string literal byte-identical to Go's json.Marshal of the same string: short escapes
 * for quote, backslash, \n, \r, \t; \u00XX for other control characters; and <, >, &, U+2028,
 * U+2029 escaped too (Go's HTML-safe default).
 */
export function goJsonString(s: string): string {
  return `"${s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Formats a plain message object of `typeName` (e.g. `runtime.v1.ListContainersResponse`). */
export function messageToJson(typeName: string, value: unknown): string {
  const type = messageType(typeName);
  return viaStringify(type, value) ?? piecewiseJson(type, value);
}

/** The same text built piece by piece: the reference the fast path is tested against. */
export function piecewiseJson(type: protobuf.Type, value: unknown): string {
  const out: string[] = [];
  writeMessage(out, type, value as Record<string, unknown> | null, '');
  return out.join('');
}

// The fast path: the message rebuilt as plain objects in jsonpb's shape (fields in declaration
// order, defaults filled in, map keys sorted), printed by V8's native JSON.stringify, and the
// few spots where Go prints differently patched in the text. Inputs those patches cannot cover
// take the piecewise writer below (several times slower at scale).

/** Thrown inside the rebuild for input the fast path does not print like Go. */
const NOT_FAST = Symbol('not fast');

function viaStringify(type: protobuf.Type, value: unknown): string | undefined {
  let shaped: unknown;
  try {
    shaped = shapeMessage(type, value as Record<string, unknown> | null);
  } catch (err) {
    if (err === NOT_FAST) return undefined;
    throw err;
  }
  let text = JSON.stringify(shaped, null, 2);
  // jsonpb opens an empty list or map on one line and closes it on the next, at the line's indent.
  if (text.includes('[]') || text.includes('{}')) {
    text = text.replace(EMPTY_PAIR, (pair: string, offset: number) => {
      const lineStart = text.lastIndexOf('\n', offset) + 1;
      let indent = lineStart;
      while (text.charCodeAt(indent) === 32) indent++;
      return `${pair[0]}\n${text.slice(lineStart, indent)}${pair[1]}`;
    });
  }
  // Go escapes <, >, & and U+2028/9, and spells \b and \f as \u0008 and \u000c. None of these
  // characters is JSON syntax, so they can only stand inside strings.
  if (GO_ONLY.some((c) => text.includes(c))) text = text.replace(GO_ONLY_ESCAPES, (m) => GO_ESCAPE_TEXT[m] ?? m);
  return text;
}

/** `[]` or `{}` at the end of a line: a string value would end in a quote instead. */
const EMPTY_PAIR = /(?:\[\]|\{\})(?=,?(?:\n|$))/g;
const GO_ONLY = ['<', '>', '&', '\u2028', '\u2029', '\\b', '\\f'];
const GO_ONLY_ESCAPES = /[<>&\u2028\u2029]|\\[\\bf]/g;
const GO_ESCAPE_TEXT: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
  '\\b': '\\u0008',
  '\\f': '\\u000c',
};

/** A canonical array index ("0", "17"): JS objects list such keys first, in numeric order. */
const INDEX_KEY = /^(0|[1-9]\d{0,9})$/;

function shapeMessage(type: protobuf.Type, obj: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (obj == null) return null;
  const shaped: Record<string, unknown> = {};
  let empty = true;
  for (const field of type.fieldsArray) {
    const value = obj[field.name];
    if (field.partOf && value == null) continue;
    empty = false;
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
  // An empty message prints as "{", a blank line, "}", which the text patch cannot tell from an empty map.
  if (empty) throw NOT_FAST;
  return shaped;
}

function shapeSingle(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) return shapeMessage(resolved as protobuf.Type, value as Record<string, unknown> | null);
  const scalar = scalarValue(field, value);
  // JSON.stringify writes 1e-7 where Go writes 1e-07, and cannot write NaN or Infinity.
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

function writeMessage(out: string[], type: protobuf.Type, obj: Record<string, unknown> | null | undefined, indent: string): void {
  if (obj == null) {
    out.push('null');
    return;
  }
  const inner = indent + I;
  let first = true;
  out.push('{\n');
  for (const field of type.fieldsArray) {
    // A oneof emits only its chosen member.
    if (field.partOf && obj[field.name] == null) continue;
    out.push(first ? inner : `,\n${inner}`, '"', field.name, '": ');
    first = false;
    writeField(out, field, obj[field.name], indent);
  }
  out.push('\n', indent, '}');
}

/** A field's value; `indent` is that of the message holding the field. */
function writeField(out: string[], field: protobuf.Field, value: unknown, indent: string): void {
  const inner = indent + I;
  const item = inner + I;
  if (field.map) {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    entries.forEach(([k, v], i) => {
      out.push(i === 0 ? '\n' : ',\n', item, goJsonString(k), ': ');
      writeSingle(out, field, v, inner);
    });
    out.push('\n', inner, '}');
    return;
  }
  if (field.repeated) {
    out.push('[');
    ((value ?? []) as unknown[]).forEach((v, i) => {
      out.push(i === 0 ? '\n' : ',\n', item);
      writeSingle(out, field, v, inner);
    });
    out.push('\n', inner, ']');
    return;
  }
  writeSingle(out, field, value, indent);
}

function writeSingle(out: string[], field: protobuf.Field, value: unknown, indent: string): void {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) {
    writeMessage(out, resolved as protobuf.Type, value as Record<string, unknown> | null, indent + I);
    return;
  }
  const scalar = scalarValue(field, value);
  if (typeof scalar === 'string') out.push(goJsonString(scalar));
  else out.push(FLOATS.has(field.type) ? formatFloat(scalar as number) : String(scalar));
}

/** Go's json.Marshal of a float64: plain notation between 1e-6 and 1e21, else 1e+21 style. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return '"NaN"';
  if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}
