// The WebSocket channel protocol against a ws server: sub-protocol fallback, channel framing,
// and the v5 close signal that v4 lacks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ChannelSocket,
  channelMessage,
  CLOSE_CHANNEL,
  parseChannelMessage,
  toWebSocketUrl,
} from '../../src/stream/websocket.js';

test('channel framing and URLs', () => {
  assert.deepEqual([...channelMessage(2, Buffer.from('hi'))], [2, 104, 105]);
  assert.deepEqual(parseChannelMessage(Buffer.from([1, 65])), { channel: 1, data: Buffer.from('A') });
  assert.equal(parseChannelMessage(Buffer.alloc(0)), undefined);
  assert.equal(toWebSocketUrl('http://127.0.0.1:1234/exec/t'), 'ws://127.0.0.1:1234/exec/t');
  assert.equal(toWebSocketUrl('https://h/x'), 'wss://h/x');
  assert.throws(() => toWebSocketUrl('ftp://h/x'), /unsupported streaming URL scheme ftp:/);
});

/** A server that accepts only `accept` among the offered protocols and records what it gets. */
async function server(accept: string[], onConnection: (ws: WebSocket, got: Buffer[]) => void) {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (offered) => [...offered].find((p) => accept.includes(p)) ?? false,
  });
  await new Promise((r) => wss.once('listening', r));
  const got: Buffer[] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (m: Buffer) => got.push(m));
    onConnection(ws, got);
  });
  const port = (wss.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/exec/token`, got, close: () => wss.close() };
}

test('a v4-only server: the client falls back to v4, demultiplexes channels, cannot close stdin', async () => {
  const srv = await server(['v4.channel.k8s.io'], (ws) => {
    ws.send(Buffer.from([1])); // the empty "ready" message
    ws.send(channelMessage(1, Buffer.from('out')));
    ws.send(channelMessage(2, Buffer.from('err')));
    ws.send(channelMessage(3, Buffer.from('{"status":"Success"}')));
    setTimeout(() => ws.close(1000), 50);
  });
  const socket = await ChannelSocket.open(srv.url, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(socket.protocol, 'v4.channel.k8s.io');
  assert.equal(socket.supportsClose, false);
  const read = (ch: number) =>
    new Promise<string>((resolve) => {
      const parts: Buffer[] = [];
      socket
        .reader(ch)
        .on('data', (c: Buffer) => parts.push(c))
        .on('end', () => resolve(Buffer.concat(parts).toString()));
    });
  const stdin = socket.writer(0);
  stdin.end('typed');
  const [out, err, status] = await Promise.all([read(1), read(2), read(3)]);
  assert.deepEqual([out, err, status], ['out', 'err', '{"status":"Success"}']);
  assert.deepEqual(
    srv.got.map((m) => [...m]),
    [[0, ...Buffer.from('typed')]],
    'no close signal on v4',
  );
  assert.equal(socket.failure, undefined);
  srv.close();
});

test('a v5 server gets [255, channel] when stdin ends', async () => {
  const srv = await server(['v5.channel.k8s.io', 'v4.channel.k8s.io'], () => undefined);
  const socket = await ChannelSocket.open(srv.url, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(socket.protocol, 'v5.channel.k8s.io');
  const stdin = socket.writer(0);
  stdin.end('x');
  await new Promise((r) => stdin.once('finish', r));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    srv.got.map((m) => [...m]),
    [
      [0, 120],
      [CLOSE_CHANNEL, 0],
    ],
  );
  socket.close();
  srv.close();
});

test('a server that rejects the upgrade, or picks no protocol: one line', async () => {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: (_info, done) => done(false, 403, 'no entry'),
  });
  await new Promise((r) => wss.once('listening', r));
  const url = `http://127.0.0.1:${(wss.address() as { port: number }).port}/exec/token`;
  await assert.rejects(
    ChannelSocket.open(url, ['v4.channel.k8s.io']),
    /^StreamingError: streaming server http:\/\/127\.0\.0\.1:\d+\/exec\/… refused the upgrade: HTTP 403 Forbidden: no entry$/,
  );
  wss.close();

  const none = await server([], () => undefined);
  await assert.rejects(
    ChannelSocket.open(none.url, ['v4.channel.k8s.io']),
    /websocket handshake with .* failed: Server sent no subprotocol/,
  );
  none.close();

  await assert.rejects(
    ChannelSocket.open('http://127.0.0.1:1/exec/x', ['v4.channel.k8s.io']),
    /connect to streaming server http:\/\/127\.0\.0\.1:1\/exec\/…: connection refused/,
  );
});
