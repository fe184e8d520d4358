// SPDY framing and the client session, against a tiny in-test server written with plain zlib.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import {
  decodeHeaderBlock,
  encodeData,
  encodeHeaderBlock,
  encodeRstStream,
  encodeSynStream,
  FLAG_FIN,
  type Frame,
  FrameParser,
  FrameType,
  HEADER_DICTIONARY,
} from '../../src/stream/spdy-frames.js';
import { SpdySession } from '../../src/stream/spdy.js';

test('the header dictionary is byte for byte the one SPDY/3 specifies', () => {
  assert.equal(HEADER_DICTIONARY.length, 1423);
  assert.equal(
    createHash('sha256').update(HEADER_DICTIONARY).digest('hex'),
    '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
  );
});

test('header blocks: 32-bit lengths, lowercase names, NUL-joined values', () => {
  const block = encodeHeaderBlock({ streamType: 'stdout', 'X-Multi': ['a', 'b'] });
  assert.deepEqual([...block.subarray(0, 8)], [0, 0, 0, 2, 0, 0, 0, 10]);
  assert.equal(block.subarray(8, 18).toString(), 'streamtype');
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['stdout'], 'x-multi': ['a', 'b'] });
  assert.throws(() => decodeHeaderBlock(block.subarray(0, 12)), /truncated/);
});

test('frame layout: data and control headers', () => {
  assert.deepEqual([...encodeData(3, FLAG_FIN, Buffer.from('hi'))], [0, 0, 0, 3, 1, 0, 0, 2, 104, 105]);
  const syn = encodeSynStream(5, 0, Buffer.from([0xaa]));
  assert.deepEqual([...syn.subarray(0, 8)], [0x80, 3, 0, 1, 0, 0, 0, 11]);
  assert.deepEqual([...syn.subarray(8, 18)], [0, 0, 0, 5, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeRstStream(7, 5)], [0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0, 5]);
});

test('the parser reassembles frames split at any byte', () => {
  const bytes = Buffer.concat([
    encodeData(1, 0, Buffer.from('hello')),
    encodeRstStream(1, 5),
    encodeData(3, FLAG_FIN, Buffer.alloc(0)),
  ]);
  const parser = new FrameParser();
  const frames: Frame[] = [];
  for (const b of bytes) frames.push(...parser.push(Buffer.from([b])));
  assert.equal(frames.length, 3);
  assert.deepEqual(frames[0], { kind: 'data', streamId: 1, flags: 0, data: Buffer.from('hello') });
  assert.equal(frames[1].kind === 'control' && frames[1].type, FrameType.RST_STREAM);
  assert.deepEqual(frames[2], { kind: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) });
});

test('the parser joins a large frame once, however many chunks it comes in', () => {
  const payload = Buffer.alloc(300_000, 7);
  const bytes = Buffer.concat([
    encodeData(1, 0, Buffer.from('a')),
    encodeData(3, FLAG_FIN, payload),
    encodeData(5, 0, Buffer.from('z')),
  ]);
  const parser = new FrameParser({ maxFrame: 1 << 20, maxControlFrame: 1 << 16 });
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += 4099) frames.push(...parser.push(bytes.subarray(at, at + 4099)));
  assert.deepEqual(
    frames.map((f) => (f.kind === 'data' ? [f.streamId, f.data.length] : [])),
    [
      [1, 1],
      [3, 300_000],
      [5, 1],
    ],
  );
  assert.ok(frames[1].kind === 'data' && frames[1].data.equals(payload));
});

test('the parser refuses oversized and malformed frames as soon as their header is in', () => {
  const limits = { maxFrame: 1 << 20, maxControlFrame: 1 << 16 };
  const header = (first: number, length: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(first >>> 0, 0);
    b.writeUInt32BE(length, 4);
    return b;
  };
  const control = (type: number, version = 3) => (0x8000 | version) * 0x10000 + type;
  assert.throws(
    () => new FrameParser(limits).push(header(1, 0xffffff)),
    /^SpdyProtocolError: frame of 16777215 bytes is larger than the 1 MiB limit$/,
  );
  assert.throws(
    () => new FrameParser(limits).push(header(control(FrameType.SYN_REPLY), 70_000)),
    /SYN_REPLY frame of 70000 bytes is larger than the 64 KiB limit/,
  );
  assert.throws(
    () => new FrameParser(limits).push(header(control(FrameType.PING, 2), 4)),
    /control frame of version 2 \(expected 3\)/,
  );
  assert.throws(
    () => new FrameParser(limits).push(header(control(FrameType.PING), 3)),
    /PING frame of 3 bytes is malformed \(expected 4\)/,
  );
  assert.throws(
    () => new FrameParser(limits).push(header(control(FrameType.SYN_STREAM), 9)),
    /SYN_STREAM frame of 9 bytes is malformed \(expected at least 10\)/,
  );
  // Unknown control types are allowed (SPDY says to ignore them), within the size cap.
  assert.equal(new FrameParser(limits).push(Buffer.concat([header(control(42), 2), Buffer.alloc(2)])).length, 1);
});

