// Bounds on what a streaming server may make us wait for or hold in memory. A streaming
// server is runtime-provided and may be broken or hostile: none of these may be unbounded.

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
