// Endpoint strings as crictl accepts them, turned into grpc-js targets.
import { statSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Where crictl looks when no endpoint is configured, in crictl's order. */
export const DEFAULT_RUNTIME_ENDPOINTS = [
  'unix:///run/containerd/containerd.sock',
  'unix:///run/crio/crio.sock',
  'unix:///var/run/cri-dockerd.sock',
] as const;

export interface ParsedEndpoint {
  /** What the user gave (shown in messages). */
  readonly endpoint: string;
  /** Absolute or relative socket path. */
  readonly socketPath: string;
  /** The grpc-js target (`unix:///path` or `unix:relative`). */
  readonly target: string;
}

/**
 * Accepts `unix:///abs/path`, `unix:path`, `unix://path` and bare paths (as crictl does, with the
 * scheme implied). Windows named pipes and TCP endpoints are rejected with a clear reason.
 */
export function parseEndpoint(endpoint: string): ParsedEndpoint {
  const value = endpoint.trim();
  if (value === '') throw new UsageError('endpoint is empty: set --runtime-endpoint or runtime-endpoint in the config');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  let socketPath: string;
  if (scheme === undefined) {
    socketPath = value;
  } else if (scheme === 'unix') {
    socketPath = value.replace(/^unix:(\/\/)?/i, '');
  } else if (scheme === 'npipe') {
    throw new UsageError(
      `endpoint ${value}: npipe:// endpoints are Windows named pipes and do not exist on this platform; use unix:///path/to/socket`,
    );
  } else {
    throw new UsageError(
      `endpoint ${value}: only unix socket endpoints are supported (unix:///path/to/socket), not ${scheme}://`,
    );
  }
  if (socketPath === '') throw new UsageError(`endpoint ${value}: no socket path after unix://`);
  const target = socketPath.startsWith('/') ? `unix://${socketPath}` : `unix:${socketPath}`;
  return { endpoint: value, socketPath, target };
}

/** True when `path` exists and is a unix socket (cheap; used to pick a default endpoint). */
export function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** The first default endpoint whose socket exists, else the first default (so the error names it). */
export function pickDefaultEndpoint(): string {
  return DEFAULT_RUNTIME_ENDPOINTS.find((e) => isSocket(parseEndpoint(e).socketPath)) ?? DEFAULT_RUNTIME_ENDPOINTS[0];
}
