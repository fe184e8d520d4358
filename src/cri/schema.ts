// The CRI v1 schema at run time: a protobufjs Root built from the descriptor that
// scripts/gen-schema.mjs precompiled from cri-api/api.proto (no .proto parsing at start-up).
import protobuf from 'protobufjs/light.js';
import descriptor from './generated/descriptor.json' with { type: 'json' };
import { UsageError } from '../errors.js';
import type { MessageName } from './generated/types.js';

export type { protobuf };

let root: protobuf.Root | undefined;

/** The schema root, built on first use. */
export function schemaRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  return root;
}

/** A message type by its full name, e.g. `runtime.v1.Container`. */
export function messageType(name: MessageName | string): protobuf.Type {
  return schemaRoot().lookupType(name);
}

/** A service by name (`RuntimeService` or `ImageService`). */
export function serviceType(name: 'RuntimeService' | 'ImageService'): protobuf.Service {
  return schemaRoot().lookupService(`runtime.v1.${name}`);
}

interface TypeDescriptor {
  fields?: Record<string, { type: string }>;
  methods?: Record<string, { requestType: string; responseType: string; responseStream?: boolean }>;
}
const v1 = (
  descriptor as unknown as {
    nested: { runtime: { nested: { v1: { options?: object; nested: Record<string, TypeDescriptor> } } } };
  }
).nested.runtime.nested.v1;

/** An rpc as the schema states it. */
export interface RpcMethod {
  name: string;
  requestType: string;
  responseType: string;
  responseStream: boolean;
}

/** A service's rpcs, read from the descriptor (no schema is built for them). */
export function serviceMethods(name: 'RuntimeService' | 'ImageService'): RpcMethod[] {
  return Object.entries(v1.nested[name].methods ?? {}).map(([method, m]) => ({
    name: method,
    requestType: m.requestType,
    responseType: m.responseType,
    responseStream: m.responseStream === true,
  }));
}

/** `name` and every type its fields use, as descriptor entries (all CRI types live in runtime.v1;
 *  a type nested in a message comes with it). */
function withDependencies(name: string, into: Record<string, TypeDescriptor>): Record<string, TypeDescriptor> {
  const entry = v1.nested[name];
  if (!entry || into[name]) return into;
  into[name] = entry;
  for (const field of Object.values(entry.fields ?? {})) withDependencies(field.type, into);
  return into;
}

const requestTypes = new Map<string, protobuf.Type>();

/**
 * A request message type, from a schema of just the types it uses: building the whole schema
 * (187 types) costs each command ~10 ms, and a request needs a handful. It encodes exactly as
 * the same type of the whole schema does.
 */
export function requestType(name: string): protobuf.Type {
  let type = requestTypes.get(name);
  if (!type) {
    const nested = withDependencies(name, {});
    const json = { nested: { runtime: { nested: { v1: { options: v1.options, nested } } } } };
    type = protobuf.Root.fromJSON(json as protobuf.INamespace).lookupType(`runtime.v1.${name}`);
    requestTypes.set(name, type);
  }
  return type;
}

/** How protobufjs-decoded messages become plain objects (containerd's API; the CRI has its own
 *  decoders): int64 as strings, enums by name, every field present. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
};

const INT64_RANGE: Record<string, [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/**
 * A request with every int64 field as an exact decimal string, which is what protobufjs encodes
 * without loss. Callers may give a number (a safe integer), a bigint or a decimal string; anything
 * else, an unsafe number or a value out of the field's range is refused, naming the field.
 */
export function int64Input(type: protobuf.Type, value: object, path = ''): Record<string, unknown> {
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    const at = path ? `${path}.${field.name}` : field.name;
    if (v == null) {
      out[field.name] = v;
      continue;
    }
    const one = (x: unknown, where: string): unknown => {
      const resolved = field.resolvedType;
      if (resolved && 'fieldsArray' in resolved && x !== null && typeof x === 'object')
        return int64Input(resolved as protobuf.Type, x, where);
      return field.type in INT64_RANGE ? int64Decimal(x, field.type, where) : x;
    };
    if (field.map && typeof v === 'object')
      out[field.name] = Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, one(x, `${at}[${JSON.stringify(k)}]`)]),
      );
    else if (field.repeated && Array.isArray(v)) out[field.name] = v.map((x, i) => one(x, `${at}[${i}]`));
    else out[field.name] = one(v, at);
  }
  return out;
}

function int64Decimal(value: unknown, type: string, field: string): string {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new UsageError(
        `request field ${field} (${type}): ${value} is not a safe integer; give a bigint or a decimal string`,
      );
    n = BigInt(value);
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
  else
    throw new UsageError(
      `request field ${field} (${type}): expected an integer (number, bigint or decimal string), got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`,
    );
  const [min, max] = INT64_RANGE[type];
  if (n < min || n > max)
    throw new UsageError(`request field ${field} (${type}): ${n} is out of range (${min} to ${max})`);
  return n.toString();
}
