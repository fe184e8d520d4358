// The generated CRI decoders (src/cri/generated/decode.ts) against protobufjs's decode + toObject,
// which they replace: the same plain objects, keys in the same order, for every response type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { RESPONSE_DECODERS } from '../../src/cri/generated/decode.js';
import { messageType, serviceType, TO_OBJECT } from '../../src/cri/schema.js';
import { WireReader } from '../../src/cri/wire.js';

/** A small deterministic generator (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STRINGS = ['', 'a', 'busybox', 'naïve-容器-🚀', 'x'.repeat(40), 'é'.repeat(20), '__proto__', '\uFFFD ok'];
const LONGS = [
  '0',
  '1',
  '-1',
  '9007199254740993',
  '1732420000123456789',
  '9223372036854775807',
  '-9223372036854775808',
];
const ULONGS = ['0', '4294967295', '4294967296', '9007199254740993', '18446744073709551615'];

/** A value of `type` with each field set or not at random, lists and maps of 0–3 entries. */
function randomMessage(type: protobuf.Type, rand: () => number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const single = (field: protobuf.Field): unknown => {
    const t = field.resolvedType;
    if (t instanceof protobuf.Type) return randomMessage(t, rand, depth + 1);
    if (t instanceof protobuf.Enum) return pick(Object.keys(t.values));
    switch (field.type) {
      case 'string':
        return pick(STRINGS);
      case 'bytes':
        return Buffer.from(pick(STRINGS));
      case 'bool':
        return rand() < 0.5;
      case 'int32':
        return pick([0, 1, -1, 2147483647, -2147483648]);
      case 'uint32':
        return pick([0, 1, 4294967295]);
      case 'int64':
        return pick(LONGS);
      case 'uint64':
        return pick(ULONGS);
      case 'double':
        return pick([0, 1.5, -2.25e-7, 1e21]);
      default:
        throw new Error(`no random ${field.type}`);
    }
  };
  for (const field of type.fieldsArray) {
    if (rand() < 0.3) continue;
    if (field.resolvedType instanceof protobuf.Type && depth > 4) continue;
    const n = Math.floor(rand() * 4);
    if (field instanceof protobuf.MapField)
      out[field.name] = Object.fromEntries(Array.from({ length: n }, () => [pick(STRINGS.slice(1)), single(field)]));
    else if (field.repeated) out[field.name] = Array.from({ length: n }, () => single(field));
    else out[field.name] = single(field);
  }
  return out;
}

const responseTypes = new Set<string>();
for (const service of ['RuntimeService', 'ImageService'] as const)
  for (const m of serviceType(service).methodsArray) responseTypes.add(m.responseType);

test('every response type decodes as protobufjs decoded it, keys in the same order', () => {
  const rand = rng(42);
  for (const name of responseTypes) {
    const type = messageType(`runtime.v1.${name}`);
    for (let round = 0; round < 20; round++) {
      const bytes = Buffer.from(type.encode(type.fromObject(randomMessage(type, rand))).finish());
      const expected = type.toObject(type.decode(bytes), TO_OBJECT);
      const actual = RESPONSE_DECODERS[name](new WireReader(bytes), bytes.length);
      assert.deepStrictEqual(actual, expected, name);
      assert.equal(JSON.stringify(actual), JSON.stringify(expected), `${name}: key order`);
    }
  }
});

test('int64 values decode to exact decimal strings, signed and unsigned, at the 64-bit edges', () => {
  const status = messageType('runtime.v1.ContainerStatusResponse');
  for (const v of [...LONGS, '-4294967296', '4294967295', '-9007199254740993']) {
    const bytes = Buffer.from(status.encode(status.fromObject({ status: { createdAt: v } })).finish());
    const decoded = RESPONSE_DECODERS.ContainerStatusResponse(new WireReader(bytes), bytes.length) as {
      status: { createdAt: string };
    };
    assert.equal(decoded.status.createdAt, v);
  }
  const fs = messageType('runtime.v1.ImageFsInfoResponse');
  for (const v of ULONGS) {
    const bytes = Buffer.from(fs.encode(fs.fromObject({ imageFilesystems: [{ usedBytes: { value: v } }] })).finish());
    const decoded = RESPONSE_DECODERS.ImageFsInfoResponse(new WireReader(bytes), bytes.length) as {
      imageFilesystems: { usedBytes: { value: string } }[];
    };
    assert.equal(decoded.imageFilesystems[0].usedBytes.value, v);
  }
});

test('strings decode in full and invalid UTF-8 is refused', () => {
  const version = messageType('runtime.v1.VersionResponse');
  const decode = (bytes: Buffer) => RESPONSE_DECODERS.VersionResponse(new WireReader(bytes), bytes.length);
  for (const s of ['', 'busybox', 'x'.repeat(200), 'naïve-容器-🚀', 'replacement \uFFFD kept', 'é'.repeat(70)]) {
    const bytes = Buffer.from(version.encode(version.fromObject({ version: s })).finish());
    assert.equal((decode(bytes) as { version: string }).version, s);
  }
  // Field 1, length 3: "a", a lone continuation byte, "b"; and a long string ending in 0xff.
  assert.throws(() => decode(Buffer.from([0x0a, 0x03, 0x61, 0x80, 0x62])), /invalid UTF-8/);
  assert.throws(() => decode(Buffer.from([0x0a, 0x46, ...Buffer.alloc(69, 0x61), 0xff])), /invalid UTF-8/);
});

test('truncated and malformed input is refused, unknown fields are skipped', () => {
  const decode = (bytes: number[]) =>
    RESPONSE_DECODERS.VersionResponse(new WireReader(Buffer.from(bytes)), bytes.length) as Record<string, string>;
  assert.throws(() => decode([0x0a, 0x05, 0x61]), /truncated/);
  assert.throws(() => decode([0x08]), /truncated/);
  assert.throws(() => decode([0x0f]), /wire type/);
  // Field 9 as a varint, a fixed64, a fixed32 and a group; then field 1 as a varint (wrong wire
  // type: skipped as unknown, as protobufjs does).
  const unknown = [0x48, 0x96, 0x01, 0x49, ...Array(8).fill(0), 0x4d, 1, 2, 3, 4, 0x4b, 0x08, 0x01, 0x4c, 0x08, 0x05];
  assert.equal(decode([...unknown, 0x0a, 0x01, 0x76]).version, 'v');
  assert.equal(decode(unknown).version, '');
});
