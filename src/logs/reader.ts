// Reading a container log file the way `crictl logs` does: whole, from the last N lines
// (found by reading backwards in blocks, so a huge file is never read whole), and following
// it across rotations until the container exits.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { parseLogLine, timeToNanos, type LogEntry, type LogStream } from './format.js';

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

export interface LogSink {
  write(stream: LogStream, text: string): void;
}

const BLOCK = 64 * 1024;

/** Offset where the last `lines` complete lines of the file begin. */
export function tailOffset(fd: number, size: number, lines: number): number {
  if (lines < 0) return 0;
  if (lines === 0) return size;
  const buf = Buffer.allocUnsafe(BLOCK);
  let pos = size;
  let newlines = 0;
  // A final newline ends the last line rather than starting an empty one.
  let skipFirst = true;
  while (pos > 0) {
    const len = Math.min(BLOCK, pos);
    pos -= len;
    readSync(fd, buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipFirst = false;
        continue;
      }
      if (skipFirst) {
        skipFirst = false;
        continue;
      }
      if (++newlines === lines) return pos + i + 1;
    }
  }
  return 0;
}

/**
 * Turns raw file bytes into output: splits lines, joins partial entries, applies since/stream/
 * timestamps/limit. Keeps state across chunks so a followed file can be fed piece by piece.
 */
export class LogPrinter {
  private rest = '';
  private partial: LogEntry | undefined;
  private written = 0;
  done = false;

  constructor(private readonly opts: LogOptions, private readonly sink: LogSink) {}

  /** Feeds bytes read from the file (any chunking). */
  feed(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && !this.done; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  private line(raw: string): void {
    const entry = parseLogLine(raw);
    if (!entry) return;
    if (!entry.full) {
      // Hold partial chunks until the entry that completes the line.
      this.partial = this.partial ? { ...this.partial, message: this.partial.message + entry.message } : entry;
      return;
    }
    const whole = this.partial ? { ...this.partial, full: true, message: this.partial.message + entry.message } : entry;
    this.partial = undefined;
    this.emit(whole);
  }

  private emit(entry: LogEntry): void {
    const { sinceNanos, stream, timestamps, limitBytes } = this.opts;
    if (stream && entry.stream !== stream) return;
    if (sinceNanos !== undefined) {
      const t = timeToNanos(entry.time);
      if (t !== undefined && t < sinceNanos) return;
    }
    let text = `${timestamps ? `${entry.time} ` : ''}${entry.message}\n`;
    if (limitBytes !== undefined && limitBytes >= 0) {
      const left = limitBytes - this.written;
      const bytes = Buffer.byteLength(text);
      if (bytes >= left) {
        text = Buffer.from(text).subarray(0, left).toString();
        this.done = true;
      }
      this.written += Math.min(bytes, left);
    }
    if (text) this.sink.write(entry.stream, text);
  }
}

/** Reads `path` from `offset` to its current end through the printer; returns the new offset. */
export function drain(fd: number, offset: number, printer: LogPrinter): number {
  const buf = Buffer.allocUnsafe(BLOCK);
  for (;;) {
    if (printer.done) return offset;
    const n = readSync(fd, buf, 0, BLOCK, offset);
    if (n <= 0) return offset;
    printer.feed(buf.toString('utf8', 0, n));
    offset += n;
  }
}

/** Prints a log file once (no follow). With `reverse`, newest line first. */
export function printLog(path: string, opts: LogOptions, sink: LogSink, reverse = false): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = opts.tail !== undefined && opts.tail >= 0 ? tailOffset(fd, size, opts.tail) : 0;
    if (!reverse) {
      drain(fd, start, new LogPrinter(opts, sink));
      return;
    }
    const lines: [LogStream, string][] = [];
    drain(fd, start, new LogPrinter({ ...opts, limitBytes: undefined }, { write: (s, t) => lines.push([s, t]) }));
    // Re-run the limit over the reversed lines so --limit-bytes counts from the newest.
    let budget = opts.limitBytes !== undefined && opts.limitBytes >= 0 ? opts.limitBytes : Infinity;
    for (let i = lines.length - 1; i >= 0 && budget > 0; i--) {
      const [stream, text] = lines[i];
      const bytes = Buffer.byteLength(text);
      sink.write(stream, bytes > budget ? Buffer.from(text).subarray(0, budget).toString() : text);
      budget -= bytes;
    }
  } finally {
    closeSync(fd);
  }
}

/** Identity of a file, to notice when a rotation put a new file at the same path. */
function fileId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Prints the log, then keeps printing what is appended, across rotations (the old file is
 * drained before the new one is opened, so no line is lost or repeated), until `stillRunning`
 * says the container is gone or `signal` aborts.
 */
export async function followLog(
  path: string,
  opts: LogOptions,
  sink: LogSink,
  stillRunning: () => Promise<boolean>,
  signal?: AbortSignal,
  pollMs = 100,
): Promise<void> {
  const printer = new LogPrinter(opts, sink);
  let fd = openSync(path, 'r');
  let id = `${fstatSync(fd).dev}:${fstatSync(fd).ino}`;
  let offset = opts.tail !== undefined && opts.tail >= 0 ? tailOffset(fd, fstatSync(fd).size, opts.tail) : 0;
  let lastCheck = Date.now();
  try {
    for (;;) {
      offset = drain(fd, offset, printer);
      if (printer.done || signal?.aborted) return;
      const current = fileId(path);
      if (current !== undefined && current !== id) {
        // Rotated: finish the old file, then start the new one from its beginning.
        offset = drain(fd, offset, printer);
        closeSync(fd);
        fd = openSync(path, 'r');
        id = current;
        offset = 0;
        continue;
      }
      if (fstatSync(fd).size < offset) offset = 0; // truncated in place
      if (Date.now() - lastCheck >= 1000) {
        lastCheck = Date.now();
        if (!(await stillRunning())) {
          drain(fd, offset, printer);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    closeSync(fd);
  }
}
