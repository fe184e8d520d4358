// Connecting to the runtime's streaming server: the HTTP/1.1 upgrade that turns a request into a
// SPDY connection, and turning what can go wrong there into one line an operator can act on.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { tlsConnectOptions, type StreamTls } from './tls.js';

/** A failure to reach or use a streaming URL (not a failure of the remote command itself). */
export class StreamingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamingError';
  }
}

export interface Upgraded {
  socket: Socket;
  /** Bytes the server sent after its 101 response, already read off the socket. */
  head: Buffer;
  /** The sub-protocol the server picked (X-Stream-Protocol-Version), '' when it named none. */
  protocol: string;
}

/** How long the TCP connect plus the upgrade handshake may take. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EPIPE: 'connection closed by the server',
};

/** "connect to http://127.0.0.1:41523/exec/…: connection refused" from a socket error. */
export function describeConnectError(url: string, err: NodeJS.ErrnoException): StreamingError {
  const why = (err.code && ERRNO_TEXT[err.code]) ?? err.message;
  return new StreamingError(`connect to streaming server ${redactToken(url)}: ${why}`);
}

/** The streaming URL's last path segment is a one-time token; keep it out of messages. */
export function redactToken(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/[^/]+$/, '/…')}`;
  } catch {
    return url;
  }
}

/**
 * The server's reason for a non-101 answer: the message of a Kubernetes Status object when the
 * body is one, else the body's first line (Go's http.Error writes plain text).
 */
export function bodyMessage(body: string): string {
  const text = body.trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string' && parsed.message) return parsed.message;
  } catch {
    // not JSON
  }
  return text.split('\n')[0].trim().slice(0, 300);
}

/** One line for an HTTP answer that was not the 101 we asked for. */
export function describeRejection(url: string, status: number, statusText: string, body: string): StreamingError {
  const message = bodyMessage(body);
  const hint = status === 404 ? ' (the streaming URL expired or was already used)' : '';
  return new StreamingError(
    `streaming server ${redactToken(url)} refused the upgrade: HTTP ${status} ${statusText}${message ? `: ${message}` : ''}${hint}`,
  );
}

/** Reads a response body (at most 64 KiB) for an error message. */
export function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < 65536) chunks.push(c);
      size += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * POSTs to a streaming URL asking to switch to SPDY/3.1, offering `protocols` (most preferred
 * first) in X-Stream-Protocol-Version. TLS is verified only when TLS options are given (see tls.ts).
 */
export function upgradeToSpdy(url: string, protocols: readonly string[], tls?: StreamTls): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new StreamingError(`the runtime returned an invalid streaming URL: ${JSON.stringify(url)}`));
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new StreamingError(`unsupported streaming URL scheme ${target.protocol} in ${redactToken(url)}`));
      return;
    }
    const options: https.RequestOptions = {
      method: 'POST',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'SPDY/3.1',
        'X-Stream-Protocol-Version': [...protocols],
        'Content-Length': '0',
      },
      ...tlsConnectOptions(tls),
      // A connection of its own: it either becomes the SPDY connection or is closed.
      agent: false,
    };
    const req = (target.protocol === 'https:' ? https : http).request(target, options);
    const timer = setTimeout(() => {
      req.destroy();
      reject(new StreamingError(`streaming server ${redactToken(url)} did not answer within ${HANDSHAKE_TIMEOUT_MS / 1000}s`));
    }, HANDSHAKE_TIMEOUT_MS);
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      clearTimeout(timer);
      const picked = res.headers['x-stream-protocol-version'];
      resolve({ socket, head, protocol: (Array.isArray(picked) ? picked[0] : picked) ?? '' });
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const socket = res.socket;
      void readBody(res).then((body) => {
        socket?.destroy();
        reject(describeRejection(url, res.statusCode ?? 0, res.statusMessage ?? '', body));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(describeConnectError(url, err));
    });
    req.end();
  });
}
