// The Kubernetes channel protocol over WebSocket (*.channel.k8s.io): every binary message is one
// channel byte followed by that channel's data. v5 adds one control message, [255, channel], that
// half-closes a channel; v4 and older cannot signal end of input at all.
import { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import { describeConnectError, describeRejection, readBody, redactToken, StreamingError } from './upgrade.js';
import { handshakeTimeoutMs, MAX_WEBSOCKET_MESSAGE, noteMoved } from './limits.js';
import { tlsConnectOptions, type StreamTls } from './tls.js';

/** The v5 control channel: [CLOSE_CHANNEL, n] means "channel n will get no more data". */
export const CLOSE_CHANNEL = 255;

/** How much a channel buffers for its reader before the connection stops being read. */
const CHANNEL_BUFFER = 256 * 1024;

/** Splits one received message into its channel and payload; undefined for an empty message. */
export function parseChannelMessage(message: Buffer): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0], data: message.subarray(1) };
}

export function channelMessage(channel: number, data: Uint8Array): Buffer {
  const out = Buffer.alloc(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

/** Turns the runtime's http(s) streaming URL into the ws(s) URL to dial. */
export function toWebSocketUrl(url: string): string {
  const u = new URL(url);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else throw new StreamingError(`unsupported streaming URL scheme ${u.protocol} in ${redactToken(url)}`);
  return u.toString();
}

/** An open channel connection: a readable per channel that has sent data, writables to send. */
export class ChannelSocket {
  /** Why the connection ended, if it ended badly. */
  failure: Error | undefined;
  closed = false;
  private readonly readers = new Map<number, Readable>();
  private readonly closeListeners: ((failure: Error | undefined) => void)[] = [];
  /** Channels whose readers are full; while any is, the socket is not read. */
  private readonly throttled = new Set<number>();
  private heardFrom = false;
  private readonly firstFrameListeners: (() => void)[] = [];

  private constructor(
    private readonly ws: WebSocket,
    /** The sub-protocol the server chose, e.g. v4.channel.k8s.io. */
    readonly protocol: string,
  ) {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      this.heard();
      const message = toBuffer(data);
      noteMoved(message.length);
      const parsed = parseChannelMessage(message);
      // The server opens with an empty message on its first output channel: nothing to deliver.
      if (parsed && parsed.data.length > 0) {
        const reader = this.reader(parsed.channel);
        if (!reader.destroyed && !reader.push(parsed.data)) this.throttle(parsed.channel);
      }
    });
    ws.on('error', (err) => (this.failure ??= err));
    ws.on('close', (code, reason) => {
      // 1000 is a normal close; 1005 means the server sent no code (Go's x/net does that).
      if (code !== 1000 && code !== 1005 && !this.failure) {
        this.failure = new StreamingError(
          `streaming connection closed unexpectedly (code ${code}${reason.length ? `: ${reason.toString()}` : ''})`,
        );
      }
      this.closed = true;
      this.heard();
      for (const r of this.readers.values()) r.push(null);
      for (const listener of this.closeListeners.splice(0)) listener(this.failure);
    });
  }

  /** Dials `url`, offering `protocols` (most preferred first); the server picks one. */
  static open(url: string, protocols: readonly string[], tls?: StreamTls): Promise<ChannelSocket> {
    const limitMs = handshakeTimeoutMs();
    const deadline = Date.now() + limitMs;
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(toWebSocketUrl(url), [...protocols], {
          perMessageDeflate: false,
          ...tlsConnectOptions(tls),
          handshakeTimeout: limitMs,
          followRedirects: false,
          maxPayload: MAX_WEBSOCKET_MESSAGE,
        });
      } catch (err) {
        reject(
          err instanceof StreamingError
            ? err
            : new StreamingError(`invalid streaming URL ${redactToken(url)}: ${(err as Error).message}`),
        );
        return;
      }
      let settled = false;
      ws.once('open', () => {
        settled = true;
        resolve(new ChannelSocket(ws, ws.protocol));
      });
      ws.once('unexpected-response', (req, res) => {
        settled = true;
        const socket = res.socket;
        // The body only explains the refusal: read what fits in the time left, then give up on it.
        void readBody(res, deadline - Date.now()).then((body) => {
          // The connection would otherwise linger (keep-alive) and hold the process open.
          req.destroy();
          socket?.destroy();
          reject(describeRejection(url, res.statusCode ?? 0, res.statusMessage ?? '', body));
        });
      });
      ws.once('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        reject(
          err.code
            ? describeConnectError(url, err)
            : new StreamingError(`websocket handshake with ${redactToken(url)} failed: ${err.message}`),
        );
      });
    });
  }

  /** Resolves when the first message arrives (or the connection ends); for an idle limit. */
  firstFrame(): Promise<void> {
    if (this.heardFrom) return Promise.resolve();
    return new Promise((resolve) => this.firstFrameListeners.push(resolve));
  }

  private heard(): void {
    if (this.heardFrom) return;
    this.heardFrom = true;
    for (const listener of this.firstFrameListeners.splice(0)) listener();
  }

  // A reader that falls behind pauses the socket (TCP backpressure) until it catches up.
  private throttle(channel: number): void {
    if (this.closed) return;
    if (this.throttled.size === 0) this.ws.pause();
    this.throttled.add(channel);
  }

  private unthrottle(channel: number): void {
    if (this.throttled.delete(channel) && this.throttled.size === 0 && !this.closed) this.ws.resume();
  }

  /** Everything the server sends on `channel`; ends when the connection closes. */
  reader(channel: number): Readable {
    let r = this.readers.get(channel);
    if (!r) {
      r = new Readable({
        highWaterMark: CHANNEL_BUFFER,
        read: () => this.unthrottle(channel),
        destroy: (err, done) => {
          this.unthrottle(channel);
          done(err);
        },
      });
      if (this.closed) r.push(null);
      this.readers.set(channel, r);
    }
    return r;
  }

  /**
   * A stream that sends to `channel`. Ending it sends the v5 close signal when the server
   * negotiated v5; on older protocols the server cannot be told, and ending is a no-op.
   */
  writer(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => this.send(channel, chunk).then(() => done(), done),
      final: (done) => {
        if (this.supportsClose) this.sendRaw(Buffer.from([CLOSE_CHANNEL, channel])).then(() => done(), done);
        else done();
      },
    });
  }

  /** True when ending a writer reaches the server (v5.channel.k8s.io). */
  get supportsClose(): boolean {
    return this.protocol === 'v5.channel.k8s.io';
  }

  send(channel: number, data: Uint8Array): Promise<void> {
    noteMoved(data.length);
    return this.sendRaw(channelMessage(channel, data));
  }

  onClose(listener: (failure: Error | undefined) => void): void {
    if (this.closed) queueMicrotask(() => listener(this.failure));
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.ws.close(1000);
    // A server that never answers the close frame must not keep us alive.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }

  private sendRaw(message: Buffer): Promise<void> {
    // Input written after the connection closed (say, stdin after the process exited) goes nowhere.
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) =>
      this.ws.send(message, { binary: true }, (err) => (err ? reject(err) : resolve())),
    );
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
