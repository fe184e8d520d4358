// Writing output that may be large, with backpressure: a slow reader (or a pipe nobody reads)
// holds the command back instead of filling memory, and a reader that went away (EPIPE, as in
// `crictl ps | head -1`) ends the writing quietly.

import type { Writable } from 'node:stream';

/** process.stdout, a socket, a test's PassThrough. */
export type OutputStream = Writable;

/** True once nothing more can be written to the stream (closed, or its reader went away). */
export function isClosed(stream: OutputStream): boolean {
  return stream.destroyed || stream.writableEnded;
}

/** Resolves when the stream can take more: at once unless its buffer is full, else on 'drain'
 *  (or when it closes, fails with EPIPE, or `signal` aborts). Rejects on other write errors. */
export function whenWritable(stream: OutputStream, signal?: AbortSignal): Promise<void> {
  if (!stream.writableNeedDrain || isClosed(stream) || signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: NodeJS.ErrnoException) => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      signal?.removeEventListener('abort', aborted);
      if (err && err.code !== 'EPIPE') reject(err);
      else resolve();
    };
    const aborted = () => done();
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Text is written in slices of this many UTF-16 units, so a huge string is never encoded whole. */
const SLICE = 1 << 20;

/** Writes text or bytes and resolves when the stream can take more (see whenWritable). */
export async function writeOut(stream: OutputStream, data: string | Uint8Array): Promise<void> {
  if (typeof data !== 'string' || data.length <= SLICE) {
    if (!isClosed(stream)) stream.write(data);
    return whenWritable(stream);
  }
  for (let i = 0; i < data.length && !isClosed(stream); ) {
    let end = Math.min(i + SLICE, data.length);
    // Never cut between the two halves of a surrogate pair (each half alone would print as U+FFFD).
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
    stream.write(data.slice(i, end));
    i = end;
    await whenWritable(stream);
  }
}

/**
 * Output for two streams (stdout, stderr) written in many small pieces: pieces are copied into
 * blocks and handed on a block at a time, in the order they were written across both streams.
 * `flush()` hands on what is pending and waits until both streams can take more.
 */
export class PairedOutput {
  private block: Buffer;
  private length = 0;
  private target: 'stdout' | 'stderr' = 'stdout';

  constructor(
    private readonly streams: { stdout: OutputStream; stderr: OutputStream },
    private readonly blockSize = 64 * 1024,
    /** Stops waiting for a reader (ctrl-c must not wait for a pipe nobody reads). */
    private readonly signal?: AbortSignal,
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
  }

  /** Copies `bytes` (the caller may reuse its buffer) for `which` stream. */
  write(which: 'stdout' | 'stderr', bytes: Uint8Array): void {
    if (which !== this.target && this.length > 0) this.handOn();
    this.target = which;
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, this.blockSize - this.length);
      this.block.set(bytes.subarray(at, at + n), this.length);
      this.length += n;
      at += n;
      if (this.length === this.blockSize) this.handOn();
    }
  }

  async flush(): Promise<void> {
    if (this.length > 0) this.handOn();
    await whenWritable(this.streams.stdout, this.signal);
    await whenWritable(this.streams.stderr, this.signal);
  }

  /** True once either stream can no longer be written. */
  get closed(): boolean {
    return isClosed(this.streams.stdout) || isClosed(this.streams.stderr);
  }

  private handOn(): void {
    const stream = this.streams[this.target];
    if (!isClosed(stream)) stream.write(this.block.subarray(0, this.length));
    // The stream keeps the block until it is written: continue in a fresh one.
    this.block = Buffer.allocUnsafe(this.blockSize);
    this.length = 0;
  }
}
