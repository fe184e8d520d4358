// JSON exactly as crictl prints a CRI message (Go's jsonpb with EmitDefaults and a two-space
// indent): lowerCamelCase names in declaration order, every field present, int64 as quoted
// decimals, enums by name, bytes as base64, map keys sorted, unset messages as null.
import { messageType, type protobuf } from '../cri/schema.js';

const QUOTED_LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Go's encoding/json escapes these too, so the bytes match crictl's. */
const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function goJsonString(s: string): string {
  const json = JSON.stringify(s);
  return /[<>&\u2028\u2029]/.test(json) ? json.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]) : json;
}

/** Formats a plain message object of `typeName` (e.g. `runtime.v1.ListContainersResponse`). */
export function messageToJson(typeName: string, value: unknown): string {
  return writeMessage(messageType(typeName), value as Record<string, unknown> | null, '');
}

function writeMessage(type: protobuf.Type, obj: Record<string, unknown> | null | undefined, indent: string): string {
  if (obj == null) return 'null';
  const inner = indent + '  ';
  const parts: string[] = [];
  for (const field of type.fieldsArray) {
    // A oneof emits only its chosen member.
    if (field.partOf && obj[field.name] == null) continue;
    parts.push(`${inner}"${field.name}": ${writeField(field, obj[field.name], inner)}`);
  }
  return parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n${indent}}`;
}

function writeField(field: protobuf.Field, value: unknown, indent: string): string {
  if (field.map) {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${goJsonString(k)}: ${writeSingle(field, v, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (field.repeated) {
    const items = (value ?? []) as unknown[];
    if (items.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${items.map((v) => inner + writeSingle(field, v, inner)).join(',\n')}\n${indent}]`;
  }
  return writeSingle(field, value, indent);
}

function writeSingle(field: protobuf.Field, value: unknown, indent: string): string {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) return writeMessage(resolved as protobuf.Type, value as Record<string, unknown> | null, indent);
  if (resolved) {
    // Enum: by name; an unknown number stays a number, as Go prints it.
    if (typeof value === 'number') return (resolved as protobuf.Enum).valuesById[value] !== undefined ? goJsonString((resolved as protobuf.Enum).valuesById[value]) : String(value);
    return goJsonString(String(value ?? (resolved as protobuf.Enum).valuesById[0]));
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

function formatFloat(n: number): string {
  if (Number.isNaN(n)) return '"NaN"';
  if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
  return String(n);
}
