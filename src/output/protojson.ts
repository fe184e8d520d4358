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
  return writeMessage(messageType(typeName), value as Record<string, unknown> | null, '');
}

const I = '  ';

function writeMessage(type: protobuf.Type, obj: Record<string, unknown> | null | undefined, indent: string): string {
  if (obj == null) return 'null';
  const parts: string[] = [];
  for (const field of type.fieldsArray) {
    // A oneof emits only its chosen member.
    if (field.partOf && obj[field.name] == null) continue;
    parts.push(`${indent}${I}"${field.name}": ${writeField(field, obj[field.name], indent)}`);
  }
  return `{\n${parts.join(',\n')}\n${indent}}`;
}

/** A field's value; `indent` is that of the message holding the field. */
function writeField(field: protobuf.Field, value: unknown, indent: string): string {
  const item = indent + I + I;
  if (field.map) {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const body = entries.map(([k, v]) => `\n${item}${goJsonString(k)}: ${writeSingle(field, v, indent + I)}`).join(',');
    return `{${body}\n${indent}${I}}`;
  }
  if (field.repeated) {
    const body = ((value ?? []) as unknown[]).map((v) => `\n${item}${writeSingle(field, v, indent + I)}`).join(',');
    return `[${body}\n${indent}${I}]`;
  }
  return writeSingle(field, value, indent);
}

function writeSingle(field: protobuf.Field, value: unknown, indent: string): string {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) return writeMessage(resolved as protobuf.Type, value as Record<string, unknown> | null, indent + I);
  if (resolved) {
    // Enum: by name; an unknown number stays a number, as Go prints it.
    const names = (resolved as protobuf.Enum).valuesById;
    if (typeof value === 'number') return names[value] !== undefined ? `"${names[value]}"` : String(value);
    return `"${String(value ?? names[0])}"`;
  }
  switch (field.type) {
    case 'string':
      return goJsonString(String(value ?? ''));
    case 'bool':
      return value ? 'true' : 'false';
    case 'bytes':
      return goJsonString(value ? Buffer.from(value as Uint8Array).toString('base64') : '');
    case 'double':
    case 'float':
      return formatFloat(Number(value ?? 0));
    default:
      return QUOTED_LONGS.has(field.type) ? `"${String(value ?? '0')}"` : String(value ?? 0);
  }
}

/** Go's json.Marshal of a float64: plain notation between 1e-6 and 1e21, else 1e+21 style. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return '"NaN"';
  if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}
