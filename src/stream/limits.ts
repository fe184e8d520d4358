// Bounds on what a streaming server may make us wait for or hold in memory. A streaming
// server is runtime-provided and may be broken or hostile: none of these may be unbounded.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Connect + upgrade answer + (for a refusal) reading its body. */
export function handshakeTimeoutMs(): number {
  return fromEnv('CRICTL_STREAM_HANDSHAKE_MS', 30_000);
}

/**
 * After the upgrade, how long the server may stay silent before its first frame (SPDY: the
 * replies to our streams; WebSocket: the empty message it opens with). Real servers answer in
 * milliseconds; the command's own output may then take as long as it likes.
 */
export function firstFrameTimeoutMs(): number {
  return fromEnv('CRICTL_STREAM_IDLE_MS', 10_000);
}

/** The most of a refusal's body we read for the error message. */
export const MAX_ERROR_BODY = 64 * 1024;

/**
 * The largest SPDY frame we accept. Servers write output in io.Copy-sized pieces (32 KiB), and
 * control frames are tiny; a frame past this is a broken or hostile server, not data.
 */
export const MAX_SPDY_FRAME = 1024 * 1024;

/**
 * Control frames (stream replies, resets, pings) are a few bytes; their header blocks are
 * compressed, and a small cap here also bounds what one can inflate to (zlib: ~1000x).
 */
export const MAX_SPDY_CONTROL_FRAME = 64 * 1024;

/** The largest WebSocket message we accept (ws's own default is 100 MiB). */
export const MAX_WEBSOCKET_MESSAGE = 1024 * 1024;

/**
 * Every buffer a stream moves (one per socket read, one per frame we send) is garbage once
 * written on, yet V8 collects such buffers only when its young generation fills with JS
 * objects or their total nears its external-memory budget (64 MiB): tens of MiB of dead
 * buffers sit in RSS during a large transfer. A young-generation collection after every
 * RECLAIM_EVERY bytes moved keeps that garbage small for a fraction of a millisecond each.
 */
const RECLAIM_EVERY = 4 * 1024 * 1024;
let moved = 0;
/** Off unless the CLI turns it on: a library must not flip V8 flags or time collections for
 *  the program that imports it. */
let reclaiming = false;
type Collect = (options: { type: 'minor' }) => void;
let collect: Collect | null | undefined;

/** Counts `bytes` moved through a stream; collects dead buffers every RECLAIM_EVERY bytes. */
export function noteMoved(bytes: number): void {
  if (!reclaiming) return;
  moved += bytes;
  if (moved < RECLAIM_EVERY) return;
  moved = 0;
  collect ??= collector();
  collect?.({ type: 'minor' });
}

/** Lets streams collect their dead buffers as they go (the CLI owns its process; see above). */
export function reclaimMovedBuffers(): void {
  reclaiming = true;
}

function collector(): Collect | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as Collect;
  try {
    // V8 gives a context created while --expose-gc is set its gc(); the flag goes back off at once.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    return null;
  }
}

/** "1.5s", "30s": for messages. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

// Tests shorten these to keep fault cases quick; not a user-facing setting.
function fromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
