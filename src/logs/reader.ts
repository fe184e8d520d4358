// Reading a container log file the way `crictl logs` does (the kubelet's log reader in
// k8s.io/cri-client/pkg/logs): whole, or from the last N lines (found by reading backwards, so a
// huge file is never read whole), or following it across rotations until the container exits.
// Records are handled as bytes and a record's message is passed on as it is read, so a line of
// any length needs no more memory than one read block; output waits for a slow reader.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import {
  formatLogTime,
  logTimeNanos,
  parseCriHeader,
  parseDockerLine,
  type CriHeader,
  type LogStream,
  type LogTime,
} from './format.js';
import { sleep } from '../sleep.js';

export interface LogOptions {
  /** Last N lines only (-1 or undefined: all). */
  tail?: number;
  /** Only entries at or after this time (nanoseconds since the epoch). */
  sinceNanos?: bigint;
  timestamps?: boolean;
  /** Stop after this many bytes of output (-1 or undefined: no limit). */
  limitBytes?: number;
  /** Only this stream. */
  stream?: LogStream;
}

/** One record of the log, whole (for readers that want records rather than bytes). */
export interface LogRecord {
  /** The record's timestamp as written in the file (CRI); Docker JSON times are formatted as RFC 3339. */
  time: string;
  stream: LogStream;
  /** A partial record (tag P): the line continues in the next record. */
  partial: boolean;
  /** The message, without the newline that ends the record. */
  message: Buffer;
}

/** Where printed bytes go. `write` must copy what it keeps (the reader reuses its buffer). */
export interface LogSink {
  write(stream: LogStream, bytes: Uint8Array): void;
  /**
   * When present, the printer hands on whole records here instead of bytes to `write` (--tail,
   * --since and --stream still apply; timestamps and --limit-bytes do not).
   */
  record?(record: LogRecord): void;
  /** Hands on what was written; resolves when more may be written. */
  flush(): Promise<void> | void;
  /** True once the output is gone (its reader went away): reading stops. */
  readonly closed?: boolean;
}

/** A log whose first line is neither a CRI nor a Docker JSON record (crictl refuses it too). */
export class LogFormatError extends Error {}

const BLOCK = 64 * 1024;
/** A CRI header (time, stream, tag) longer than this is not one. */
const HEAD_MAX = 4096;
/** The first line decides the format; one that is no CRI record is read whole (up to this) to try JSON. */
const FIRST_LINE_MAX = 16 * 1024 * 1024;
/** In record mode, a message longer than this is handed on in pieces (all but the last partial). */
const RECORD_MAX = 1024 * 1024;
/** Long reads give the event loop a turn this often (ms), so signals are handled promptly. */
const YIELD_MS = 10;

const NEWLINE = Buffer.from('\n');
const SPACE = Buffer.from(' ');

const HEAD = 0; // reading a record's header (up to the space after its tag)
const BODY = 1; // passing a CRI record's message on, up to its newline
const SKIP = 2; // skipping a malformed line
const LINE = 3; // collecting a whole line (Docker JSON)

/** Offset where the last `lines` lines begin, found as crictl does: after the (lines+1)-th
 *  newline from the end (a last line without newline is not counted). */
export function tailOffset(fd: number, size: number, lines: number): number {
  if (lines < 0) return 0;
  const buf = Buffer.allocUnsafe(BLOCK);
  let pos = size;
  let newlines = 0;
  while (pos > 0) {
    const len = Math.min(BLOCK, pos);
    pos -= len;
    readSync(fd, buf, 0, len, pos);
    for (let i = buf.lastIndexOf(0x0a, len - 1); i >= 0; i = i > 0 ? buf.lastIndexOf(0x0a, i - 1) : -1) {
      if (++newlines > lines) return pos + i + 1;
    }
  }
  return 0;
}

/**
 * Turns raw file bytes into output, as the kubelet's reader does: the first line decides the
 * format; each record's message is printed as written (partial records too, with no newline of
 * their own); -t prefixes a record that starts a line; --since, --stream, --limit-bytes and (when
 * not following) --tail's record count apply. Keeps its state across chunks.
 */
