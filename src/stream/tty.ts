// The local terminal while attached to a remote TTY: raw mode (so keys like ctrl-c reach the
// remote process instead of killing us), always undone on the way out, and size updates.
import type { ReadStream, WriteStream } from 'node:tty';

/** The body of a resize message, as the Kubernetes resize stream expects it. */
export interface TerminalSize {
  Width: number;
  Height: number;
}

function isTtyIn(s: NodeJS.ReadableStream): s is ReadStream {
  return (s as Partial<ReadStream>).isTTY === true && typeof (s as Partial<ReadStream>).setRawMode === 'function';
}

function isTtyOut(s: NodeJS.WritableStream): s is WriteStream {
  return (s as Partial<WriteStream>).isTTY === true;
}

export function isTerminal(s: NodeJS.ReadableStream): boolean {
  return isTtyIn(s);
}

/** The terminal's size, or undefined when `out` is not a terminal or reports no size. */
export function terminalSize(out: NodeJS.WritableStream): TerminalSize | undefined {
  if (!isTtyOut(out)) return undefined;
  const [Width, Height] = [out.columns, out.rows];
  return Width > 0 && Height > 0 ? { Width, Height } : undefined;
}

/**
 * Calls `send` with the current size now and after every change (node:tty turns SIGWINCH into
 * a 'resize' event once it has re-read the size). Returns a function that stops watching.
 */
export function watchTerminalSize(out: NodeJS.WritableStream, send: (size: TerminalSize) => void): () => void {
  if (!isTtyOut(out)) return () => undefined;
  let last = '';
  const update = () => {
    const size = terminalSize(out);
    const key = size ? `${size.Width}x${size.Height}` : '';
    if (size && key !== last) {
      last = key;
      send(size);
    }
  };
  update();
  out.on('resize', update);
  return () => out.off('resize', update);
}

const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'];

/**
 * Puts `stdin` in raw mode if it is a terminal. The returned function restores it; it is also
 * run on process exit and before a terminating signal takes its normal course, so the user's
 * shell never inherits a raw terminal.
 */
export function enterRawMode(stdin: NodeJS.ReadableStream): () => void {
  if (!isTtyIn(stdin) || stdin.isRaw) return () => undefined;
  stdin.setRawMode(true);
  let restored = false;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(false);
    } catch {
      // the terminal is already gone (hangup)
    }
    process.off('exit', restore);
    for (const [sig, handler] of handlers) process.off(sig, handler);
  };
  for (const sig of FATAL_SIGNALS) {
    const handler = () => {
      restore();
      // Now let the signal do what it would have done without us.
      process.kill(process.pid, sig);
    };
    handlers.set(sig, handler);
    process.once(sig, handler);
  }
  process.once('exit', restore);
  return restore;
}
