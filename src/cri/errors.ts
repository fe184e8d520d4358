// Errors from talking to a runtime, turned into one line an operator can act on.
import { statSync } from 'node:fs';

/** gRPC status codes we name in messages (numbers are wire facts). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const CODE_NAMES = Object.fromEntries(Object.entries(GrpcCode).map(([k, v]) => [v, k])) as Record<number, string>;

/** An error raised by the CRI client: always carries the endpoint, the rpc and the gRPC code. */
export class CriError extends Error {
  constructor(
    message: string,
    readonly endpoint: string,
    readonly rpc: string,
    readonly code: number,
    readonly details: string,
    /** The runtime could not be reached for now (see isUnreachable). */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'CriError';
  }

  get codeName(): string {
    return CODE_NAMES[this.code] ?? `code ${this.code}`;
  }
}

const CONNECT_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory (is the runtime running?)',
  EACCES: 'permission denied (are you root?)',
  ECONNREFUSED: 'connection refused (socket exists but nobody listens)',
  ENOTSOCK: 'not a socket',
  ENOTDIR: 'not a directory in the socket path',
};

/** Why connecting to a path that is not a socket failed: Linux says "connection refused" for a
 *  regular file or a directory, which would send the operator looking for a dead runtime. */
function notASocket(endpoint: string): string | undefined {
  try {
    const st = statSync(endpoint.replace(/^unix:(\/\/)?/i, ''));
    if (st.isSocket()) return undefined;
    return st.isDirectory()
      ? 'is a directory, not a socket'
      : st.isFile()
        ? 'is a regular file, not a socket'
        : 'is not a socket';
  } catch {
    return undefined;
  }
}

/** What toCriError reads of a grpc-js ServiceError (named here so that the library's declarations
 *  do not need @grpc/grpc-js, which is bundled). */
export interface GrpcFailure {
  code: number;
  details?: string;
  message: string;
}

/** Turns a grpc-js error into a CriError with a one-line message naming endpoint and status. */
export function toCriError(err: GrpcFailure, endpoint: string, rpc: string, timeoutMs: number): CriError {
  // grpc-js's connection errors carry a timestamp and an empty resolver note: noise in one line.
  const details = (err.details || err.message || '')
    .replace(/\s+/g, ' ')
    .replace(/ \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, '')
    .replace(/ Resolution note:\s*$/, '')
    .trim();
  let message: string;
  // A socket not there yet, nobody listening, or a runtime that says it is unavailable may pass.
  let unreachable = false;
  const errno = /\b(E[A-Z]+)\b/.exec(details)?.[1];
  if (err.code === GrpcCode.UNAVAILABLE && errno && CONNECT_ERRNO[errno]) {
    const wrongKind = errno === 'ECONNREFUSED' && notASocket(endpoint);
    message = `connect ${endpoint}: ${wrongKind || CONNECT_ERRNO[errno]}`;
    unreachable = !wrongKind && (errno === 'ENOENT' || errno === 'ECONNREFUSED');
  } else if (
    err.code === GrpcCode.UNAVAILABLE &&
    /Protocol error|parse|HTTP|http2|h2|GOAWAY|stream/i.test(details) &&
    !/not initialized/i.test(details)
  ) {
    message = `connect ${endpoint}: the endpoint does not speak gRPC (${details})`;
  } else if (
    err.code === GrpcCode.UNAVAILABLE &&
    /ECONNRESET|EPIPE|Connection closed|socket hang up|Failed to connect/i.test(details)
  ) {
    message = `connect ${endpoint}: the endpoint closed the connection (not a CRI runtime, or it went away)`;
  } else if (err.code === GrpcCode.UNIMPLEMENTED) {
    // Older runtimes lack newer rpcs (containerd 1.6 has no RuntimeConfig, events, metrics).
    message = `${rpc}: not supported by the runtime at ${endpoint} (UNIMPLEMENTED: ${details})`;
  } else if (err.code === GrpcCode.DEADLINE_EXCEEDED) {
    message = `${rpc}: deadline exceeded after ${formatDuration(timeoutMs)} talking to ${endpoint} (raise --timeout?)`;
  } else {
    message = `${rpc}: ${CODE_NAMES[err.code] ?? `code ${err.code}`}: ${details}`;
    unreachable = err.code === GrpcCode.UNAVAILABLE && errno === undefined;
  }
  return new CriError(message, endpoint, rpc, err.code, details, unreachable);
}

/**
 * Whether a call failed because the runtime could not be reached for now (its socket is not
 * there yet, nobody listens, or it says it is unavailable), which may pass; not for a wrong path,
 * missing permission or something that is not gRPC, which will not.
 */
export function isUnreachable(err: unknown): boolean {
  return err instanceof CriError && err.unreachable;
}

export function formatDuration(ms: number): string {
  // As Go prints a duration under a minute: in the largest unit that keeps a whole part.
  const short = (n: number) => String(Number(n.toFixed(6)));
  if (ms >= 1000) return `${short(ms / 1000)}s`;
  if (ms >= 1) return `${short(ms)}ms`;
  return `${short(ms * 1000)}\u00b5s`;
}
