// A fake streaming server (the HTTP endpoint behind Exec/Attach/PortForward URLs) for faults a
// real runtime cannot be made to show: upgrading and then misbehaving in SPDY, endless error
// bodies, silence. Each test decides what happens to an upgrade request; helpers speak enough
// SPDY/3.1 to accept streams and send frames.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import * as zlib from 'node:zlib';
import {
  decodeHeaderBlock,
  encodeData,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameParser,
  FrameType,
  HEADER_DICTIONARY,
} from '../src/stream/spdy-frames.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

export interface FakeStreaming {
  /** A streaming URL on this server; the last segment plays the one-time token. */
  url(path?: string): string;
  /** What to do with the next upgrade requests (SPDY POSTs and WebSocket GETs alike). */
  onUpgrade(handler: UpgradeHandler): void;
  close(): Promise<void>;
}

export async function startFakeStreaming(): Promise<FakeStreaming> {
  let handler: UpgradeHandler = (_req, socket) => socket.destroy();
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.statusCode = 400;
    res.end('upgrade required\n');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    handler(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path = '/exec/secret-token-0123456789') => `http://127.0.0.1:${port}${path}`,
    onUpgrade: (h) => (handler = h),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The 101 answer to a SPDY upgrade, naming `protocol` unless it is undefined. */
export function spdySwitch(socket: Socket, protocol: string | undefined): void {
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
      (protocol === undefined ? '' : `X-Stream-Protocol-Version: ${protocol}\r\n`) +
      '\r\n',
  );
}

/**
 * Answers with `status` and a body that never ends: a chunk every few milliseconds until the
 * client goes away, or 60 s (so a broken client cannot keep this going for ever).
 */
export function endlessErrorBody(socket: Socket, status = 500): void {
  socket.write(
    `HTTP/1.1 ${status} Internal Server Error\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const chunk = Buffer.from('this error message goes on and on '.repeat(400));
  const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  const stopAt = Date.now() + 60_000;
  const timer = setInterval(() => {
    if (socket.destroyed || Date.now() > stopAt) {
      clearInterval(timer);
      socket.destroy();
      return;
    }
    socket.write(framed);
  }, 5);
  socket.on('close', () => clearInterval(timer));
}

/** The server end of a SPDY session: decodes the client's streams, replies, sends frames. */
export class SpdyPeer {
  /** Streams the client opened, by id, with their headers (names lowercase). */
  readonly streams = new Map<number, Record<string, string>>();
  private readonly deflate = zlib.createDeflate({ dictionary: HEADER_DICTIONARY });
  private readonly inflate = zlib.createInflate({ dictionary: HEADER_DICTIONARY });
  private chain: Promise<void> = Promise.resolve();

  /** `onStream` runs for every SYN_STREAM, once its headers are decoded. */
  constructor(
    readonly socket: Socket,
    onStream: (peer: SpdyPeer, id: number, headers: Record<string, string>) => void,
    onData: (peer: SpdyPeer, id: number, data: Buffer, fin: boolean) => void = () => undefined,
  ) {
    const parser = new FrameParser();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) {
        this.chain = this.chain.then(async () => {
          if (frame.kind === 'data') return onData(this, frame.streamId, frame.data, (frame.flags & FLAG_FIN) !== 0);
          if (frame.type !== FrameType.SYN_STREAM) return;
          const id = frame.payload.readUInt32BE(0) & 0x7fffffff;
          const raw = decodeHeaderBlock(await run(this.inflate, frame.payload.subarray(10)));
          const headers = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v[0]]));
          this.streams.set(id, headers);
          onStream(this, id, headers);
        });
      }
    });
    socket.on('close', () => {
      this.deflate.close();
      this.inflate.close();
    });
  }

  /** Accepts a stream (SYN_REPLY, empty headers). */
  async reply(id: number, fin = false): Promise<void> {
    const block = await run(this.deflate, encodeHeaderBlock({}));
    const head = Buffer.alloc(12);
    head.writeUInt16BE(0x8003, 0);
    head.writeUInt16BE(FrameType.SYN_REPLY, 2);
    head.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | (4 + block.length)) >>> 0, 4);
    head.writeUInt32BE(id, 8);
    this.socket.write(Buffer.concat([head, block]));
  }

  data(id: number, data: Buffer | string, fin = false): void {
    this.socket.write(encodeData(id, fin ? FLAG_FIN : 0, Buffer.from(data)));
  }

  /** The id of the stream the client opened with this streamType, if any. */
  idOf(streamType: string): number | undefined {
    for (const [id, h] of this.streams) if (h.streamtype === streamType) return id;
    return undefined;
  }
}

function run(z: zlib.Inflate | zlib.Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    z.write(input);
    z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      const out: Buffer[] = [];
      for (let c: Buffer | null; (c = z.read() as Buffer | null) !== null; ) out.push(c);
      resolve(Buffer.concat(out));
    });
  });
}

/** A raw control frame, for frames the client must refuse (bad version, short payload...). */
export function rawControlFrame(type: number, payload: Buffer, version = 3, flags = 0): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | version, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}
