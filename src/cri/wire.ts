// Reading the protobuf wire format, for the decoders scripts/gen-schema.mjs generates into
// src/cri/generated/decode.ts. They build the plain objects the commands and the library hand
// out (int64 as decimal strings, enums by name, every field present) in one pass, without
// protobufjs's message instances, long.js or its toObject; and without touching any of
// protobufjs's prototypes, which other code in the same process may rely on.

/** Thrown for bytes that are not a valid encoding of the expected message. */
export class WireError extends Error {
  override name = 'WireError';
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const TWO_32 = 4294967296;

export class WireReader {
  pos = 0;
  readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint's low 32 bits, unsigned (what a uint32 field or a tag holds). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++];
    let value = b & 0x7f;
    if (b >= 0x80) {
      b = buf[pos++];
      value |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++];
        value |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++];
          value |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[pos++];
            value |= b << 28;
            // Bits above 32 (a negative int32 is sent as 10 bytes) are dropped.
            for (let i = 0; b >= 0x80 && i < 5; i++) b = buf[pos++];
            if (b >= 0x80) throw new WireError('invalid varint');
          }
        }
      }
    }
    if (pos > buf.length) throw new WireError('truncated message');
    this.pos = pos;
    return value >>> 0;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    const [lo, hi] = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  /** An int64 as a decimal string. */
  int64(): string {
    const [lo, hi] = this.varint64();
    if (hi === 0) return String(lo);
    if (hi < 0x200000) return String(hi * TWO_32 + lo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  /** A uint64 as a decimal string. */
  uint64(): string {
    const [lo, hi] = this.varint64();
    if (hi < 0x200000) return String(hi * TWO_32 + lo);
    return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Where a length-delimited value that starts here ends. */
  end(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.buf.length) throw new WireError('truncated message');
    return end;
  }

  /** Checks that a length-delimited value was read to its end and no further. */
  done(end: number): void {
    if (this.pos !== end) throw new WireError('field runs past the end of its message');
  }

  string(): string {
    const end = this.end();
    const buf = this.buf;
    const start = this.pos;
    this.pos = end;
    return utf8(buf, start, end);
  }

  /** Bytes, sharing memory with the message (as protobufjs hands them out). */
  bytes(): Buffer {
    const end = this.end();
    const bytes = this.buf.subarray(this.pos, end);
    this.pos = end;
    return bytes;
  }

  /** Skips a field this decoder does not know, by the wire type in its tag. */
  skip(tag: number): void {
    switch (tag & 7) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.need(8);
        this.pos += 8;
        return;
      case 2:
        this.pos = this.end();
        return;
      case 5:
        this.need(4);
        this.pos += 4;
        return;
      case 3: {
        // A group: skip fields up to its end tag.
        for (;;) {
          const t = this.uint32();
          if ((t & 7) === 4) {
            if (t >>> 3 !== tag >>> 3) throw new WireError('mismatched group end');
            return;
          }
          this.skip(t);
        }
      }
      default:
        throw new WireError(`invalid wire type ${tag & 7}`);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError('truncated message');
  }

  /** A varint as its low and high 32 bits, both unsigned. */
  private varint64(): [number, number] {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let shift = 0;
    for (; shift < 28; shift += 7) {
      b = buf[pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return this.finish(pos, lo, 0);
    }
    b = buf[pos++];
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.finish(pos, lo, hi);
    for (shift = 3; shift < 32; shift += 7) {
      b = buf[pos++];
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return this.finish(pos, lo, hi);
    }
    // Past the end, bytes read as undefined and never end a varint.
    throw new WireError(pos > buf.length ? 'truncated message' : 'invalid varint');
  }

  private finish(pos: number, lo: number, hi: number): [number, number] {
    if (pos > this.buf.length) throw new WireError('truncated message');
    this.pos = pos;
    return [lo >>> 0, hi >>> 0];
  }
}

/** Node's Buffer has it (undocumented, what toString('utf8') ends in, minus the argument checks). */
type Utf8Sliceable = Buffer & { utf8Slice(start: number, end: number): string };

/** UTF-8 text; invalid sequences are refused, as protobufjs refuses them for proto3 strings. Node's
 *  decoder is fast but replaces them with U+FFFD, so only a string containing one is checked. */
function utf8(buf: Buffer, start: number, end: number): string {
  const s = (buf as Utf8Sliceable).utf8Slice(start, end);
  if (s.includes('\uFFFD')) {
    try {
      STRICT_UTF8.decode(buf.subarray(start, end));
    } catch {
      throw new WireError('invalid UTF-8 in a string field');
    }
  }
  return s;
}

/** A map entry's key, as an own property even when it is "__proto__". */
export function setEntry<V>(map: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}
