// A SPDY/3.1 client session over an upgraded HTTP connection, with streams as Node duplexes.
// Just what the Kubernetes streaming protocols need: the client opens every stream, the server
// replies, data flows both ways, either side half-closes with FIN or aborts with RST_STREAM.
// No SPDY flow control: spdystream (the server side) neither sends nor honours WINDOW_UPDATE;
// instead, a stream whose reader falls behind pauses reading the connection (TCP backpressure),
// as Go's spdystream does when a stream's consumer blocks.
import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import {
  controlStreamId,
  dataFrameHeader,
  decodeHeaderBlock,
  encodeData,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynStream,
  FLAG_FIN,
  type Frame,
  FrameParser,
  FrameType,
  HEADER_DICTIONARY,
  headerBlockOffset,
  RstStatus,
  SpdyProtocolError,
} from './spdy-frames.js';
import { MAX_SPDY_CONTROL_FRAME, MAX_SPDY_FRAME, noteMoved } from './limits.js';

/** Data frames we send are cut to this size so one busy stream does not hog the connection. */
const DATA_CHUNK = 64 * 1024;

/** How much a stream buffers for its reader before the connection stops being read, and for its writer. */
const STREAM_BUFFER = 256 * 1024;

/** The key the inbound queue throttles the connection under (no stream has ID 0). */
const QUEUE = 0;

/**
 * One direction of SPDY header compression: a single zlib stream that lives as long as the
 * connection, flushed (Z_SYNC_FLUSH) after every header block. Calls must not overlap; the
 * session serialises them.
 */
class HeaderCodec {
  private readonly z: zlib.Deflate | zlib.Inflate;
  private failure: Error | undefined;

  constructor(kind: 'deflate' | 'inflate') {
    this.z =
      kind === 'deflate'
        ? zlib.createDeflate({ dictionary: HEADER_DICTIONARY })
        : zlib.createInflate({ dictionary: HEADER_DICTIONARY });
    this.z.on('error', (err) => (this.failure = err));
  }

  run(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      // Corrupt input errors the zlib stream, and then the flush never calls back.
      const onError = (err: Error) => reject(new Error(`bad header block: ${err.message}`));
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.z.off('error', onError);
        if (this.failure) return reject(this.failure);
        // Nothing reads in flowing mode, so everything the flush produced is buffered here.
        const out: Buffer[] = [];
        for (let chunk: Buffer | null; (chunk = this.z.read() as Buffer | null) !== null; ) out.push(chunk);
        resolve(Buffer.concat(out));
      });
    });
  }

  close(): void {
    this.z.close();
  }
}

