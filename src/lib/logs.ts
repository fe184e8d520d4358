// cri.logs(): a container's log as an async iterator of records, read from the file the runtime
// writes (the path ContainerStatus reports) by the same reader as `crictl logs`, following across
// rotation when asked. The reader pushes records; the iterator hands them out one by one and the
// reader waits (between 64 KiB blocks) until the consumer has taken what it was given.
import type { RuntimeServiceClient } from '../cri/client.js';
import { describeFsError } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { LogStream } from '../logs/format.js';
import { followLog, LogFormatError, printLog, type LogOptions, type LogRecord, type LogSink } from '../logs/reader.js';

/** One record of a container log. */
export interface LogEntry {
  /** The record's timestamp exactly as the file has it (RFC 3339 with nanoseconds, as CRI runtimes write it). */
  time: string;
  stream: LogStream;
  /** 'P': a partial record, the line goes on in the next record (runtimes split long lines); 'F': it ends here. */
  tag: 'F' | 'P';
  /** The record's bytes, without the newline that ends it. */
  line: Buffer;
}

export interface LogsOptions {
  /** Keep reading what the container appends, across log rotation, until it stops running. */
  follow?: boolean;
  /** Start at the last `tail` lines (records) of the current file. */
  tail?: number;
  /** Only records at or after this time. */
  since?: Date;
  /** Only one stream; default 'all'. */
  stream?: LogStream | 'all';
  /** Stops the iteration (it then ends without error). */
  signal?: AbortSignal;
  /** How often a followed file is checked for growth and rotation, in ms (default 100). */
  pollMs?: number;
}

/** How long `follow` keeps waiting for a runtime that stopped answering before it gives up. */
const LOST_RUNTIME_MS = 30_000;

export async function* readContainerLogs(
  runtime: RuntimeServiceClient,
  containerId: string,
  options: LogsOptions = {},
): AsyncGenerator<LogEntry, void, undefined> {
  if (options.stream !== undefined && !['stdout', 'stderr', 'all'].includes(options.stream))
    throw new UsageError(`logs: stream "${options.stream}": must be stdout, stderr or all`);
  if (options.tail !== undefined && !Number.isInteger(options.tail))
    throw new UsageError(`logs: tail ${options.tail}: expected a whole number`);
  if (options.since !== undefined && Number.isNaN(options.since.getTime()))
    throw new UsageError('logs: since is an invalid Date');
  const { status } = await runtime.containerStatus({ containerId }, { signal: options.signal });
  const path = status?.logPath ?? '';
  if (!path) throw new UsageError(`container ${containerId} has no log path (the runtime keeps no log for it)`);
  const logOptions: LogOptions = {
    tail: options.tail,
    sinceNanos: options.since ? BigInt(options.since.getTime()) * 1_000_000n : undefined,
    stream: options.stream === 'all' ? undefined : options.stream,
  };

  // Stops the reader when the consumer leaves (break, return, throw) or the caller aborts.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const queue: LogEntry[] = [];
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  stop.signal.addEventListener('abort', poke, { once: true });
  // The reader waits here after each block until the consumer has emptied the queue.
  let drained: (() => void) | undefined;
  const sink: LogSink = {
    write: () => undefined,
    record: (r: LogRecord) => {
      queue.push({ time: r.time, stream: r.stream, tag: r.partial ? 'P' : 'F', line: r.message });
      poke();
    },
    flush: () =>
      queue.length === 0 || stop.signal.aborted
        ? undefined
        : new Promise<void>((resolve) => {
            drained = resolve;
          }),
    get closed() {
      return stop.signal.aborted;
    },
  };
  stop.signal.addEventListener('abort', () => drained?.(), { once: true });

  let failingSince: number | undefined;
  const stillRunning = async () => {
    try {
      const r = await runtime.containerStatus({ containerId }, { signal: stop.signal });
      failingSince = undefined;
      return r.status?.state === 'CONTAINER_RUNNING';
    } catch (err) {
      if (stop.signal.aborted) return false;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > LOST_RUNTIME_MS) throw err;
      return true;
    }
  };
  let finished = false;
  let failure: unknown;
  const reading = (
    options.follow
      ? followLog(path, logOptions, sink, stillRunning, stop.signal, options.pollMs)
      : printLog(path, logOptions, sink, { signal: stop.signal })
  ).then(
    () => {
      finished = true;
      poke();
    },
    (err: unknown) => {
      failure = err;
      finished = true;
      poke();
    },
  );

  try {
    for (;;) {
      const entry = queue.shift();
      if (entry) {
        if (queue.length === 0) {
          drained?.();
          drained = undefined;
        }
        yield entry;
        continue;
      }
      if (finished || stop.signal.aborted) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (failure !== undefined) throw describeLogFailure(path, failure);
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    // The reader notices at its next block or poll; its file descriptors close before we return.
    await reading;
  }
}

/** File errors name the file (as `crictl logs` does); format errors too. */
function describeLogFailure(path: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Error && typeof e.code === 'string' && e.syscall)
    return new UsageError(`log file ${path}: ${describeFsError(e)}`);
  if (err instanceof LogFormatError) return new UsageError(`log file ${path}: ${err.message}`);
  return err;
}
