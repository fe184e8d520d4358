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