export class LogPrinter {
  private format: 'cri' | 'docker' | undefined;
  private state = HEAD;
  private readonly head = Buffer.allocUnsafe(HEAD_MAX);
  private headLength = 0;
  private spaces = 0;
  private lineParts: Buffer[] = [];
  private lineLength = 0;
  private record: CriHeader | undefined;
  private shown = false;
  private bodyLength = 0;
  /** Record mode: the current record's time as written, and its message so far. */
  private recordTime = '';
  private recordParts: Buffer[] = [];
  private recordLength = 0;
  /** The next record starts a new line (the kubelet's isNewLine). */
  private newLine = true;
  private remain: number;
  private recordsLeft: number;
  done = false;

  constructor(
    private readonly opts: LogOptions,
    private readonly sink: LogSink,
    follow = false,
  ) {
    this.remain = opts.limitBytes !== undefined && opts.limitBytes >= 0 ? opts.limitBytes : Infinity;
    this.recordsLeft = !follow && opts.tail !== undefined && opts.tail >= 0 ? opts.tail : Infinity;
    if (this.recordsLeft === 0) this.done = true;
  }

  /** Feeds bytes read from the file (any chunking; `buf` may be reused after the call). */
  feed(buf: Buffer): void {
    let i = 0;
    while (i < buf.length && !this.done) {
      if (this.state === HEAD && this.format === 'docker') this.state = LINE;
      if (this.state === HEAD) {
        i = this.readHead(buf, i);
        continue;
      }
      const nl = buf.indexOf(0x0a, i);
      const stop = nl < 0 ? buf.length : nl;
      if (this.state === BODY && stop > i) this.body(buf.subarray(i, stop));
      if (this.state === LINE && stop > i) this.collect(buf.subarray(i, stop));
      if (nl < 0) return;
      if (this.state === BODY) this.endCriRecord(true);
      else if (this.state === LINE) this.endLine();
      this.state = HEAD;
      i = nl + 1;
    }
  }

  /** The end of the input: a last line without its newline is a record too (as in crictl). */
  finish(): void {
    if (this.done) return;
    if (this.state === BODY) this.endCriRecord(false);
    else if (this.state === LINE) this.endLine();
    else if (this.state === HEAD && this.headLength > 0) this.endShortLine();
    this.resetLine();
  }

  /** Forgets a line in progress (its file was rotated or truncated under it). */
  resetLine(): void {
    this.state = HEAD;
    this.headLength = 0;
    this.spaces = 0;
    this.lineParts = [];
    this.lineLength = 0;
    this.record = undefined;
    this.recordParts = [];
    this.recordLength = 0;
  }

  private readHead(buf: Buffer, start: number): number {
    let j = start;
    let complete = false;
    let newline = false;
    for (; j < buf.length; j++) {
      const c = buf[j];
      if (c === 0x0a) {
        newline = true;
        break;
      }
      if (c === 0x20 && ++this.spaces === 3) {
        j++;
        complete = true;
        break;
      }
    }
    if (this.headLength + (j - start) > HEAD_MAX) {
      // Too long to be a CRI header: the first line may still be JSON; any other line is skipped.
      if (this.format === undefined) {
        this.collect(this.head.subarray(0, this.headLength));
        this.collect(buf.subarray(start, j));
        this.state = LINE;
        if (newline) {
          this.endLine();
          this.state = HEAD;
        }
      } else {
        this.state = newline ? HEAD : SKIP;
      }
      this.headLength = 0;
      this.spaces = 0;
      return newline ? j + 1 : j;
    }
    buf.copy(this.head, this.headLength, start, j);
    this.headLength += j - start;
    if (complete) this.startCriRecord();
    else if (newline) {
      this.endShortLine();
      return j + 1;
    }
    return j;
  }

  private startCriRecord(): void {
    const header = parseCriHeader(this.head.subarray(0, this.headLength));
    if (!header) {
      if (this.format === undefined) {
        this.collect(this.head.subarray(0, this.headLength));
        this.state = LINE;
      } else {
        this.state = SKIP;
      }
      this.headLength = 0;
      this.spaces = 0;
      return;
    }
    // Record mode hands the time on as written (the header's first field).
    if (this.sink.record) this.recordTime = this.head.toString('latin1', 0, this.head.indexOf(0x20));
    this.headLength = 0;
    this.spaces = 0;
    this.format = 'cri';
    this.record = header;
    this.bodyLength = 0;
    this.state = BODY;
    this.shown = this.wanted(header.time, header.stream);
    if (this.shown && !this.sink.record) this.prefix(header.stream, header.time);
  }

