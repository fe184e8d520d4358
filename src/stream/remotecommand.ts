// The Kubernetes remote command protocol (exec and attach), client side, over either transport:
// connect to the runtime's streaming URL, wire local stdin/stdout/stderr and the terminal to the
// remote streams, and turn the error stream's verdict into an exit code.
import { finished } from 'node:stream/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { DetachKeyFilter } from './detach-keys.js';
import { firstFrameTimeoutMs, MAX_ERROR_BODY, seconds } from './limits.js';
import { SpdySession, StreamClosedError, type SpdyStream } from './spdy.js';
import { exitCodeFromErrorStream, RemoteCommandError } from './status.js';
import { enterRawMode, watchTerminalSize, type TerminalSize } from './tty.js';
import { redactToken, StreamingError, upgradeToSpdy } from './upgrade.js';
import { ChannelSocket } from './websocket.js';
import type { StreamTls } from './tls.js';

export type Transport = 'spdy' | 'websocket';

export function parseTransport(raw: string): Transport {
  const t = raw.trim().toLowerCase();
  if (t === 'spdy' || t === 'websocket') return t;
  throw new UsageError(`--transport "${raw}": must be one of: spdy, websocket`);
}

/** SPDY sub-protocols we speak, most preferred first (v4 added the JSON status, v3 resizing). */
export const SPDY_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;
/** WebSocket sub-protocols: v5 can half-close stdin; servers without it (containerd 1.6) pick v4. */
export const WEBSOCKET_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;

/** Channel numbers of the WebSocket flavour. */
const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

