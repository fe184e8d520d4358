// Port forwarding into a pod: listen on 127.0.0.1 and carry every accepted TCP connection to a
// port inside the pod's network namespace through the runtime's streaming server.
//  - SPDY (portforward.k8s.io): one connection for the whole session; each TCP connection gets
//    a pair of streams, "error" and "data", tied together by a requestID header.
//  - WebSocket (v4.channel.k8s.io): one connection per TCP connection (the URL is good for one
//    use, so each gets a fresh PortForward call); channel 0 carries data, channel 1 errors, and
//    each begins with the port number as two little-endian bytes.
import { createServer, type Server, type Socket } from 'node:net';
import { Transform, type Readable, type Writable } from 'node:stream';
import type { RuntimeServiceClient } from '../cri/client.js';
import { UsageError } from '../errors.js';
import { escapeControls } from '../output/escape.js';
import { MAX_ERROR_BODY } from './limits.js';
import { collectAtMost, describeOpenFailure, withinIdleLimit, type Transport } from './remotecommand.js';
import { SpdySession, type SpdyStream } from './spdy.js';
import { redactToken, StreamingError, upgradeToSpdy } from './upgrade.js';
import { ChannelSocket } from './websocket.js';
import type { StreamTls } from './tls.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_WS_PROTOCOL = 'v4.channel.k8s.io';

export interface PortSpec {
  /** 0: pick a free port. */
  local: number;
  remote: number;
}

function parsePort(text: string, what: string, spec: string, min: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid port spec "${spec}": ${what} port "${text}" is not a number`);
  const n = Number(text);
  if (n < min || n > 65535)
    throw new UsageError(`invalid port spec "${spec}": ${what} port ${n} is out of range (${min}-65535)`);
  return n;
}

/** "8080" (same both sides), "8080:80", ":80" or "0:80" (any free local port). */
export function parsePortSpec(spec: string): PortSpec {
  const parts = spec.split(':');
  if (parts.length > 2 || spec === '')
    throw new UsageError(`invalid port spec "${spec}": expected PORT or LOCAL:REMOTE`);
  if (parts.length === 1) {
    const port = parsePort(parts[0], 'remote', spec, 1);
    return { local: port, remote: port };
  }
  const local = parts[0] === '' ? 0 : parsePort(parts[0], 'local', spec, 0);
  return { local, remote: parsePort(parts[1], 'remote', spec, 1) };
}

export interface PortForwardOptions {
  runtime: RuntimeServiceClient;
  podSandboxId: string;
  specs: readonly PortSpec[];
  transport: Transport;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Stops forwarding; the session then resolves to 0. */
  signal: AbortSignal;
  debug?: (line: string) => void;
  /** TLS options for an https streaming URL. */
  tls?: StreamTls;
}

/** Strips the first `count` bytes of a stream (the WebSocket port prefix). */
function dropPrefix(count: number): Transform {
  let left = count;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left > 0) {
        const skip = Math.min(left, chunk.length);
        left -= skip;
        chunk = chunk.subarray(skip);
      }
      if (chunk.length > 0) this.push(chunk);
      done();
    },
  });
}

/** The error text a stream carries (bounded: a runaway error stream is cut off and named). */
function collectText(from: Readable, onOverflow: () => void): Promise<string> {
  return collectAtMost(from, MAX_ERROR_BODY, onOverflow).then(
    (bytes) => bytes.toString('utf8').trim(),
    (err: Error) => err.message,
  );
}

function listen(spec: PortSpec): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Half-open: a client that finished sending may still be waiting for the answer.
    const server = createServer({ allowHalfOpen: true });
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? 'address already in use'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message;
      reject(new StreamingError(`unable to listen on 127.0.0.1:${spec.local}: ${why}`));
    });
    server.listen(spec.local, '127.0.0.1', () => resolve(server));
  });
}

/** Forwards until aborted (resolves 0) or until the SPDY connection is lost (rejects). */
export async function runPortForward(opts: PortForwardOptions): Promise<number> {
  const remotes = [...new Set(opts.specs.map((s) => s.remote))];
  let session: SpdySession | undefined;
  let url = '';
  if (opts.transport === 'spdy') {
    ({ url } = await opts.runtime.portForward({ podSandboxId: opts.podSandboxId, port: remotes }));
    const up = await upgradeToSpdy(url, [PORT_FORWARD_PROTOCOL], opts.tls);
    opts.debug?.(`streaming: spdy connection to ${redactToken(url)}, protocol ${up.protocol || '(none)'}`);
    session = new SpdySession(up.socket, up.head);
  }

  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  // One counter for the whole session: the server pairs streams by requestID across all ports.
  let nextRequest = 0;
  try {
    for (const spec of opts.specs) {
      const server = await listen(spec);
      servers.push(server);
      const port = (server.address() as { port: number }).port;
      opts.stdout.write(`Forwarding from 127.0.0.1:${port} -> ${spec.remote}\n`);
      server.on('connection', (socket: Socket) => {
        opts.stdout.write(`Handling connection for ${port}\n`);
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
        const forward = session
          ? forwardOverSpdy(session, socket, spec.remote, nextRequest++, url)
          : forwardOverWebSocket(opts, socket, spec.remote);
        void forward.then((err) => {
          if (err)
            opts.stderr.write(
              `error: an error occurred forwarding ${port} -> ${spec.remote}: ${escapeControls(String(err))}\n`,
            );
        });
      });
    }

    return await new Promise<number>((resolve, reject) => {
      if (opts.signal.aborted) return resolve(0);
      opts.signal.addEventListener('abort', () => resolve(0), { once: true });
      session?.onClose((failure) =>
        reject(
          new StreamingError(`lost connection to the pod's streaming server${failure ? `: ${failure.message}` : ''}`),
        ),
      );
    });
  } finally {
    for (const server of servers) server.close();
    for (const socket of sockets) socket.destroy();
    session?.close();
  }
}

