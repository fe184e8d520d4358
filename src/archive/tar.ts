// Streaming tar (ustar, pax, GNU long names) reading and writing for image archives: entries go
// by one at a time, bodies as chunks, so a 2 GiB archive never sits in memory.
import { UsageError } from '../errors.js';

const BLOCK = 512;

export interface TarEntry {
  /** Path without a leading "./". */
  name: string;
  /** '0' file, '5' directory, '2' symlink, '1' hard link, others as they come. */
  type: string;
  size: number;
  linkName: string;
  /** The body; must be read (or is skipped) before the next entry is asked for. */
  body: AsyncIterable<Buffer>;
}

/** Pulls exact byte counts out of a chunk stream. */
class ByteSource {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  /** Bytes handed out so far (for error messages). */
  consumed = 0;

  constructor(private readonly it: AsyncIterator<Buffer | Uint8Array | string>) {}

  /** Waits until `n` bytes are buffered or the input ends; returns what is available. */
  private async fill(n: number): Promise<number> {
    while (this.length < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else {
        const b =
          typeof r.value === 'string'
            ? Buffer.from(r.value)
            : Buffer.isBuffer(r.value)
              ? r.value
              : Buffer.from(r.value);
        if (b.length > 0) {
          this.chunks.push(b);
          this.length += b.length;
        }
      }
    }
    return Math.min(n, this.length);
  }

  /** Up to `n` bytes, at least one unless the input is over (then an empty buffer). */
  async some(n: number): Promise<Buffer> {
    await this.fill(1);
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    const out = first.length <= n ? first : first.subarray(0, n);
    if (out === first) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= out.length;
    this.consumed += out.length;
    return out;
  }