/** One SPDY stream. Write to send DATA, end() to half-close (FIN); reading ends at the peer's FIN or RST. */
export class SpdyStream extends Duplex {
  /** Set when the peer reset the stream (RST_STREAM status), which also ends reading. */
  resetStatus: number | undefined;
  private localClosed = false;
  private remoteClosed = false;
  private replied = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    // A writer may run this far ahead of the connection (then _writev sends its queue at once).
    super({ allowHalfOpen: true, readableHighWaterMark: STREAM_BUFFER, writableHighWaterMark: STREAM_BUFFER });
  }

  /** Resolves once the server has accepted the stream (SYN_REPLY); rejects if it refused it. */
  waitReply(): Promise<void> {
    if (this.replied) return Promise.resolve();
    if (this.resetStatus !== undefined)
      return Promise.reject(new Error(`stream ${this.describe()} was refused (status ${this.resetStatus})`));
    if (this.sessionGone) return Promise.reject(this.sessionGoneError());
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        this.off('reply', onReply);
        this.off('reset', onReset);
        this.off('session-closed', onGone);
        if (err) reject(err);
        else resolve();
      };
      const onReply = () => settle();
      const onReset = (status: number) => settle(new Error(`stream ${this.describe()} was refused (status ${status})`));
      const onGone = () => settle(this.sessionGoneError());
      this.on('reply', onReply);
      this.on('reset', onReset);
      this.on('session-closed', onGone);
    });
  }

  private sessionGone = false;

  private sessionGoneError(): Error {
    const failure = this.session.failure;
    return new StreamClosedError(
      failure ? failure.message : 'the server closed the connection before accepting the streams',
      failure,
    );
  }

  /** Aborts the stream in both directions. */
  reset(status: number = RstStatus.CANCEL): void {
    if (this.localClosed && this.remoteClosed) return;
    this.localClosed = true;
    this.markRemoteClosed();
    this.session.send(encodeRstStream(this.id, status)).catch(() => undefined);
  }

  override _read(): void {
    // The reader caught up: let the connection be read again.
    this.session.unthrottle(this.id);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.sendData([chunk], done);
  }

  // Everything a fast writer queued meanwhile goes out in one write (one writev call).
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.sendData(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  private sendData(chunks: Buffer[], done: (err?: Error | null) => void): void {
    // Writes after the peer reset the stream (say, stdin after the process exited) go nowhere.
    if (this.localClosed) {
      done();
      return;
    }
    // Frame headers and the caller's bytes go out side by side (the payload is never copied);
    // queued chunks share frames, since the server pays per frame, not per byte.
    const parts: Buffer[] = [];
    let frame: Buffer[] = [];
    let size = 0;
    const endFrame = () => {
      if (size > 0) parts.push(dataFrameHeader(this.id, 0, size), ...frame);
      frame = [];
      size = 0;
    };
    for (const chunk of chunks) {
      noteMoved(chunk.length);
      for (let at = 0; at < chunk.length; ) {
        const piece = chunk.subarray(at, at + DATA_CHUNK - size);
        frame.push(piece);
        size += piece.length;
        at += piece.length;
        if (size === DATA_CHUNK) endFrame();
      }
    }
    endFrame();
    this.session.send(parts).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    if (this.localClosed) {
      done();
      return;
    }
    this.localClosed = true;
    this.forgetIfDone();
    this.session.send(encodeData(this.id, FLAG_FIN, Buffer.alloc(0))).then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) this.reset();
    // Nobody will read what is buffered: it must not hold up the other streams.
    this.session.unthrottle(this.id);
    done(err);
  }

  /** @internal frames from the session */
  onData(data: Buffer, fin: boolean): void {
    if (this.remoteClosed || this.destroyed) return;
    if (data.length > 0 && !this.push(data)) this.session.throttle(this.id);
    if (fin) this.markRemoteClosed();
  }

  /** @internal */
  onReply(fin: boolean): void {
    this.replied = true;
    this.emit('reply');
    if (fin) this.markRemoteClosed();
  }

  /** @internal */
  onReset(status: number): void {
    this.resetStatus = status;
    this.localClosed = true;
    this.emit('reset', status);
    this.markRemoteClosed();
  }

  /** @internal the connection is gone: end reading, drop further writes. */
  onSessionClosed(): void {
    this.localClosed = true;
    this.sessionGone = true;
    this.emit('session-closed');
    this.markRemoteClosed();
  }

  private markRemoteClosed(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.push(null);
    this.forgetIfDone();
  }

  private forgetIfDone(): void {
    if (this.localClosed && this.remoteClosed) this.session.forget(this.id);
  }

  private describe(): string {
    return this.headers.streamtype ?? this.headers.streamType ?? String(this.id);
  }
}

/** The connection ended before the server accepted a stream. */
export class StreamClosedError extends Error {
  constructor(
    message: string,
    /** Why the connection failed; undefined when the server simply closed it. */
    readonly failure?: Error,
  ) {
    super(message);
    this.name = 'StreamClosedError';
  }
}

/** The byte stream a session runs over: an upgraded socket (or anything duplex, for tests). */
export interface SessionSocket {
  pause(): unknown;
  resume(): unknown;
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  end(): unknown;
  destroy(): unknown;
}

/**
 * The client end of a SPDY/3.1 connection. Frames go out in the order they were queued (header
 * compression is asynchronous, so even SYN_STREAM frames wait their turn on one queue).
 */
