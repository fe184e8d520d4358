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
import { UsageError } from '../errors.js';
import { containerEvents, type ContainerEvent, type EventsOptions } from './events.js';
import { readContainerLogs, type LogEntry, type LogsOptions } from './logs.js';
import { startAttach, startExec, type AttachOptions, type ExecOptions, type RemoteProcess } from './remote-process.js';
import {
  listenPortForward,
  openPortForward,
  type ListenPortForwardOptions,
  type PortForwardListener,
  type PortForwardOptions,
} from './port-forward.js';

export type { ContainerEvent, ContainerEventKind, EventsOptions } from './events.js';
export type { LogEntry, LogsOptions } from './logs.js';
export type { ListenPortForwardOptions, PortForwardListener, PortForwardOptions } from './port-forward.js';
export type { StreamTls } from '../stream/tls.js';
export {
  SessionClosedError,
  type AttachOptions,
  type ExecOptions,
  type RemoteProcess,
  type StreamTransport,
} from './remote-process.js';

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
  return {
    ...clients,
    exec: (containerId, cmd, execOptions) => startExec(runtime, containerId, cmd, execOptions),
    attach: (containerId, attachOptions) => startAttach(runtime, containerId, attachOptions),
    portForward: (podSandboxId, port, pfOptions) => openPortForward(runtime, podSandboxId, port, pfOptions),
    listenPortForward: (podSandboxId, localPort, remotePort, listenOptions) =>
      listenPortForward(runtime, podSandboxId, localPort, remotePort, listenOptions),
    logs: (containerId, logOptions) => readContainerLogs(runtime, containerId, logOptions),
    events: (eventsOptions) => containerEvents(runtime, eventsOptions),
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
