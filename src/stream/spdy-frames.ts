// SPDY/3 framing: the byte layout of frames and of (uncompressed) header blocks, with no I/O.
// Kubernetes streaming servers (the kubelet's and containerd's copy) speak SPDY/3 through
// moby/spdystream; only the parts of the protocol that implementation uses are here.

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

/** FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender will send nothing more on the stream. */
export const FLAG_FIN = 0x01;

/** RST_STREAM status codes we send or name. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
} as const;

/** A frame's payload length is 24 bits wide. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; version: number; flags: number; payload: Buffer };

/** The zlib dictionary SPDY/3 header compression starts from (draft-mbelshe-httpbis-spdy-00, 2.6.10.1). */
export const HEADER_DICTIONARY: Buffer = buildDictionary();

function buildDictionary(): Buffer {
  // The first part is length-prefixed words, as they appear in a header block...
  const words = [
    'options',
    'head',
    'post',
    'put',
    'delete',
    'trace',
    'accept',
    'accept-charset',
    'accept-encoding',
    'accept-language',
    'accept-ranges',
    'age',
    'allow',
    'authorization',
    'cache-control',
    'connection',
    'content-base',
    'content-encoding',
    'content-language',
    'content-length',
    'content-location',
    'content-md5',
    'content-range',
    'content-type',
    'date',
    'etag',
    'expect',
    'expires',
    'from',
    'host',
    'if-match',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'last-modified',
    'location',
    'max-forwards',
    'pragma',
    'proxy-authenticate',
    'proxy-authorization',
    'range',
    'referer',
    'retry-after',
    'server',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'user-agent',
    'vary',
    'via',
    'warning',
    'www-authenticate',
    'method',
    'get',
    'status',
    '200 OK',
    'version',
    'HTTP/1.1',
    'url',
    'public',
    'set-cookie',
    'keep-alive',
    'origin',
  ];
  // ...then common values, run together.
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) parts.push(u32(w.length), Buffer.from(w, 'latin1'));
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD)
    throw new RangeError(`SPDY control frame too large (${payload.length} bytes)`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE((((flags & 0xff) << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

/** The 8 bytes in front of a data frame's payload of `length` bytes (sent without joining the two). */
export function dataFrameHeader(streamId: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY data frame too large (${length} bytes)`);
  const head = Buffer.allocUnsafe(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE((((flags & 0xff) << 24) | length) >>> 0, 4);
  return head;
}

export function encodeData(streamId: number, flags: number, data: Uint8Array): Buffer {
  return Buffer.concat([dataFrameHeader(streamId, flags, data.length), data]);
}

/** SYN_STREAM with a header block that is already compressed. Priority 0 (highest), slot 0. */
export function encodeSynStream(streamId: number, flags: number, compressedHeaders: Buffer, associatedTo = 0): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE(associatedTo & 0x7fffffff, 4);
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, compressedHeaders]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RST_STREAM, 0, p);
}

export function encodePing(id: number): Buffer {
  return controlFrame(FrameType.PING, 0, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GOAWAY, 0, p);
}

/** The stream ID a SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE frame is about. */
export function controlStreamId(payload: Buffer): number {
  return payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
}

/** Where the compressed header block starts in a control frame's payload, by frame type. */
export function headerBlockOffset(type: number): number | undefined {
  if (type === FrameType.SYN_STREAM) return 10;
  if (type === FrameType.SYN_REPLY || type === FrameType.HEADERS) return 4;
  return undefined;
}

/** A frame that breaks the protocol; the connection cannot go on after one. */
export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(FrameType).map(([name, type]) => [type, name]),
);

/** Payload sizes each known control frame type must have: [min, max]. */
const CONTROL_SIZES: Record<number, [number, number]> = {
  [FrameType.SYN_STREAM]: [10, Infinity],
  [FrameType.SYN_REPLY]: [4, Infinity],
  [FrameType.RST_STREAM]: [8, 8],
  [FrameType.SETTINGS]: [4, Infinity],
  [FrameType.PING]: [4, 4],
  [FrameType.GOAWAY]: [8, 8],
  [FrameType.HEADERS]: [4, Infinity],
  [FrameType.WINDOW_UPDATE]: [8, 8],
};

export interface FrameLimits {
  /** Largest payload of any frame. */
  maxFrame: number;
  /** Largest payload of a control frame. */
  maxControlFrame: number;
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n / 1024} KiB`;
}

/** A frame whose payload has not all arrived yet. */
interface Partial {
  first: number;
  flags: number;
  length: number;
  /** Payload bytes still to come. */
  left: number;
  /** What arrived so far (slices of the pushed chunks, not copies). */
  parts: Buffer[];
}

export interface ParserOptions {
  /**
   * Hand on a data frame's payload piece by piece as it arrives (FIN only on the last piece)
   * instead of joining it first: a stream is a byte stream, so the reader loses nothing, and
   * no payload byte is ever copied. Control frames are always whole.
   */
  dataInPieces?: boolean;
}

/**
 * Splits a byte stream into frames; feed it whatever the socket delivers. Frames over the
 * limits, control frames of another version or of an impossible size throw a
 * SpdyProtocolError as soon as their 8-byte header is in, without waiting for the payload.
 * Payloads are slices of the pushed chunks; only a frame split across chunks is copied (once,
 * and never a data frame with `dataInPieces`).
 */
export class FrameParser {
  /** A frame header split across chunks, and how much of it is in. */
  private readonly head = Buffer.alloc(8);
  private headLength = 0;
  private current: Partial | undefined;
  private readonly dataInPieces: boolean;

  constructor(
    private readonly limits: FrameLimits = { maxFrame: MAX_FRAME_PAYLOAD, maxControlFrame: MAX_FRAME_PAYLOAD },
    options: ParserOptions = {},
  ) {
    this.dataInPieces = options.dataInPieces ?? false;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let at = 0;
    while (at < chunk.length) {
      let current = this.current;
      if (current === undefined) {
        let first: number;
        let word: number;
        if (this.headLength === 0 && chunk.length - at >= 8) {
          first = chunk.readUInt32BE(at);
          word = chunk.readUInt32BE(at + 4);
          at += 8;
        } else {
          const n = Math.min(8 - this.headLength, chunk.length - at);
          chunk.copy(this.head, this.headLength, at, at + n);
          this.headLength += n;
          at += n;
          if (this.headLength < 8) break;
          this.headLength = 0;
          first = this.head.readUInt32BE(0);
          word = this.head.readUInt32BE(4);
        }
        const length = word & 0xffffff;
        this.check(first, length);
        // The usual case: the whole payload is in this chunk.
        if (chunk.length - at >= length) {
          frames.push(makeFrame(first, word >>> 24, chunk.subarray(at, at + length)));
          at += length;
          continue;
        }
        current = { first, flags: word >>> 24, length, left: length, parts: [] };
        this.current = current;
      }
      const n = Math.min(current.left, chunk.length - at);
      const piece = chunk.subarray(at, at + n);
      at += n;
      current.left -= n;
      if (this.dataInPieces && !(current.first & 0x80000000)) {
        const last = current.left === 0;
        if (n > 0) frames.push(makeFrame(current.first, last ? current.flags : current.flags & ~FLAG_FIN, piece));
        if (last) this.current = undefined;
        continue;
      }
      current.parts.push(piece);
      if (current.left === 0) {
        const payload = current.parts.length === 1 ? current.parts[0] : Buffer.concat(current.parts, current.length);
        frames.push(makeFrame(current.first, current.flags, payload));
        this.current = undefined;
      }
    }
    return frames;
  }

  private check(first: number, length: number): void {
    if (length > this.limits.maxFrame)
      throw new SpdyProtocolError(`frame of ${length} bytes is larger than the ${mib(this.limits.maxFrame)} limit`);
    if (!(first & 0x80000000)) return;
    const version = (first >>> 16) & 0x7fff;
    const type = first & 0xffff;
    if (version !== SPDY_VERSION)
      throw new SpdyProtocolError(`control frame of version ${version} (expected ${SPDY_VERSION})`);
    const name = TYPE_NAMES[type] ?? `type ${type}`;
    if (length > this.limits.maxControlFrame)
      throw new SpdyProtocolError(
        `${name} frame of ${length} bytes is larger than the ${mib(this.limits.maxControlFrame)} limit`,
      );
    const sizes = CONTROL_SIZES[type];
    if (sizes && (length < sizes[0] || length > sizes[1])) {
      const expected = sizes[0] === sizes[1] ? `${sizes[0]}` : `at least ${sizes[0]}`;
      throw new SpdyProtocolError(`${name} frame of ${length} bytes is malformed (expected ${expected})`);
    }
  }
}

function makeFrame(first: number, flags: number, body: Buffer): Frame {
  return first & 0x80000000
    ? { kind: 'control', version: (first >>> 16) & 0x7fff, type: first & 0xffff, flags, payload: body }
    : { kind: 'data', streamId: first & 0x7fffffff, flags, data: body };
}

/**
 * A header block before compression: a count, then length-prefixed names and values (32-bit
 * lengths in SPDY/3). Names must be lowercase on the wire; several values join with NUL.
 */
export function encodeHeaderBlock(headers: Readonly<Record<string, string | readonly string[]>>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(typeof value === 'string' ? value : value.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let at = 0;
  const take = (): Buffer => {
    if (at + 4 > block.length) throw new Error('truncated SPDY header block');
    const len = block.readUInt32BE(at);
    at += 4;
    if (at + len > block.length) throw new Error('truncated SPDY header block');
    const bytes = block.subarray(at, at + len);
    at += len;
    return bytes;
  };
  if (block.length < 4) throw new Error('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toString('utf8').toLowerCase();
    const value = take().toString('utf8');
    out[name] = [...(out[name] ?? []), ...value.split('\0')];
  }
  return out;
}