export class SpdySession {
  /** Why the connection ended, if it ended badly. */
  failure: Error | undefined;
  closed = false;
  private nextStreamId = 1;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly parser = new FrameParser(
    { maxFrame: MAX_SPDY_FRAME, maxControlFrame: MAX_SPDY_CONTROL_FRAME },
    { dataInPieces: true },
  );
  /** Streams whose readers are full; while any is, the socket is not read. */
  private readonly throttled = new Set<number>();
  /** Whether any frame has arrived (see firstFrame). */
  private heardFrom = false;
  private readonly firstFrameListeners: (() => void)[] = [];
  private readonly compressor = new HeaderCodec('deflate');
  private readonly decompressor = new HeaderCodec('inflate');
  private outbound: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  /** Frames on the inbound queue not handled yet; while there are none, data is handled at once. */
  private queuedInbound = 0;
  /** Data bytes on the inbound queue: past STREAM_BUFFER the socket is not read until it drains. */
  private queuedBytes = 0;
  private readonly closeListeners: ((failure: Error | undefined) => void)[] = [];

  constructor(
    private readonly socket: SessionSocket,
    head: Buffer = Buffer.alloc(0),
  ) {
    socket.on('data', (chunk) => this.receive(chunk));
    // Frames already received may still wait for header decompression: end after them.
    socket.on('error', (err) => this.afterInbound(() => this.shutdown(err)));
    socket.on('end', () => this.afterInbound(() => this.shutdown()));
    socket.on('close', () => this.afterInbound(() => this.shutdown()));
    if (head.length > 0) this.receive(head);
  }

