// The CRI v1 schema at run time: a protobufjs Root built from the descriptor that
// scripts/gen-schema.mjs precompiled from cri-api/api.proto (no .proto parsing at start-up).
import protobuf from 'protobufjs/light.js';
import descriptor from './generated/descriptor.json' with { type: 'json' };
import type { MessageName } from './generated/types.js';

export type { protobuf };

// int64 fields (nanosecond timestamps, sizes) decode to long.js Longs and print as decimal
// strings; long.js does that by repeated software division, BigInt natively and several times
// faster (it shows on `ps -a` over thousands of containers).
interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}
const LongClass = protobuf.util.Long as unknown as {
  prototype: LongBits & { toString(radix?: number): string };
} | null;
if (LongClass) {
  const viaDivision = LongClass.prototype.toString;
  LongClass.prototype.toString = function (this: LongBits, radix?: number): string {
    if (radix !== undefined && radix !== 10) return viaDivision.call(this, radix);
    const bits = (BigInt(this.high) << 32n) | BigInt(this.low >>> 0);
    return (this.unsigned ? BigInt.asUintN(64, bits) : BigInt.asIntN(64, bits)).toString();
  };
}

// Strings: protobufjs checks UTF-8 with a fatal TextDecoder, a slow native call per string. Node's
// utf8Slice is fast and turns any invalid sequence into U+FFFD, so only a string that contains
// U+FFFD needs the strict reader (which accepts it or throws, as before).
interface StringReader {
  pos: number;
  string(): string;
  stringVerify(): string;
}
const BufferReaderClass = protobuf.BufferReader as unknown as { prototype: StringReader };
const strictString = BufferReaderClass.prototype.stringVerify;
BufferReaderClass.prototype.stringVerify = function (this: StringReader): string {
  const start = this.pos;
  const s = this.string();
  if (!s.includes('\uFFFD')) return s;
  this.pos = start;
  return strictString.call(this);
};

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

/** How decoded messages become plain objects: int64 as strings, enums by name, every field present. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
};