export interface LocalStdio {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface RemoteCommandOptions {
  /** The URL Exec or Attach returned. */
  url: string;
  transport: Transport;
  /** Send local stdin (-i). */
  stdin: boolean;
  /** The remote side has a TTY (-t): no separate stderr, resize messages, raw local terminal. */
  tty: boolean;
  stdio: LocalStdio;
  /** Key sequence that detaches (attach -it); empty or absent: never detach. */
  detachKeys?: readonly number[];
  /** Receives a line about the connection (for --debug). */
  debug?: (line: string) => void;
  /** TLS options for an https streaming URL. */
  tls?: StreamTls;
}

/** The remote streams of one session, whichever transport carries them. */
interface RemoteStreams {
  protocol: string;
  stdin?: Writable;
  /** Whether ending `stdin` reaches the remote process as end of input. */
  stdinClosable: boolean;
  stdout: Readable;
  stderr?: Readable;
  error: Readable;
  resize?: Writable;
  /** Set once the connection failed (as opposed to the server closing it when done). */
  failure(): Error | undefined;
  close(): void;
  destroy(): void;
}

/**
 * Waits for `accepted` (the server's first answer after the upgrade), at most the idle limit:
 * a server that upgrades and then says nothing must not keep us waiting for ever.
 */
export async function withinIdleLimit<T>(
  url: string,
  accepted: Promise<T>,
  heardFrom: () => boolean,
  onTimeout: () => void,
): Promise<T> {
  const limitMs = firstFrameTimeoutMs();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(
        new StreamingError(
          heardFrom()
            ? `streaming server ${redactToken(url)} did not accept the streams within ${seconds(limitMs)}`
            : `streaming server ${redactToken(url)} sent nothing for ${seconds(limitMs)} after the upgrade`,
        ),
      );
    }, limitMs);
    // Whatever waits for the server holds the process open; this timer alone must not.
    timer.unref();
  });
  try {
    return await Promise.race([accepted, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line for a session that ended before the server accepted its streams. */
export function describeOpenFailure(url: string, err: Error): StreamingError {
  if (err instanceof StreamingError) return err;
  if (err instanceof StreamClosedError) {
    return new StreamingError(
      err.failure
        ? `lost the connection to the streaming server ${redactToken(url)}: ${err.failure.message}`
        : `streaming server ${redactToken(url)} closed the connection before accepting the streams`,
    );
  }
  return new StreamingError(`streaming server rejected the session: ${err.message}`);
}

async function openSpdy(opts: RemoteSessionOptions): Promise<RemoteStreams> {
  const up = await upgradeToSpdy(opts.url, SPDY_PROTOCOLS, opts.tls);
  const protocol = up.protocol;
  const session = new SpdySession(up.socket, up.head);
  const open = (streamType: string): SpdyStream => session.openStream({ streamType });
  // The error stream first, as kubectl does: the server counts streams by type, not order.
  const error = open('error');
  const stdin = opts.stdin ? open('stdin') : undefined;
  const stdout = open('stdout');
  const stderr = opts.tty ? undefined : open('stderr');
  const resize =
    opts.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io' ? open('resize') : undefined;
  const streams = [error, stdin, stdout, stderr, resize].filter((s) => s !== undefined);
  // Failures surface through the session (and the exit code), not as stray 'error' events.
  for (const s of streams) s.on('error', () => undefined);
  let heard = false;
  void session.firstFrame().then(() => (heard = true));
  try {
    await withinIdleLimit(
      opts.url,
      Promise.all(streams.map((s) => s.waitReply())),
      () => heard,
      () => session.destroy(),
    );
  } catch (err) {
    session.destroy();
    throw describeOpenFailure(opts.url, err as Error);
  }
  // We never write to these: half-close them now, while the server is surely listening. A stream
  // left open would be reset when its reader lets go of it (for await does), and a frame sent as
  // the server closes the connection makes its kernel answer with a TCP reset, which can wipe
  // the exit status still unread on our side.
  for (const s of [error, stdout, stderr]) s?.end();
  return {
    protocol,
    stdin,
    stdinClosable: true,
    stdout,
    stderr,
    error,
    resize,
    failure: () => session.failure,
    close: () => session.close(),
    destroy: () => session.destroy(),
  };
}

async function openWebSocket(opts: RemoteSessionOptions): Promise<RemoteStreams> {
  const socket = await ChannelSocket.open(opts.url, WEBSOCKET_PROTOCOLS, opts.tls);
  // The server opens with an (empty) message; until it has, nothing says the session is alive.
  await withinIdleLimit(
    opts.url,
    socket.firstFrame(),
    () => false,
    () => socket.destroy(),
  ).catch((err: Error) => {
    socket.destroy();
    throw err;
  });
  const stdin = opts.stdin ? socket.writer(Channel.stdin) : undefined;
  const resize = opts.tty ? socket.writer(Channel.resize) : undefined;
  for (const w of [stdin, resize]) w?.on('error', () => undefined);
  return {
    protocol: socket.protocol,
    stdin,
    stdinClosable: socket.supportsClose,
    stdout: socket.reader(Channel.stdout),
    stderr: opts.tty ? undefined : socket.reader(Channel.stderr),
    error: socket.reader(Channel.error),
    resize,
    failure: () => socket.failure,
    close: () => socket.close(),
    destroy: () => socket.destroy(),
  };
}

/** Copies `from` into `to` without ending `to`; resolves when `from` ends. */
async function copyOut(from: Readable | undefined, to: NodeJS.WritableStream): Promise<void> {
  if (!from) return;
  from.pipe(to as Writable, { end: false });
  await finished(from, { writable: false }).catch(() => undefined);
}

/**
 * Everything `from` carries until it ends, which must be at most `limit` bytes (a status, an
 * error text): past that, `onOverflow` runs and the promise rejects.
 */
export async function collectAtMost(from: Readable, limit: number, onOverflow: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  from.on('data', (c: Buffer) => {
    if (overflow) return;
    size += c.length;
    if (size > limit) {
      overflow = true;
      chunks.length = 0;
      onOverflow();
      from.destroy();
      return;
    }
    chunks.push(c);
  });
  await finished(from, { writable: false }).catch(() => undefined);
  if (overflow)
    throw new RemoteCommandError(`the streaming server sent more than ${limit / 1024} KiB on the error stream`);
  return Buffer.concat(chunks);
}

/** An open exec/attach session: the remote streams, and how the command ended. */
export interface RemoteCommandSession {
  /** The negotiated sub-protocol. */
  readonly protocol: string;
  readonly stdin?: Writable;
  /** Whether ending `stdin` reaches the remote process as end of input. */
  readonly stdinClosable: boolean;
  readonly stdout: Readable;
  readonly stderr?: Readable;
  /** Takes terminal sizes (tty sessions on protocols that have resizing). */
  readonly resize?: Writable;
  /**
   * The remote process's exit code, known once the error stream ends (which follows all output on
   * the connection); rejects with a one-line error when the session failed.
   */
  readonly exitCode: Promise<number>;
  /** Says goodbye and closes the connection. */
  close(): void;
  /** Drops the connection now; every stream ends. */
  destroy(): void;
}

/** The options of a session without local stdio (what the library needs). */
export type RemoteSessionOptions = Omit<RemoteCommandOptions, 'stdio' | 'detachKeys'>;

/** Connects to the streaming URL and opens the exec/attach streams; resolves once the server accepted them. */
export async function openRemoteCommand(opts: RemoteSessionOptions): Promise<RemoteCommandSession> {
  const remote = opts.transport === 'websocket' ? await openWebSocket(opts) : await openSpdy(opts);
  opts.debug?.(`streaming: ${opts.transport} connection to ${redactToken(opts.url)}, protocol ${remote.protocol}`);
  const exitCode = collectAtMost(remote.error, MAX_ERROR_BODY, () => remote.close()).then((errorBytes) => {
    const failure = remote.failure();
    if (failure && errorBytes.length === 0)
      throw new StreamingError(`lost the connection to the streaming server: ${failure.message}`);
    return exitCodeFromErrorStream(remote.protocol, errorBytes);
  });
  // Whoever holds the session decides whether to wait for this; an unheard rejection is no crash.
  exitCode.catch(() => undefined);
  return { ...remote, exitCode };
}

/**
 * Runs one exec/attach session to its end with local stdio. Resolves to the remote process's
 * exit code (0 when the user detached); rejects with a one-line error when the session itself failed.
 */
export async function runRemoteCommand(opts: RemoteCommandOptions): Promise<number> {
  const remote = await openRemoteCommand(opts);
  const { stdio } = opts;
  const cleanups: (() => void)[] = [];
  let detach: () => void = () => undefined;
  const detached = new Promise<void>((resolve) => (detach = resolve));

  try {
    if (opts.tty && opts.stdin) cleanups.push(enterRawMode(stdio.stdin));
    if (remote.resize) {
      const resize = remote.resize;
      cleanups.push(watchTerminalSize(stdio.stdout, (size: TerminalSize) => resize.write(`${JSON.stringify(size)}\n`)));
    }
    if (remote.stdin) cleanups.push(forwardStdin(opts, remote, detach));

    const [, , code] = await Promise.race([
      Promise.all([copyOut(remote.stdout, stdio.stdout), copyOut(remote.stderr, stdio.stderr), remote.exitCode]),
      detached.then(() => [undefined, undefined, 0] as const), // the container keeps running
    ]);
    return code;
  } finally {
    for (const undo of cleanups.reverse()) undo();
    remote.close();
  }
}

/** Pipes local stdin to the remote stdin (through the detach-key filter when one is set). */
function forwardStdin(opts: RemoteCommandOptions, remote: RemoteCommandSession, detach: () => void): () => void {
  const local = opts.stdio.stdin as Readable;
  const target = remote.stdin as Writable;
  let source: Readable = local;
  if (opts.tty && opts.detachKeys && opts.detachKeys.length > 0) {
    const filter = new DetachKeyFilter(opts.detachKeys);
    source = local.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          const { forward, detached } = filter.feed(chunk);
          if (forward.length > 0) this.push(forward);
          if (detached) detach();
          done();
        },
      }),
    );
  }
  source.pipe(target);
  // Without a close signal (WebSocket v4 and older) the remote process never sees end of input;
  // say so if it is still running a moment after ours ended.
  let note: NodeJS.Timeout | undefined;
  const onEnd = () => {
    if (remote.stdinClosable || opts.tty) return;
    note = setTimeout(() => {
      opts.stdio.stderr.write(
        `crictl: note: end of input cannot be passed on over ${remote.protocol}; the remote command keeps waiting for input (use --transport spdy)\n`,
      );
    }, 1000);
    note.unref();
  };
  local.once('end', onEnd);
  return () => {
    clearTimeout(note);
    local.off('end', onEnd);
    local.unpipe();
    source.unpipe();
    // A paused stdin no longer holds the event loop open, so the process can exit.
    local.pause();
  };
}