  /** Opens a stream with these headers (names are sent lowercase, as SPDY requires). */
  openStream(headers: Record<string, string>): SpdyStream {
    if (this.closed) throw this.failure ?? new Error('the streaming connection is closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2; // client streams are odd
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const stream = new SpdyStream(this, id, lower);
    this.streams.set(id, stream);
    this.enqueue(async () => encodeSynStream(id, 0, await this.compressor.run(encodeHeaderBlock(lower)))).catch(
      () => undefined,
    );
    return stream;
  }

  /** Queues raw frame bytes; resolves once the socket took them (waiting for drain if it is full). */
  send(bytes: Buffer | readonly Buffer[]): Promise<void> {
    return this.enqueue(async () => bytes);
  }

  /** Resolves when the first frame arrives (or the connection ends); for an idle limit. */
  firstFrame(): Promise<void> {
    if (this.heardFrom || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.firstFrameListeners.push(resolve));
  }

  /** @internal a stream's reader is full: stop reading the connection until it catches up. */
  throttle(id: number): void {
    if (this.closed) return;
    if (this.throttled.size === 0) this.socket.pause();
    this.throttled.add(id);
  }

  /** @internal */
  unthrottle(id: number): void {
    if (this.throttled.delete(id) && this.throttled.size === 0 && !this.closed) this.socket.resume();
  }

  /** Calls back once when the connection ends, with the error if it ended badly. */
  onClose(listener: (failure: Error | undefined) => void): void {
    if (this.closed) queueMicrotask(() => listener(this.failure));
    else this.closeListeners.push(listener);
  }

  /** Says goodbye politely and closes the connection. */
  close(): void {
    if (this.closed) return;
    // We accepted no server-initiated streams, so the last good one is 0.
    this.send(encodeGoAway(0))
      .finally(() => this.socket.end())
      .catch(() => undefined);
    // Some servers never answer a GOAWAY; do not let a half-dead socket keep us alive.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Tears the connection down now. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private enqueue(make: () => Promise<Buffer | readonly Buffer[]>): Promise<void> {
    const next = this.outbound.then(async () => {
      if (this.closed) throw this.failure ?? new Error('the streaming connection is closed');
      const bytes = await make();
      await new Promise<void>((resolve, reject) => {
        const onError = (err?: Error | null) => (err ? reject(err) : undefined);
        let flushed: boolean;
        if (Buffer.isBuffer(bytes)) flushed = this.socket.write(bytes, onError);
        else {
          // Corked, the pieces leave in one writev call instead of one syscall each.
          this.socket.cork();
          flushed = true;
          for (const piece of bytes) flushed = this.socket.write(piece, onError);
          this.socket.uncork();
        }
        if (flushed) resolve();
        else this.socket.once('drain', resolve);
      });
    });
    // A failed write must not wedge the frames queued after it.
    this.outbound = next.catch(() => undefined);
    return next;
  }

  /** @internal a stream closed in both directions needs no more routing. */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private afterInbound(step: () => void): void {
    this.inbound = this.inbound.then(step);
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    noteMoved(chunk.length);
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (frames.length > 0 && !this.heardFrom) {
      this.heardFrom = true;
      for (const listener of this.firstFrameListeners.splice(0)) listener();
    }
    for (const frame of frames) {
      // The bulk of the traffic: data with nothing queued before it needs no trip through the queue.
      if (frame.kind === 'data' && this.queuedInbound === 0) {
        try {
          this.handleData(frame.streamId, frame.flags, frame.data);
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        continue;
      }
      // Header blocks decompress asynchronously; one queue keeps frames in arrival order. Data
      // that arrives meanwhile (say, right behind a SYN_REPLY) waits there, so it must be bounded.
      const bytes = frame.kind === 'data' ? frame.data.length : 0;
      this.queuedInbound++;
      this.queuedBytes += bytes;
      if (this.queuedBytes > STREAM_BUFFER) this.throttle(QUEUE);
      this.inbound = this.inbound
        .then(() => this.handle(frame))
        .catch((err: Error) => this.fail(err))
        .finally(() => {
          this.queuedInbound--;
          this.queuedBytes -= bytes;
          if (this.queuedBytes <= STREAM_BUFFER) this.unthrottle(QUEUE);
        });
    }
  }

  /** A protocol violation: the connection cannot be trusted any further. */
  private fail(err: Error): void {
    if (this.closed) return;
    this.shutdown(new Error(`SPDY protocol error: ${err.message}`));
    this.socket.destroy();
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    if (frame.kind === 'data') return this.handleData(frame.streamId, frame.flags, frame.data);
    const { type, flags, payload } = frame;
    const offset = headerBlockOffset(type);
    // Every header block must pass through the decompressor, or its state falls out of step.
    if (offset !== undefined) decodeHeaderBlock(await this.decompressor.run(payload.subarray(offset)));
    const stream = this.streams.get(controlStreamId(payload));
    const fin = (flags & FLAG_FIN) !== 0;
    switch (type) {
      case FrameType.SYN_REPLY:
        stream?.onReply(fin);
        break;
      case FrameType.HEADERS:
        if (fin) stream?.onData(Buffer.alloc(0), true);
        break;
      case FrameType.RST_STREAM:
        stream?.onReset(payload.length >= 8 ? payload.readUInt32BE(4) : 0);
        break;
      case FrameType.SYN_STREAM:
        // The Kubernetes protocols never have the server open streams.
        this.send(encodeRstStream(controlStreamId(payload), RstStatus.REFUSED_STREAM)).catch(() => undefined);
        break;
      case FrameType.PING: {
        const id = payload.readUInt32BE(0);
        if (id % 2 === 0) this.send(encodePing(id)).catch(() => undefined); // the server's ping: echo it
        break;
      }
      case FrameType.GOAWAY:
        // The server will accept no new streams; the open ones finish or get reset.
        break;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown types carry nothing we act on.
        break;
    }
  }

  private handleData(streamId: number, flags: number, data: Buffer): void {
    if (this.closed) return;
    const stream = this.streams.get(streamId);
    // Data for a stream of ours that already ended is a race, not an error; for one we
    // never opened it is nonsense (server-opened, even IDs, we refused: let those pass).
    if (!stream && streamId % 2 === 1 && streamId >= this.nextStreamId) {
      throw new SpdyProtocolError(`data for stream ${streamId}, which was never opened`);
    }
    stream?.onData(data, (flags & FLAG_FIN) !== 0);
  }

  private shutdown(err?: Error): void {
    if (err && !this.failure && !this.closed) this.failure = err;
    if (this.closed) return;
    this.closed = true;
    this.throttled.clear();
    for (const listener of this.firstFrameListeners.splice(0)) listener();
    for (const stream of this.streams.values()) stream.onSessionClosed();
    this.streams.clear();
    this.compressor.close();
    this.decompressor.close();
    for (const listener of this.closeListeners.splice(0)) listener(this.failure);
  }
}
