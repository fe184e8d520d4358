// cri.exec() and cri.attach(): a session of the remote command protocol (the same core as the
// CLI's exec and attach) handed out as Node streams, with an exit code that always settles.
import { Readable, type Writable } from 'node:stream';
import type { RuntimeServiceClient } from '../cri/client.js';
import { attachUrl } from '../stream/attach.js';
import { execUrl } from '../stream/exec.js';
import { openRemoteCommand, parseTransport } from '../stream/remotecommand.js';

/** Which streaming protocol carries a session: SPDY/3.1 (the default) or WebSocket (channel.k8s.io v5/v4). */
export type StreamTransport = 'spdy' | 'websocket';

export interface ExecOptions {
  /** Give the command a stdin (`RemoteProcess.stdin`). */
  stdin?: boolean;
  /** Run the command on a terminal: stdout carries both output streams; `resize()` sets its size. */
  tty?: boolean;
  /** Default 'spdy'. */
  transport?: StreamTransport;
  /** Aborting tears the session down; `exitCode` then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type AttachOptions = ExecOptions;

/**
 * A running exec or attach session. Its streams are the transport's own: reading drives the
 * connection (a stdout nobody reads stops the socket from being read, so memory stays bounded),
 * and stdout and stderr share one connection, so read both (or `resume()`/destroy the one you do
 * not want) or neither makes progress.
 */
export interface RemoteProcess {
  /** The command's output (with a tty, both streams). Destroying it closes the session. */
  stdout: Readable;
  /** The command's error output; with a tty, an empty stream that has already ended. */
  stderr: Readable;
  /**
   * The command's input when `stdin` was asked for, else null. end() passes end-of-input on (over
   * SPDY and WebSocket v5; WebSocket v4 servers such as containerd 1.6 cannot be told).
   */
  stdin: Writable | null;
  /** The negotiated sub-protocol, e.g. v4.channel.k8s.io. */
  protocol: string;
  /** Sets the terminal size (tty sessions; otherwise does nothing). */
  resize(cols: number, rows: number): void;
  /**
   * The command's exit code once it ended (attach: the container's). Rejects with a
   * RemoteCommandError when the runtime reports another failure, a StreamingError when the
   * connection is lost, the signal's reason on abort, and a SessionClosedError after `close()` or
   * when stdout was destroyed before the command ended. Never left pending; an unawaited rejection
   * does not count as unhandled.
   */
  exitCode: Promise<number>;
  /** Tears the session down now (what becomes of the remote command is up to the runtime). */
  close(): void;
}

/** The session was closed on this side (close(), or stdout destroyed) before the command ended. */
export class SessionClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionClosedError';
  }
}

type Request = (signal: AbortSignal | undefined) => Promise<string>;

export function startExec(
  runtime: RuntimeServiceClient,
  containerId: string,
  cmd: string[],
  options: ExecOptions = {},
): Promise<RemoteProcess> {
  const stdin = options.stdin ?? false;
  const tty = options.tty ?? false;
  return start((signal) => execUrl(runtime, { containerId, cmd, stdin, tty }, signal), options);
}

export function startAttach(
  runtime: RuntimeServiceClient,
  containerId: string,
  options: AttachOptions = {},
): Promise<RemoteProcess> {
  const stdin = options.stdin ?? false;
  const tty = options.tty ?? false;
  return start((signal) => attachUrl(runtime, { containerId, stdin, tty }, signal), options);
}

async function start(request: Request, options: ExecOptions): Promise<RemoteProcess> {
  const { signal } = options;
  const transport = parseTransport(options.transport ?? 'spdy');
  signal?.throwIfAborted();
  const url = await request(signal);
  const session = await openRemoteCommand({
    url,
    transport,
    stdin: options.stdin ?? false,
    tty: options.tty ?? false,
  });
  if (signal?.aborted) {
    session.destroy();
    throw signal.reason;
  }

  let endEarly: (reason: unknown) => void = () => undefined;
  const early = new Promise<never>((_resolve, reject) => (endEarly = reject));
  const teardown = (reason: unknown) => {
    endEarly(reason);
    session.destroy();
  };
  const onAbort = () => teardown(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const onStdoutClose = () => {
    if (!session.stdout.readableEnded)
      teardown(new SessionClosedError('stdout was destroyed before the remote command ended'));
  };
  session.stdout.once('close', onStdoutClose);

  const exitCode = Promise.race([session.exitCode, early]).finally(() => {
    signal?.removeEventListener('abort', onAbort);
    session.stdout.off('close', onStdoutClose);
    // Output already received stays readable; the connection is no longer needed.
    session.close();
  });
  exitCode.catch(() => undefined);

  return {
    stdout: session.stdout,
    stderr: session.stderr ?? Readable.from([]),
    stdin: session.stdin ?? null,
    protocol: session.protocol,
    resize: (cols, rows) => {
      session.resize?.write(`${JSON.stringify({ Width: cols, Height: rows })}\n`);
    },
    exitCode,
    close: () => teardown(new SessionClosedError('the session was closed before the remote command ended')),
  };
}
