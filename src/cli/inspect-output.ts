// The inspect family (inspect, inspectp, inspecti, info) prints a status message together with
// the runtime's `info` map, as crictl master's outputStatusData does: the status (as protojson
// writes it, with crictl's readable timestamps swapped in) and every info value that starts with
// "{" are decoded into generic maps, other info values become strings with their double quotes
// trimmed, and the whole is marshalled again. Go marshals maps with sorted keys, so every level,
// the top one included ("info" before "status"), comes out sorted. Several objects are one array.
import { CommandError } from '../errors.js';
import type { protobuf } from '../cri/schema.js';
import { goJsonIndent } from '../output/go-json.js';
import { renderJsonText, type OutputFormat } from '../output/render.js';

export interface StatusWithInfo {
  status: unknown;
  info: Record<string, string>;
  /** Extra members as JSON text (e.g. runtimeHandlers for `info`). */
  extra?: Record<string, string>;
  /** Status fields replaced after conversion (crictl's RFC 3339 timestamps). */
  overrides?: Record<string, string>;
  /**
   * Whether every top-level status field is present, unset messages as null: crictl builds the
   * container and pod status with marshalMapInOrder, which writes each struct field; image and
   * runtime status are plain protojson, which leaves unset messages out.
   */
  allFields?: boolean;
}

/** One status+info document as a generic value, ready for Go-style marshalling. */
export async function statusInfoValue(statusType: string, item: StatusWithInfo): Promise<Map<string, unknown>> {
  const { messageToJson } = await import('../output/protojson.js');
  const { messageType } = await import('../cri/schema.js');
  const doc = new Map<string, unknown>();
  if (item.status != null) {
    // jsonpb's text has every field (unset messages as null); protojson with EmitDefaultValues
    // leaves unset messages out, so nulls are dropped below the top level.
    const status = dropNulls(JSON.parse(messageToJson(statusType, item.status))) as Record<string, unknown>;
    if (item.allFields)
      for (const field of messageType(statusType).fieldsArray) if (!field.partOf) status[field.name] ??= null;
    for (const [k, v] of Object.entries(item.overrides ?? {})) status[k] = v;
    doc.set('status', status);
  }
  for (const [k, v] of Object.entries(item.extra ?? {})) doc.set(k, JSON.parse(v));
  for (const k of Object.keys(item.info)) {
    const v = item.info[k];
    if (v.startsWith('{')) {
      try {
        doc.set(k, JSON.parse(v));
      } catch (err) {
        throw new CommandError(
          `the runtime's info "${k}" starts like a JSON object but is not one: ${(err as Error).message}`,
        );
      }
    } else {
      doc.set(k, trimQuotes(v));
    }
  }
  return doc;
}

/**
 * A decoded message as Go's encoding/json marshals its generated struct, which crictl master does
 * for the runtime handlers and features of `info`: keys are the proto field names (the structs'
 * json tags), and zero values are left out (every tag says omitempty).
 */
export async function goStructJson(typeName: string, value: unknown): Promise<string> {
  const { messageType } = await import('../cri/schema.js');
  const convert = (type: protobuf.Type, msg: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const field of type.fieldsArray) {
      const v = msg[field.name];
      if (v == null || v === false || v === '' || v === 0 || v === '0' || (Array.isArray(v) && v.length === 0))
        continue;
      const key = field.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const resolved = field.resolve().resolvedType;
      const nested = resolved && 'fieldsArray' in resolved ? (resolved as protobuf.Type) : null;
      if (!nested) out[key] = v;
      else
        out[key] = Array.isArray(v) ? v.map((m) => convert(nested, m)) : convert(nested, v as Record<string, unknown>);
    }
    return out;
  };
  const type = messageType(typeName);
  return JSON.stringify(
    Array.isArray(value) ? value.map((m) => convert(type, m)) : convert(type, value as Record<string, unknown>),
  );
}

/** Go's strings.Trim(s, `"`): every leading and trailing double quote goes. */
function trimQuotes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) === 34) start++;
  while (end > start && s.charCodeAt(end - 1) === 34) end--;
  return s.slice(start, end);
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}

export async function printStatusInfo(
  stdout: NodeJS.WritableStream,
  statusType: string,
  items: readonly StatusWithInfo[],
  format: OutputFormat,
  template?: string,
): Promise<void> {
  if (items.length === 0) return;
  const docs = await Promise.all(items.map((item) => statusInfoValue(statusType, item)));
  // A single document is not wrapped in an array (crictl's "old behavior"); the template, too,
  // runs once, over the array when there are several.
  const json = goJsonIndent(docs.length === 1 ? docs[0] : docs);
  stdout.write(`${await renderJsonText(json, format, template)}\n`);
}

/** Like Promise.all, but a failure is the first in argument order (the one crictl, asking one
 *  after another, would have met), not the first in time. */
export async function allInOrder<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