  private body(bytes: Buffer): void {
    this.bodyLength += bytes.length;
    if (!this.shown) return;
    if (!this.sink.record) {
      this.emit(this.record!.stream, bytes);
      return;
    }
    // Record mode copies the message (the caller reuses `bytes`); a huge one goes out in pieces.
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(bytes.length - at, RECORD_MAX - this.recordLength);
      this.recordParts.push(Buffer.from(bytes.subarray(at, at + take)));
      this.recordLength += take;
      at += take;
      if (this.recordLength === RECORD_MAX) this.handOnRecord(true);
    }
  }

  /** Record mode: passes on the message collected so far. */
  private handOnRecord(partial: boolean): void {
    const message = this.recordParts.length === 1 ? this.recordParts[0] : Buffer.concat(this.recordParts);
    this.recordParts = [];
    this.recordLength = 0;
    this.sink.record?.({ time: this.recordTime, stream: this.record!.stream, partial, message });
  }

  private endCriRecord(terminated: boolean): void {
    const partial = this.record!.partial;
    if (this.sink.record) {
      if (this.shown) this.handOnRecord(partial);
      this.record = undefined;
      this.counted();
      return;
    }
    // A partial record's newline only ends the record in the file; a full one's is printed.
    if (terminated && !partial && this.shown) this.emit(this.record!.stream, NEWLINE);
    this.newLine = this.bodyLength === 0 || (terminated && !partial);
    this.record = undefined;
    this.counted();
  }

  /** A line that ended (newline or end of input) before its header did: no CRI record. */
  private endShortLine(): void {
    const line = Buffer.from(this.head.subarray(0, this.headLength));
    this.headLength = 0;
    this.spaces = 0;
    if (this.format === undefined) this.decideJson(line);
    else if (this.format === 'docker') this.dockerRecord(line);
  }

  private collect(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.lineLength += bytes.length;
    if (this.format === undefined && this.lineLength > FIRST_LINE_MAX)
      throw new LogFormatError('unsupported log format: the first line is neither a CRI nor a Docker JSON record');
    this.lineParts.push(Buffer.from(bytes));
  }

  private endLine(): void {
    const line = this.lineParts.length === 1 ? this.lineParts[0] : Buffer.concat(this.lineParts, this.lineLength);
    this.lineParts = [];
    this.lineLength = 0;
    if (this.format === undefined) this.decideJson(line);
    else this.dockerRecord(line);
  }

  private decideJson(line: Buffer): void {
    if (!parseDockerLine(line))
      throw new LogFormatError(
        `unsupported log format: the first line is neither a CRI nor a Docker JSON record: ${JSON.stringify(line.subarray(0, 80).toString('latin1'))}`,
      );
    this.format = 'docker';
    this.dockerRecord(line);
  }

  private dockerRecord(line: Buffer): void {
    const r = parseDockerLine(line);
    if (!r) return; // malformed lines are skipped
    const since = this.opts.sinceNanos;
    if (since === undefined || logTimeNanos(r.time) >= since) {
      if (r.stream !== 'stdout' && r.stream !== 'stderr')
        throw new LogFormatError(`unexpected stream type ${JSON.stringify(r.stream)}`);
      if (!this.opts.stream || this.opts.stream === r.stream) {
        if (this.sink.record) {
          const ends = r.log.length > 0 && r.log[r.log.length - 1] === 0x0a;
          const message = ends ? r.log.subarray(0, r.log.length - 1) : r.log;
          this.sink.record({ time: formatLogTime(r.time), stream: r.stream, partial: !ends, message });
        } else if (this.remain === 0) this.done = true;
        else {
          this.prefix(r.stream, r.time);
          this.emit(r.stream, r.log);
        }
      }
    }
    this.newLine = r.log.length === 0 || r.log[r.log.length - 1] === 0x0a;
    this.counted();
  }

  private wanted(time: LogTime, stream: LogStream): boolean {
    const since = this.opts.sinceNanos;
    if (since !== undefined && logTimeNanos(time) < since) return false;
    if (this.opts.stream && this.opts.stream !== stream) return false;
    // --limit-bytes 0: the kubelet stops at the first record it would print.
    if (this.remain === 0) this.done = true;
    return !this.done;
  }

  private prefix(stream: LogStream, time: LogTime): void {
    if (!this.opts.timestamps || !this.newLine) return;
    this.emit(stream, Buffer.from(formatLogTime(time), 'latin1'));
    this.emit(stream, SPACE);
  }

  private emit(stream: LogStream, bytes: Uint8Array): void {
    if (this.done) return;
    if (bytes.length >= this.remain) {
      this.sink.write(stream, bytes.subarray(0, this.remain));
      this.remain = 0;
      this.done = true;
      return;
    }
    this.remain -= bytes.length;
    this.sink.write(stream, bytes);
  }

  private counted(): void {
    if (--this.recordsLeft === 0) this.done = true;
  }
}