/**
 * Opens the streams of one connection to `remote` on a SPDY port-forward session. `onFailure`
 * runs (with a one-line reason) if the server does not accept them within the idle limit or
 * floods the error stream.
 */
export function openSpdyForward(
  session: SpdySession,
  remote: number,
  requestId: number,
  url: string,
  onFailure: (reason: string) => void,
): { data: SpdyStream; error: SpdyStream; errorText: Promise<string>; accepted: Promise<void> } {
  const headers = { port: String(remote), requestID: String(requestId) };
  const error = session.openStream({ streamType: 'error', ...headers });
  const data = session.openStream({ streamType: 'data', ...headers });
  error.on('error', () => undefined);
  data.on('error', () => undefined);
  error.end(); // we never write to it
  const errorText = collectText(error, () => onFailure('the streaming server flooded the error stream'));
  // A server that never accepts the streams must not leave the connection waiting for ever.
  const accepted = withinIdleLimit(
    url,
    Promise.all([error.waitReply(), data.waitReply()]),
    () => true,
    () => undefined,
  ).then(
    () => undefined,
    (err: Error) => {
      onFailure(describeOpenFailure(url, err).message);
      throw err;
    },
  );
  accepted.catch(() => undefined);
  return { data, error, errorText, accepted };
}

/**
 * One TCP connection over the shared SPDY session. Resolves to the error text the server sent
 * (empty when none) once the connection is done.
 */
async function forwardOverSpdy(
  session: SpdySession,
  socket: Socket,
  remote: number,
  requestId: number,
  url: string,
): Promise<string> {
  let refused = '';
  let streams: ReturnType<typeof openSpdyForward>;
  try {
    streams = openSpdyForward(session, remote, requestId, url, (reason) => {
      refused = reason;
      socket.destroy();
    });
  } catch (err) {
    socket.destroy();
    return (err as Error).message;
  }
  const { data: dataStream, error: errorStream, errorText } = streams;

  socket.pipe(dataStream); // local end of input → FIN on the data stream
  dataStream.pipe(socket); // the pod's side closing → end of our side
  await new Promise<void>((resolve) => {
    let remoteDone = false;
    let localDone = false;
    const check = () => remoteDone && localDone && resolve();
    const remoteEnded = () => {
      remoteDone = true;
      check();
    };
    dataStream.once('end', remoteEnded);
    dataStream.once('close', remoteEnded);
    socket.once('close', () => {
      localDone = true;
      remoteDone = true; // nobody is left to read what the pod sends
      check();
    });
    socket.once('end', () => {
      localDone = true;
      check();
    });
  });
  const text = await Promise.race([errorText, new Promise<string>((r) => setTimeout(() => r(''), 1000).unref())]);
  if (!socket.destroyed) socket.end();
  dataStream.destroy();
  errorStream.destroy();
  return text || refused;
}

/**
 * Asks for a fresh streaming URL and opens a WebSocket port-forward connection to `remote` on it
 * (one connection per forwarded connection: the URL is good for one use).
 */
export async function openWebSocketForward(
  runtime: RuntimeServiceClient,
  podSandboxId: string,
  remote: number,
  opts: { tls?: StreamTls; debug?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<{ channels: ChannelSocket; fromPod: Readable; toPod: Writable; errorText: Promise<string> }> {
  const { url } = await runtime.portForward({ podSandboxId, port: [remote] }, { signal: opts.signal });
  const channels = await ChannelSocket.open(url, [PORT_FORWARD_WS_PROTOCOL], opts.tls);
  await withinIdleLimit(
    url,
    channels.firstFrame(),
    () => false,
    () => channels.destroy(),
  ).catch((err: Error) => {
    channels.destroy();
    throw err;
  });
  opts.debug?.(`streaming: websocket connection to ${redactToken(url)}, protocol ${channels.protocol}`);
  const errorText = collectText(channels.reader(1).pipe(dropPrefix(2)), () => channels.destroy());
  const toPod = channels.writer(0);
  toPod.on('error', () => undefined);
  return { channels, fromPod: channels.reader(0).pipe(dropPrefix(2)), toPod, errorText };
}

/** One TCP connection over its own WebSocket connection. Resolves like forwardOverSpdy. */
async function forwardOverWebSocket(opts: PortForwardOptions, socket: Socket, remote: number): Promise<string> {
  socket.pause();
  let streams: Awaited<ReturnType<typeof openWebSocketForward>>;
  try {
    streams = await openWebSocketForward(opts.runtime, opts.podSandboxId, remote, opts);
  } catch (err) {
    socket.destroy();
    return (err as Error).message;
  }
  const { channels, fromPod, toPod, errorText } = streams;
  socket.pipe(toPod, { end: false });
  fromPod.pipe(socket);
  socket.resume();
  // A local half-close is not forwarded (v4): the connection ends when the pod's side closes or
  // the client goes away.
  socket.once('close', () => channels.close());
  await new Promise<void>((resolve) => channels.onClose(() => resolve()));
  if (!socket.destroyed) socket.end();
  return errorText;
}
