// Connecting to the runtime's streaming server: the HTTP/1.1 upgrade that turns a request into a
// SPDY connection, and turning what can go wrong there into one line an operator can act on.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { redactStreamingUrl } from '../cri/redact.js';
import { handshakeTimeoutMs, MAX_ERROR_BODY, seconds } from './limits.js';
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
  /** The sub-protocol the server picked (X-Stream-Protocol-Version), one of those offered. */
  protocol: string;
}

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
export const redactToken = redactStreamingUrl;

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

/**
 * Reads the start of a response body for an error message: stops at MAX_ERROR_BODY bytes or
 * after `timeoutMs` (a server may send an endless or stalled body) and then drops the
 * connection, so reading it can neither hang nor fill memory.
 */
export function readBody(res: http.IncomingMessage, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      res.off('data', onData);
      res.socket?.destroy();
      resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8'));
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= MAX_ERROR_BODY) done();
    };
    const timer = setTimeout(done, Math.max(0, timeoutMs));
    res.on('data', onData);
    res.on('end', done);
    res.on('error', done);
    res.on('close', done);
  });
}

/** The sub-protocol a 101 answer picked; a missing or unoffered one is an error. */
export function pickedProtocol(url: string, offered: readonly string[], header: string | string[] | undefined): string {
  const picked = (Array.isArray(header) ? header[0] : header) ?? '';
  if (picked === '') {
    throw new StreamingError(
      `streaming server ${redactToken(url)} did not name a protocol (no X-Stream-Protocol-Version in its 101 answer; offered ${offered.join(', ')})`,
    );
  }
  if (!offered.includes(picked)) {
    throw new StreamingError(
      `streaming server ${redactToken(url)} picked protocol ${JSON.stringify(picked.slice(0, 100))}, which was not offered (${offered.join(', ')})`,
    );
  }
  return picked;
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
      reject(new StreamingError(`the runtime returned an invalid streaming URL: ${JSON.stringify(redactToken(url))}`));
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
    const limitMs = handshakeTimeoutMs();
    const deadline = Date.now() + limitMs;
    const req = (target.protocol === 'https:' ? https : http).request(target, options);
    const timer = setTimeout(() => {
      req.destroy();
      reject(new StreamingError(`streaming server ${redactToken(url)} did not answer within ${seconds(limitMs)}`));
    }, limitMs);
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      clearTimeout(timer);
      try {
        resolve({ socket, head, protocol: pickedProtocol(url, protocols, res.headers['x-stream-protocol-version']) });
      } catch (err) {
        socket.destroy();
        reject(err as Error);
      }
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      // The body only explains the refusal: read what fits in the time left, then give up on it.
      void readBody(res, deadline - Date.now()).then((body) => {
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
