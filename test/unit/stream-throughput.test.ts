// Large transfers through the SPDY and WebSocket clients against in-test servers: every byte
// arrives intact in both directions, payloads are not copied on the way in, and a reader that
// stalls holds the data back on the server's side instead of in our memory.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { SpdyPeer } from '../fake-streaming.js';
import { dataFrameHeader, encodeData, FLAG_FIN, type Frame, FrameParser } from '../../src/stream/spdy-frames.js';
import { SpdySession, type SpdyStream } from '../../src/stream/spdy.js';
import { reclaimMovedBuffers } from '../../src/stream/limits.js';
import { ChannelSocket } from '../../src/stream/websocket.js';

const MiB = 1024 * 1024;
/** What the client may hold for a stalled reader: its 256 KiB stream buffer, plus a socket read or two. */
const CLIENT_BOUND = 512 * 1024;
/** Sent in 8 KiB frames/messages (what containerd's streaming server sends). */
const TOTAL = 32 * MiB;
const payload = randomBytes(TOTAL);
const digest = (b: Buffer | Buffer[]) =>
  (Array.isArray(b) ? b : [b]).reduce((h, x) => h.update(x), createHash('sha256')).digest('hex');
const PAYLOAD_SHA = digest(payload);

/** Polls `value` every 100 ms until it stops changing (the pipeline is full), at most 15 s. */
async function settled(value: () => number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 150; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = value();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`still changing after 15 s (${last})`);
}

/** Reads a readable to its end. */
async function drain(from: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const c of from) chunks.push(c as Buffer);
  return chunks;
}

test('the parser slices payloads out of the chunks they arrived in', () => {
  const a = encodeData(1, 0, Buffer.from('first'));
  const b = encodeData(1, 0, Buffer.alloc(1000, 2));
  const c = encodeData(1, FLAG_FIN, Buffer.from('last'));
  // b arrives split in two; a and c each lie whole inside one chunk.
  const one = Buffer.concat([a, b.subarray(0, 300)]);
  const two = Buffer.concat([b.subarray(300), c]);
  for (const dataInPieces of [false, true]) {
    const parser = new FrameParser(undefined, { dataInPieces });
    const frames: Frame[] = [...parser.push(one), ...parser.push(two)];
    const data = frames.map((f) => (f.kind === 'data' ? f.data : Buffer.alloc(0)));
    assert.equal(Buffer.concat(data).toString('latin1'), `first${'\x02'.repeat(1000)}last`);
    // Frames inside one chunk are views of it, not copies (before: every chunk after a split was copied).
    assert.equal(data[0].buffer, one.buffer);
    assert.equal(data.at(-1)!.buffer, two.buffer);
    assert.equal(frames.at(-1)!.flags, FLAG_FIN);
    if (dataInPieces) {
      // The split frame comes in two pieces, each a view of its chunk; FIN only on the last frame.
      assert.equal(frames.length, 4);
      assert.equal(data[1].buffer, one.buffer);
      assert.equal(data[2].buffer, two.buffer);
      assert.deepEqual(
        frames.map((f) => f.flags),
        [0, 0, 0, FLAG_FIN],
      );
    } else {
      assert.equal(frames.length, 3);
      assert.equal(data[1].length, 1000);
    }
  }
});

test('the parser in pieces keeps FIN for the last piece of a split frame', () => {
  const frame = encodeData(3, FLAG_FIN, Buffer.alloc(100, 1));
  const parser = new FrameParser(undefined, { dataInPieces: true });
  const frames = [
    ...parser.push(frame.subarray(0, 5)),
    ...parser.push(frame.subarray(5, 50)),
    ...parser.push(frame.subarray(50)),
  ];
  assert.deepEqual(
    frames.map((f) => (f.kind === 'data' ? [f.streamId, f.flags, f.data.length] : [])),
    [
      [3, 0, 42],
      [3, FLAG_FIN, 58],
    ],
  );
});