  /** Exactly `n` bytes, or fewer if the input ended first. */
  async exact(n: number): Promise<Buffer> {
    await this.fill(n);
    const parts: Buffer[] = [];
    let want = n;
    while (want > 0) {
      const b = await this.some(want);
      if (b.length === 0) break;
      parts.push(b);
      want -= b.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}

const cString = (b: Buffer): string => {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
};

/** A numeric header field: octal text, or GNU base-256 when the top bit is set. */
function numeric(b: Buffer): number {
  if (b[0] & 0x80) {
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i];
    return v;
  }
  const text = cString(b).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = numeric(h.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}

/** pax records: "<len> key=value\n" … */
function paxRecords(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < b.length) {
    const sp = b.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(b.subarray(i, sp).toString(), 10);
    if (!(len > 0)) break;
    const rec = b.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** An archive's own path as shown in a message: control characters escaped (archives are hostile). */
export const shownPath = (name: string): string =>
  name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Errors in the archive name the archive (`label`) and what was wrong. */
export class ArchiveError extends UsageError {}

/** Reads tar entries from a byte stream. Metadata entries (pax, GNU long names) are folded in. */
export async function* readTar(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  label: string,
): AsyncGenerator<TarEntry> {
  const src = new ByteSource(input[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  let sawEntry = false;
  for (;;) {
    const header = await src.exact(BLOCK);
    if (header.length === 0) {
      if (!sawEntry) throw new ArchiveError(`${label}: empty input, expected a tar archive`);
      return; // no end-of-archive blocks: accepted, as GNU tar does
    }
    if (header.length < BLOCK) {
      if (!sawEntry) throw new ArchiveError(`${label}: not a tar archive (only ${header.length} bytes)`);
      throw new ArchiveError(`${label}: truncated tar archive (ends inside a header at byte ${src.consumed})`);
    }
    if (header.every((x) => x === 0)) return;
    if (!checksumOk(header)) {
      throw new ArchiveError(`${label}: not a tar archive (bad header checksum at byte ${src.consumed - BLOCK})`);
    }
    sawEntry = true;
    const type = String.fromCharCode(header[156] || 0x30);
    const size = pax.size !== undefined ? Number(pax.size) : numeric(header.subarray(124, 136));
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > 1024 * 1024)
        throw new ArchiveError(`${label}: tar metadata entry of ${size} bytes (expected under 1 MiB)`);
      const body = await src.exact(padded);
      if (body.length < padded)
        throw new ArchiveError(`${label}: truncated tar archive (ends inside a metadata entry)`);
      const data = body.subarray(0, size);
      if (type === 'x') pax = { ...pax, ...paxRecords(data) };
      else if (type === 'L') longName = cString(data);
      else if (type === 'K') longLink = cString(data);
      continue;
    }
    const ustar = header.subarray(257, 262).toString() === 'ustar';
    const prefix = ustar ? cString(header.subarray(345, 500)) : '';
    let name =
      pax.path ??
      longName ??
      (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    const linkName = pax.linkpath ?? longLink ?? cString(header.subarray(157, 257));
    pax = {};
    longName = longLink = undefined;
    name = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    let remaining = type === '0' || type === '7' ? size : type === '5' || type === '1' || type === '2' ? 0 : size;
    const entryName = shownPath(name);
    async function* body(): AsyncGenerator<Buffer> {
      while (remaining > 0) {
        const b = await src.some(Math.min(remaining, 1024 * 1024));
        if (b.length === 0)
          throw new ArchiveError(
            `${label}: truncated tar archive (${entryName} ends after ${size - remaining} of ${size} bytes)`,
          );
        remaining -= b.length;
        yield b;
      }
    }
    const it = body();
    yield { name, type: type === '7' ? '0' : type, size: remaining, linkName, body: it };
    // Whatever the consumer left unread is skipped, then the padding.
    for await (const _ of it) void _;
    const pad =
      type === '0' || type === '7' ? padded - size : type === '5' || type === '1' || type === '2' ? 0 : padded - size;
    if (pad > 0 && (await src.exact(pad)).length < pad)
      throw new ArchiveError(`${label}: truncated tar archive (after ${entryName})`);
  }
}

/** One tar header block for a regular file or directory (ustar, pax for long names). */
export function tarHeader(
  name: string,
  size: number,
  type: '0' | '5' = '0',
  mode = type === '5' ? 0o755 : 0o644,
): Buffer {
  if (type === '5' && !name.endsWith('/')) name += '/';
  const blocks: Buffer[] = [];
  // ustar holds names up to 99 bytes and sizes under 8 GiB; pax records carry the rest.
  const records: string[] = [];
  if (Buffer.byteLength(name) > 99) records.push(`path=${name}`);
  const big = size > 0o77777777777;
  if (big) records.push(`size=${size}`);
  if (records.length > 0) {
    const record = (kv: string) => {
      let len = Buffer.byteLength(` ${kv}\n`) + 1;
      while (Buffer.byteLength(`${len} ${kv}\n`) !== len) len = Buffer.byteLength(`${len} ${kv}\n`);
      return `${len} ${kv}\n`;
    };
    const data = Buffer.from(records.map(record).join(''));
    blocks.push(
      rawHeader('PaxHeader', data.length, 'x', 0o644),
      data,
      Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK),
    );
  }
  blocks.push(rawHeader(name.slice(0, 99), big ? 0 : size, type, mode));
  return Buffer.concat(blocks);
}

function rawHeader(name: string, size: number, type: string, mode: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(mode.toString(8).padStart(7, '0'), 100);
  h.write('0000000', 108);
  h.write('0000000', 116);
  h.write(size.toString(8).padStart(11, '0'), 124);
  h.write('00000000000', 136);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'binary');
  h.fill(32, 148, 156);
  let sum = 0;
  for (const x of h) sum += x;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'binary');
  return h;
}

/** Zero bytes that complete an entry of `size` bytes to a whole block. */
export const tarPadding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
/** The end-of-archive marker. */
export const TAR_END = Buffer.alloc(BLOCK * 2);
