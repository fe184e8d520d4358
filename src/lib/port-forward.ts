// cri.portForward() and cri.listenPortForward(): connections to a port in a pod's network
// namespace, over the CLI's port-forward streams (SPDY portforward.k8s.io or WebSocket v4), as
// Node duplexes; and a local listener that forwards each accepted connection.
import { createServer, type Socket } from 'node:net';
import { Duplex, type Readable, type Writable } from 'node:stream';
import type { RuntimeServiceClient } from '../cri/client.js';
import { UsageError } from '../errors.js';
import { openSpdyForward, openWebSocketForward, PORT_FORWARD_PROTOCOL } from '../stream/port-forward.js';
import { describeOpenFailure, parseTransport } from '../stream/remotecommand.js';
import { SpdySession } from '../stream/spdy.js';
import type { StreamTls } from '../stream/tls.js';
import { StreamingError, upgradeToSpdy } from '../stream/upgrade.js';
import type { StreamTransport } from './remote-process.js';

export interface PortForwardOptions {
  /** Default 'spdy' (passes a half-close on); WebSocket (v4) cannot, the connection then ends as a whole. */
  transport?: StreamTransport;
  /** For an https streaming URL: given, the server is verified (as crictl's --tls-* flags); absent, it is not. */
  tls?: StreamTls;
  /** Aborting destroys the connection (with the signal's reason). */
  signal?: AbortSignal;
}

export interface ListenPortForwardOptions extends Omit<PortForwardOptions, 'signal'> {
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Receives the error of a connection that could not be forwarded or failed (it is closed). */
  onError?: (err: Error) => void;
}

/** A local listener forwarding each accepted connection to a port in a pod. */
export interface PortForwardListener {
  /** The local address and port listened on (the one chosen when 0 was asked for). */
  host: string;
  port: number;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

/** How long the end of a connection waits for the server's verdict on its error stream. */
const ERROR_TEXT_WAIT_MS = 1000;

interface ForwardParts {
  port: number;
  fromPod: Readable;
  toPod: Writable;
  errorText: Promise<string>;
  /** Why the connection to the streaming server failed, if it did. */
  failure(): Error | undefined;
  /** Releases the streaming connection. */
  close(): void;
}

/**
 * One forwarded connection. Reading pauses the pod's side when the reader falls behind; the
 * readable side ends only after the server's error stream had its say, so a failure (nothing
 * listening on the port, say) arrives as an 'error' rather than as an empty, clean end.
 */
class ForwardedConnection extends Duplex {
  constructor(private readonly parts: ForwardParts) {
    super({ allowHalfOpen: true });
    const { fromPod } = parts;
    fromPod.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) fromPod.pause();
    });
    fromPod.once('end', () => void this.finishReading());
    fromPod.once('close', () => void this.finishReading());
  }

  private readingDone = false;

  private async finishReading(): Promise<void> {
    if (this.readingDone) return;
    this.readingDone = true;
    const text = await Promise.race([
      this.parts.errorText,
      new Promise<string>((resolve) => setTimeout(() => resolve(''), ERROR_TEXT_WAIT_MS).unref()),
    ]);
    if (this.destroyed) return;
    const failure = this.parts.failure();
    if (text) this.destroy(new StreamingError(`port-forward to port ${this.parts.port}: ${text}`));
    else if (failure)
      this.destroy(new StreamingError(`lost the connection to the streaming server: ${failure.message}`));
    else this.push(null);
  }

  override _read(): void {
    this.parts.fromPod.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.parts.toPod.write(chunk, (err) => done(err));
  }

  override _final(done: (err?: Error | null) => void): void {
    this.parts.toPod.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.parts.fromPod.destroy();
    this.parts.toPod.destroy();
    this.parts.close();
    done(err);
  }
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (port === 0 && what === 'remote'))
    throw new UsageError(`port-forward: ${what} port ${port}: expected ${what === 'remote' ? '1' : '0'}-65535`);
}

/** Opens one connection to `port` in the pod; resolves once the streaming server accepted it. */
export async function openPortForward(
  runtime: RuntimeServiceClient,
  podSandboxId: string,
  port: number,
  options: PortForwardOptions = {},
): Promise<Duplex> {
  checkPort(port, 'remote');
  const transport = parseTransport(options.transport ?? 'spdy');
  const { signal, tls } = options;
  signal?.throwIfAborted();
  let connection: ForwardedConnection | undefined;
  let parts: ForwardParts;
  if (transport === 'websocket') {
    const ws = await openWebSocketForward(runtime, podSandboxId, port, { signal, tls });
    parts = { port, ...ws, failure: () => ws.channels.failure, close: () => ws.channels.close() };
  } else {
    const { url } = await runtime.portForward({ podSandboxId, port: [port] }, { signal });
    const up = await upgradeToSpdy(url, [PORT_FORWARD_PROTOCOL], tls);
    const session = new SpdySession(up.socket, up.head);
    // One connection per session: its request ID can always be 0.
    const streams = openSpdyForward(session, port, 0, url, (reason) => connection?.destroy(new StreamingError(reason)));
    try {
      await streams.accepted;
    } catch (err) {
      session.destroy();
      throw describeOpenFailure(url, err as Error);
    }
    parts = {
      port,
      fromPod: streams.data,
      toPod: streams.data,
      errorText: streams.errorText,
      failure: () => session.failure,
      close: () => session.close(),
    };
  }
  connection = new ForwardedConnection(parts);
  if (signal) {
    const onAbort = () => connection?.destroy(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    connection.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return connection;
}

/** Listens locally and forwards every accepted connection to `remotePort` in the pod. */
export async function listenPortForward(
  runtime: RuntimeServiceClient,
  podSandboxId: string,
  localPort: number,
  remotePort: number,
  options: ListenPortForwardOptions = {},
): Promise<PortForwardListener> {
  checkPort(localPort, 'local');
  checkPort(remotePort, 'remote');
  const transport = parseTransport(options.transport ?? 'spdy');
  const host = options.host ?? '127.0.0.1';
  const open = new Set<Socket>();
  const stopping = new AbortController();
  // Half-open: a client that finished sending may still be waiting for the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.pause();
    const report = (err: Error) => options.onError?.(err);
    socket.on('error', () => undefined);
    socket.once('close', () => open.delete(socket));
    openPortForward(runtime, podSandboxId, remotePort, {
      transport,
      tls: options.tls,
      signal: stopping.signal,
    }).then(
      (pod) => {
        pod.once('error', (err: Error) => {
          report(err);
          socket.destroy();
        });
        socket.once('close', () => pod.destroy());
        socket.pipe(pod);
        pod.pipe(socket);
        socket.resume();
      },
      (err: Error) => {
        if (!stopping.signal.aborted) report(err);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StreamingError(`port-forward: unable to listen on ${host}:${localPort}: ${err.message}`)),
    );
    server.listen(localPort, host, () => resolve());
  });
  const address = server.address();
  return {
    host,
    port: typeof address === 'object' && address ? address.port : localPort,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