/** A TCP server whose connections each become a SpdyPeer; the client end is a SpdySession. */
let server: Server;
let onPeer: (socket: Socket) => void = () => undefined;
const serverSockets = new Set<Socket>();
before(async () => {
  server = createServer((socket) => {
    serverSockets.add(socket);
    socket.on('close', () => serverSockets.delete(socket));
    socket.on('error', () => undefined);
    onPeer(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
after(() => {
  for (const s of serverSockets) s.destroy();
  server.close();
});

/** A client session on a fresh connection, and that connection's socket. */
function session(): Promise<{ client: SpdySession; socket: Socket }> {
  const port = (server.address() as { port: number }).port;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve({ client: new SpdySession(socket), socket }));
  });
}

/** Sends `payload` on stream `id` as Go's framer does: 8 KiB frames, header and payload written apart. */
function sendLikeGo(socket: Socket, id: number): void {
  for (let at = 0; at < TOTAL; at += 8192) {
    const piece = payload.subarray(at, at + 8192);
    const last = at + 8192 >= TOTAL;
    socket.write(dataFrameHeader(id, last ? FLAG_FIN : 0, piece.length));
    socket.write(piece);
  }
}

test('SPDY: 32 MiB to a reader that stalls stay on the server side, then arrive intact', {
  timeout: 60_000,
}, async () => {
  let serverSocket: Socket | undefined;
  onPeer = (socket) => {
    serverSocket = socket;
    new SpdyPeer(socket, (peer, id) => void peer.reply(id).then(() => sendLikeGo(socket, id)));
  };
  const { client, socket } = await session();
  const stream: SpdyStream = client.openStream({ streamType: 'stdout' });
  await stream.waitReply();
  // Nobody reads `stream`: the server's writes back up once the client's buffers and TCP's are full.
  const left = await settled(() => serverSocket!.writableLength);
  const held = stream.readableLength + socket.readableLength;
  assert.ok(
    held <= CLIENT_BOUND,
    `the client holds ${held} bytes for a stalled reader (${stream.readableLength} in the stream)`,
  );
  // Whatever TCP holds (a few MiB on loopback), most of the 32 MiB waited on the server.
  assert.ok(left >= TOTAL / 2, `only ${left} bytes waited on the server`);
  assert.equal(digest(await drain(stream)), PAYLOAD_SHA);
  client.destroy();
});

test('SPDY: buffers that carried data are reclaimed as it flows, not left for V8 to find', {
  timeout: 60_000,
}, async () => {
  onPeer = (socket) => {
    new SpdyPeer(socket, (peer, id) => void peer.reply(id).then(() => sendLikeGo(socket, id)));
  };
  reclaimMovedBuffers(); // as the CLI does; the library leaves collection to V8
  const { client } = await session();
  const stream = client.openStream({ streamType: 'stdout' });
  await stream.waitReply();
  // The payload, the frames queued on the server side and the test's own buffers are there
  // from the start; what grows while 32 MiB flow is dead socket buffers not yet collected.
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let sinceSample = 0;
  const hash = createHash('sha256');
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    sinceSample += (chunk as Buffer).length;
    if (sinceSample < 256 * 1024) continue;
    sinceSample = 0;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  }
  assert.equal(hash.digest('hex'), PAYLOAD_SHA);
  // V8 alone lets ~64 MiB of them pile up before it looks (its external-memory budget).
  assert.ok(peak < 16 * MiB, `dead buffers grew to ${Math.round(peak / MiB)} MiB`);
  client.destroy();
});

test('SPDY: 32 MiB written to a stream arrive intact, in frames of at most 64 KiB', { timeout: 60_000 }, async () => {
  const hash = createHash('sha256');
  let received = 0;
  let largest = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  onPeer = (socket) => {
    new SpdyPeer(
      socket,
      (peer, id) => void peer.reply(id),
      (_peer, _id, data, fin) => {
        hash.update(data);
        received += data.length;
        largest = Math.max(largest, data.length);
        if (fin) finished();
      },
    );
  };
  const { client } = await session();
  const stream = client.openStream({ streamType: 'stdin' });
  await stream.waitReply();
  // Writes of assorted sizes, some past the frame size, as a pipe from a file would make them.
  for (let at = 0, i = 0; at < TOTAL; i++) {
    const n = [65536, 1, 200_000, 4096, 131_072][i % 5];
    if (!stream.write(payload.subarray(at, at + n))) await new Promise((r) => stream.once('drain', r));
    at += n;
  }
  stream.end();
  await done;
  assert.equal(received, TOTAL);
  assert.ok(largest <= 64 * 1024, `a frame of ${largest} bytes`);
  assert.equal(hash.digest('hex'), PAYLOAD_SHA);
  client.destroy();
});

/** A WebSocket server speaking the channel protocol (v4): `serve` runs for every connection. */
async function channelServer(serve: (ws: WebSocket) => void): Promise<{ url: string; close: () => void }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'v4.channel.k8s.io' });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    ws.send(Buffer.from([1])); // the empty message servers open with
    serve(ws);
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/exec/token`,
    close: () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}

test('WebSocket: 32 MiB to a reader that stalls stay on the server side, then arrive intact', {
  timeout: 60_000,
}, async () => {
  let serverWs: WebSocket | undefined;
  const fake = await channelServer((ws) => {
    serverWs = ws;
    for (let at = 0; at < TOTAL; at += 8192)
      ws.send(Buffer.concat([Buffer.from([1]), payload.subarray(at, at + 8192)]));
    ws.close(1000);
  });
  try {
    const client = await ChannelSocket.open(fake.url, ['v4.channel.k8s.io']);
    const reader = client.reader(1);
    const left = await settled(() => serverWs!.bufferedAmount);
    assert.ok(reader.readableLength <= CLIENT_BOUND, `the client holds ${reader.readableLength} bytes`);
    assert.ok(left >= TOTAL / 2, `only ${left} bytes waited on the server`);
    assert.equal(digest(await drain(reader)), PAYLOAD_SHA);
    client.destroy();
  } finally {
    fake.close();
  }
});

test('WebSocket: 32 MiB written to a channel arrive intact', { timeout: 60_000 }, async () => {
  const hash = createHash('sha256');
  let received = 0;
  let otherChannels = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const fake = await channelServer((ws) => {
    ws.on('message', (m: Buffer) => {
      if (m[0] !== 0) otherChannels++;
      hash.update(m.subarray(1));
      received += m.length - 1;
      if (received >= TOTAL) finished();
    });
  });
  try {
    const client = await ChannelSocket.open(fake.url, ['v4.channel.k8s.io']);
    const writer = client.writer(0);
    for (let at = 0; at < TOTAL; at += 65536) {
      if (!writer.write(payload.subarray(at, at + 65536))) await new Promise((r) => writer.once('drain', r));
    }
    await done;
    assert.equal(received, TOTAL);
    assert.equal(otherChannels, 0);
    assert.equal(hash.digest('hex'), PAYLOAD_SHA);
    client.destroy();
  } finally {
    fake.close();
  }
});