/** A server end that speaks just enough SPDY: records frames, decompresses header blocks. */
function fakeServer(
  onFrame: (
    frame: Frame,
    headers: Record<string, string[]> | undefined,
    socket: Socket,
    deflate: (b: Buffer) => Promise<Buffer>,
  ) => void,
) {
  const server = createServer((socket) => {
    const parser = new FrameParser();
    const inflate = zlib.createInflate({ dictionary: HEADER_DICTIONARY });
    const deflater = zlib.createDeflate({ dictionary: HEADER_DICTIONARY });
    const run = (z: zlib.Inflate | zlib.Deflate, input: Buffer) =>
      new Promise<Buffer>((resolve) => {
        z.write(input);
        z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          const out: Buffer[] = [];
          for (let c: Buffer | null; (c = z.read() as Buffer | null) !== null; ) out.push(c);
          resolve(Buffer.concat(out));
        });
      });
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) {
        chain = chain.then(async () => {
          const headers =
            frame.kind === 'control' && frame.type === FrameType.SYN_STREAM
              ? decodeHeaderBlock(await run(inflate, frame.payload.subarray(10)))
              : undefined;
          onFrame(frame, headers, socket, (b) => run(deflater, b));
        });
      }
    });
  });
  return new Promise<{ port: number; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, close: () => server.close() }),
    ),
  );
}

function synReply(streamId: number, compressed: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(FrameType.SYN_REPLY, 2);
  head.writeUInt32BE(4 + compressed.length, 4);
  head.writeUInt32BE(streamId, 8);
  return Buffer.concat([head, compressed]);
}

test('a session opens streams the server can read, and routes replies, data, FIN and RST', async () => {
  const seen: { id: number; headers: Record<string, string[]> }[] = [];
  const received: string[] = [];
  const srv = await fakeServer((frame, headers, socket, deflate) => {
    if (frame.kind === 'control' && headers) {
      const id = frame.payload.readUInt32BE(0);
      seen.push({ id, headers });
      void deflate(encodeHeaderBlock({})).then((block) => {
        socket.write(synReply(id, block));
        if (headers.streamtype[0] === 'stdout') socket.write(encodeData(id, FLAG_FIN, Buffer.from('from server')));
        if (headers.streamtype[0] === 'error') socket.write(encodeRstStream(id, 5));
      });
    } else if (frame.kind === 'data') {
      received.push(`${frame.streamId}:${frame.data.toString()}${frame.flags & FLAG_FIN ? ':FIN' : ''}`);
    }
  });
  const socket = connect(srv.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const session = new SpdySession(socket);
  const error = session.openStream({ streamType: 'error' });
  const stdin = session.openStream({ streamType: 'stdin' });
  const stdout = session.openStream({ streamType: 'stdout' });
  await Promise.all([error.waitReply(), stdin.waitReply(), stdout.waitReply()]);
  assert.deepEqual(
    seen.map((s) => [s.id, s.headers.streamtype[0]]),
    [
      [1, 'error'],
      [3, 'stdin'],
      [5, 'stdout'],
    ],
  );

  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  await new Promise((r) => stdout.once('end', r));
  assert.equal(Buffer.concat(out).toString(), 'from server');

  error.resume();
  await new Promise((r) => error.once('end', r));
  assert.equal(error.resetStatus, 5);

  stdin.end('typed');
  await new Promise((r) => stdin.once('finish', r));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(received, ['3:typed', '3::FIN']);

  session.destroy();
  srv.close();
});

test('a refused stream rejects waitReply; the socket closing ends every stream', async () => {
  const srv = await fakeServer((frame, headers, socket) => {
    if (frame.kind === 'control' && headers) {
      socket.write(encodeRstStream(frame.payload.readUInt32BE(0), 3));
      setTimeout(() => socket.destroy(), 20);
    }
  });
  const socket = connect(srv.port, '127.0.0.1');
  const session = new SpdySession(socket);
  const s = session.openStream({ streamType: 'data' });
  const other = session.openStream({ streamType: 'other' });
  await assert.rejects(s.waitReply(), /refused \(status 3\)/);
  other.resume();
  await new Promise((r) => other.once('end', r));
  await new Promise<void>((r) => session.onClose(() => r()));
  assert.equal(session.closed, true);
  srv.close();
});