/** The last bytes read before an offset, to notice a file truncated and rewritten between polls. */
class ReadMark {
  private readonly bytes = Buffer.alloc(64);
  private length = 0;

  /** Records that `buf` was read just before the new offset. */
  advance(buf: Buffer): void {
    const size = this.bytes.length;
    if (buf.length >= size) {
      buf.copy(this.bytes, 0, buf.length - size);
      this.length = size;
      return;
    }
    const keep = Math.min(this.length, size - buf.length);
    this.bytes.copyWithin(0, this.length - keep, this.length);
    buf.copy(this.bytes, keep);
    this.length = keep + buf.length;
  }

  reset(): void {
    this.length = 0;
  }

  /** True when the bytes before `offset` are no longer the ones read there. */
  changed(fd: number, offset: number): boolean {
    if (this.length === 0) return fstatSync(fd).size < offset;
    const now = Buffer.allocUnsafe(this.length);
    const n = readSync(fd, now, 0, this.length, offset - this.length);
    return n !== this.length || !now.equals(this.bytes.subarray(0, this.length));
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Reads the file from `offset` to its current end through the printer; returns the new offset.
 *  Waits for the output between blocks and gives the event loop a turn (and `onTurn` a call)
 *  now and then. */
async function pump(
  fd: number,
  offset: number,
  printer: LogPrinter,
  sink: LogSink,
  buf: Buffer,
  mark?: ReadMark,
  signal?: AbortSignal,
  onTurn?: () => void,
): Promise<number> {
  let lastTurn = Date.now();
  for (;;) {
    if (printer.done || signal?.aborted || sink.closed) return offset;
    const n = readSync(fd, buf, 0, buf.length, offset);
    if (n <= 0) return offset;
    const chunk = buf.subarray(0, n);
    printer.feed(chunk);
    mark?.advance(chunk);
    offset += n;
    await sink.flush();
    if (Date.now() - lastTurn >= YIELD_MS) {
      onTurn?.();
      await turn();
      lastTurn = Date.now();
    }
  }
}

export interface PrintOptions {
  /** Newest line first (a crictl-ts extension; holds the output in memory). */
  reverse?: boolean;
  signal?: AbortSignal;
}

/** Prints a log file once (no follow). */
export async function printLog(
  path: string,
  opts: LogOptions,
  sink: LogSink,
  { reverse = false, signal }: PrintOptions = {},
): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = opts.tail !== undefined && opts.tail >= 0 ? tailOffset(fd, size, opts.tail) : 0;
    const buf = Buffer.allocUnsafe(BLOCK);
    if (!reverse) {
      const printer = new LogPrinter(opts, sink);
      await pump(fd, start, printer, sink, buf, undefined, signal);
      if (!signal?.aborted && !sink.closed) printer.finish();
      await sink.flush();
      return;
    }
    // Collect the output as lines (a line ends with a newline or where the stream changes),
    // then print them newest first, applying --limit-bytes from the newest.
    const lines: [LogStream, Buffer][] = [];
    let current: Buffer[] = [];
    let currentStream: LogStream = 'stdout';
    const end = () => {
      if (current.length > 0) lines.push([currentStream, Buffer.concat(current)]);
      current = [];
    };
    const collector: LogSink = {
      write: (stream, bytes) => {
        if (stream !== currentStream) end();
        currentStream = stream;
        current.push(Buffer.from(bytes));
        if (bytes[bytes.length - 1] === 0x0a) end();
      },
      flush: () => undefined,
    };
    const printer = new LogPrinter({ ...opts, limitBytes: undefined }, collector);
    await pump(fd, start, printer, collector, buf, undefined, signal);
    if (!signal?.aborted) printer.finish();
    end();
    let budget = opts.limitBytes !== undefined && opts.limitBytes >= 0 ? opts.limitBytes : Infinity;
    let lastTurn = Date.now();
    for (let i = lines.length - 1; i >= 0 && budget > 0 && !signal?.aborted && !sink.closed; i--) {
      const [stream, bytes] = lines[i];
      sink.write(stream, bytes.length > budget ? bytes.subarray(0, budget) : bytes);
      budget -= bytes.length;
      await sink.flush();
      if (Date.now() - lastTurn >= YIELD_MS) {
        await turn();
        lastTurn = Date.now();
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** A followed file: an open descriptor and the identity of the file it reads. */
interface Followed {
  fd: number;
  id: string;
}

function openFollowed(path: string): Followed {
  const fd = openSync(path, 'r');
  const st = fstatSync(fd);
  return { fd, id: `${st.dev}:${st.ino}` };
}

/** Identity of the file at `path` now (undefined while there is none). */
function fileId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** `check`'s answer, or true at once if `signal` aborts first (the caller then sees the abort). */
function unlessAborted(check: Promise<boolean>, signal?: AbortSignal): Promise<boolean> {
  if (!signal) return check;
  return new Promise((resolve, reject) => {
    const aborted = () => resolve(true);
    if (signal.aborted) return resolve(true);
    signal.addEventListener('abort', aborted, { once: true });
    check.then(
      (v) => {
        signal.removeEventListener('abort', aborted);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', aborted);
        reject(err);
      },
    );
  });
}

/**
 * Prints the log, then keeps printing what is appended until `stillRunning` says the container
 * is gone or `signal` aborts: across rotations and truncation (a file cut and rewritten between
 * two polls is read again from its start). Each new file that appears at `path` is opened as soon
 * as it is seen (also while catching up), so a file rotated away again before the reader got to
 * it is still read; the reader moves on to it once the runtime has written to it, which it does
 * only after its last write to the old file, so no line is lost or repeated.
 */
export async function followLog(
  path: string,
  opts: LogOptions,
  sink: LogSink,
  stillRunning: () => Promise<boolean>,
  signal?: AbortSignal,
  pollMs = 100,
): Promise<void> {
  const printer = new LogPrinter(opts, sink, true);
  const buf = Buffer.allocUnsafe(BLOCK);
  const mark = new ReadMark();
  let current = openFollowed(path);
  const next: Followed[] = [];
  let offset =
    opts.tail !== undefined && opts.tail >= 0 ? tailOffset(current.fd, fstatSync(current.fd).size, opts.tail) : 0;
  let lastCheck = Date.now();
  const stopped = () => printer.done || signal?.aborted === true || sink.closed === true;
  const known = (id: string) => id === current.id || next.some((f) => f.id === id);
  const watch = () => {
    const seen = fileId(path);
    if (seen === undefined || known(seen)) return;
    try {
      const f = openFollowed(path);
      if (known(f.id)) closeSync(f.fd);
      else next.push(f);
    } catch {
      // gone again: the next look finds its successor
    }
  };
  const moveOn = () => {
    closeSync(current.fd);
    current = next.shift()!;
    offset = 0;
    printer.resetLine();
    mark.reset();
  };
  const read = async () => {
    offset = await pump(current.fd, offset, printer, sink, buf, mark, signal, watch);
  };
  try {
    for (;;) {
      await read();
      if (stopped()) return;
      watch();
      if (next.length > 0 && fstatSync(next[0].fd).size > 0) {
        // The runtime writes to the new file: the old one is complete. Finish it, move on.
        await read();
        if (stopped()) return;
        moveOn();
        continue;
      }
      if (mark.changed(current.fd, offset)) {
        // Truncated in place (and perhaps written again): read it from its start.
        offset = 0;
        printer.resetLine();
        mark.reset();
        continue;
      }
      if (Date.now() - lastCheck >= 1000) {
        lastCheck = Date.now();
        if (!(await unlessAborted(stillRunning(), signal))) {
          // Gone: read what is left, in this file and in any it was rotated to.
          await read();
          watch();
          while (!stopped() && next.length > 0) {
            moveOn();
            await read();
          }
          if (!stopped()) printer.finish();
          await sink.flush();
          return;
        }
        if (stopped()) return;
      }
      await sleep(pollMs, signal);
    }
  } finally {
    closeSync(current.fd);
    for (const f of next) closeSync(f.fd);
  }
}
