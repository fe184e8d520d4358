// What the error stream says about how a remote command ended. From v4 on it carries a
// Kubernetes Status object as JSON; older protocols send the error text, and nothing on success.
import { StreamingError } from './upgrade.js';

/** A Kubernetes metav1.Status, as much of it as the error stream uses. */
export interface RemoteStatus {
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

/** The remote side reported a failure that is not simply the process's exit code. */
export class RemoteCommandError extends StreamingError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteCommandError';
  }
}

/** Protocols whose error stream is JSON: v4 and v5 (v5 changed only stdin closing). */
export function hasJsonStatus(protocol: string): boolean {
  return /^v[45]\.(base64\.)?channel\.k8s\.io$/.test(protocol);
}

/**
 * The remote process's exit code from what the error stream carried; throws a
 * RemoteCommandError when the runtime reported some other failure.
 */
export function exitCodeFromErrorStream(protocol: string, raw: Buffer): number {
  const text = raw.toString('utf8').trim();
  if (!hasJsonStatus(protocol)) return text === '' ? 0 : exitCodeFromText(text);
  // v4 servers always send a status, Success included: none means the session was cut short.
  if (text === '')
    throw new RemoteCommandError('the streaming server closed the connection without reporting how the command ended');
  let status: RemoteStatus;
  try {
    status = JSON.parse(text) as RemoteStatus;
  } catch {
    throw new RemoteCommandError(`unreadable status from the streaming server: ${text.slice(0, 200)}`);
  }
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = cause?.message !== undefined && /^\d+$/.test(cause.message.trim()) ? Number(cause.message) : NaN;
    if (Number.isInteger(code)) return code;
  }
  throw new RemoteCommandError(status.message || `remote command failed (${status.reason ?? 'no reason given'})`);
}

/** Pre-v4 servers write the error text; an exit code survives only inside the message. */
function exitCodeFromText(text: string): number {
  const m = /non-zero exit code\b.*?\bexit (?:code|status) (\d+)\s*$/.exec(text);
  if (m) return Number(m[1]);
  throw new RemoteCommandError(text.split('\n')[0]);
}
