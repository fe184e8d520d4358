// The library's connect(): the raw rpc clients plus helpers for what takes more than one rpc —
// exec/attach sessions as Node streams, port forwarding, log records, container events, and
// ExecSync with Buffers. The helpers run on the same streaming and log code as the CLI.
import type { Duplex } from 'node:stream';
import {
  connect as connectRpc,
  type ClientOptions,
  type CriClients,
  type RuntimeServiceClient,
} from '../cri/client.js';
import { UsageError } from '../cri/errors.js';
import { readContainerLogs, type LogEntry, type LogsOptions } from './logs.js';
import {
  startAttach,
  startExec,
  type AttachOptions,
  type ExecOptions,
  type RemoteProcess,
  type StreamTransport,
} from './remote-process.js';

export type { LogEntry, LogsOptions } from './logs.js';
export {
  SessionClosedError,
  type AttachOptions,
  type ExecOptions,
  type RemoteProcess,
  type StreamTransport,
} from './remote-process.js';

export interface PortForwardOptions {
  transport?: StreamTransport;
  /** Aborting destroys the connection. */
  signal?: AbortSignal;
}

export interface ListenPortForwardOptions extends PortForwardOptions {
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
}

/** A local listener forwarding each accepted connection to a port in a pod. */
export interface PortForwardListener {
  /** The local address and port listened on (the chosen one when 0 was asked for). */
  host: string;
  port: number;
  /** Called with the error of a connection that could not be forwarded (it is closed). */
  onError?: (err: Error) => void;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

export type ContainerEventKind = 'CREATED' | 'STARTED' | 'STOPPED' | 'DELETED';

/** A container lifecycle event, from GetContainerEvents or synthesised by polling ListContainers. */
export interface ContainerEvent {
  type: ContainerEventKind;
  containerId: string;
  /** The container's pod ('' when the runtime did not say). */
  podSandboxId: string;
  /** When it happened (polling: when the change was noticed). */
  time: Date;
  /** True when synthesised from ListContainers differences (the runtime lacks GetContainerEvents). */
  polled: boolean;
  /** The runtime's own message (GetContainerEvents only). */
  raw?: import('../cri/generated/types.js').ContainerEventResponse;
}

export interface EventsOptions {
  /** Stops the iteration (it then ends without error). */
  signal?: AbortSignal;
  /** Polling interval in ms when the runtime lacks GetContainerEvents (default 1000). */
  pollIntervalMs?: number;
  /** Poll even if the runtime has GetContainerEvents. */
  forcePolling?: boolean;
}

export interface ExecSyncOptions {
  /** Seconds the runtime lets the command run (0 or absent: no limit). */
  timeout?: number;
  signal?: AbortSignal;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** The raw CRI clients plus streaming helpers; what `connect()` returns. */
export interface Cri extends CriClients {
  /**
   * Runs `cmd` in a running container over the runtime's streaming server and resolves once the
   * session is open (rejects if the runtime or the streaming server refuses it).
   */
  exec(containerId: string, cmd: string[], options?: ExecOptions): Promise<RemoteProcess>;
  /** Attaches to a running container's own stdio; resolves once the session is open. */
  attach(containerId: string, options?: AttachOptions): Promise<RemoteProcess>;
  /** One TCP connection to `port` in the pod's network namespace, as a Duplex (end() half-closes over SPDY). */
  portForward(podSandboxId: string, port: number, options?: PortForwardOptions): Promise<Duplex>;
  /** Listens on `localPort` (0: any free port) and forwards each connection to `remotePort` in the pod. */
  listenPortForward(
    podSandboxId: string,
    localPort: number,
    remotePort: number,
    options?: ListenPortForwardOptions,
  ): Promise<PortForwardListener>;
  /**
   * The container's log as records, from the file ContainerStatus names. Partial records (tag P,
   * which runtimes write for long lines) come as they are; join lines up to the next F record to
   * rebuild a line. With `follow`, keeps reading across rotation until the container stops;
   * `break` stops reading at once.
   */
  logs(containerId: string, options?: LogsOptions): AsyncIterable<LogEntry>;
  /**
   * Container lifecycle events until aborted (or `break`). Uses GetContainerEvents; a runtime
   * that answers UNIMPLEMENTED (containerd 1.6) is polled with ListContainers instead, and
   * CREATED/STARTED/STOPPED/DELETED are derived from what changed between polls (`polled: true`).
   */
  events(options?: EventsOptions): AsyncIterable<ContainerEvent>;
  /** Runs `cmd` to completion (ExecSync) and returns its output and exit code. */
  execSync(containerId: string, cmd: string[], options?: ExecSyncOptions): Promise<ExecSyncResult>;
}

/** Opens the runtime and image services (the image endpoint defaults to the runtime endpoint). */
export function connect(runtimeEndpoint: string, imageEndpoint?: string, options: ClientOptions = {}): Cri {
  const clients = connectRpc(runtimeEndpoint, imageEndpoint, options);
  const runtime = clients.runtime;
  const defaultTimeoutMs = options.timeoutMs ?? 2000;
  const notYet = (what: string) => () => Promise.reject(new Error(`${what}: not implemented yet`));
  return {
    ...clients,
    exec: (containerId, cmd, execOptions) => startExec(runtime, containerId, cmd, execOptions),
    attach: (containerId, attachOptions) => startAttach(runtime, containerId, attachOptions),
    portForward: notYet('portForward'),
    listenPortForward: notYet('listenPortForward'),
    logs: (containerId, logOptions) => readContainerLogs(runtime, containerId, logOptions),
    events: () => {
      throw new Error('events: not implemented yet');
    },
    execSync: (containerId, cmd, execOptions) => execSync(runtime, defaultTimeoutMs, containerId, cmd, execOptions),
  };
}

async function execSync(
  runtime: RuntimeServiceClient,
  defaultTimeoutMs: number,
  containerId: string,
  cmd: string[],
  options: ExecSyncOptions = {},
): Promise<ExecSyncResult> {
  const timeout = options.timeout ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0)
    throw new UsageError(`execSync: timeout ${timeout}: expected whole seconds (0: none)`);
  if (cmd.length === 0) throw new UsageError('execSync: the command is empty');
  // The runtime enforces the command's timeout; the call waits that long plus the usual margin.
  const timeoutMs = timeout > 0 ? timeout * 1000 + defaultTimeoutMs : 0;
  const r = await runtime.execSync(
    { containerId, cmd, timeout: String(timeout) },
    { timeoutMs, signal: options.signal },
  );
  return { stdout: toBuffer(r.stdout), stderr: toBuffer(r.stderr), exitCode: r.exitCode };
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
