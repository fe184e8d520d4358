// Applying one operation to many objects: bounded concurrency, keep going past failures, one
// line per failure, exit 1 if any failed. SIGINT/SIGTERM/SIGHUP stop new work, let calls in
// flight finish, and report how far it got; a second signal exits at once. A closed stdout
// (`crictl rm -f … | head -1`) does not stop the work: it goes on, and stderr says so.
import { escapeControls } from '../output/escape.js';
import { interruptible, STOP_SIGNALS, type StopSignal } from './signals.js';

export interface BulkResult {
  done: number;
  failed: number;
  /** Items never started because of an interrupt. */
  skipped: number;
  interrupted: boolean;
  /** The stop signal that interrupted the work. */
  signal?: StopSignal;
}

export async function runBulk<T>(
  items: readonly T[],
  concurrency: number,
  op: (item: T) => Promise<string | undefined>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  label: (item: T) => string,
): Promise<BulkResult> {
  const result: BulkResult = { done: 0, failed: 0, skipped: 0, interrupted: false };
  let next = 0;
  let inFlight = 0;
  const summary = () =>
    `${result.done} done, ${result.failed} failed, ${items.length - result.done - result.failed} not attempted of ${items.length}`;
  const stop = interruptible({
    onSignal: (signal) => {
      result.interrupted = true;
      result.signal = signal;
    },
    onForce: () => {
      clearProgress();
      err.write(
        `crictl: interrupted again, exiting at once: ${result.done} done, ${result.failed} failed, ${inFlight} still in flight, ${items.length - next} not attempted of ${items.length}\n`,
      );
    },
  });
  // process.stdout is not destroyed by EPIPE: note the error and write no more.
  let outputClosed = false;
  const onOutputError = () => {
    outputClosed = true;
  };
  out.on('error', onOutputError);
  // On a terminal, a done/total line on stderr, cleared around every other line and at the end.
  // Piped, nothing extra.
  const progress = items.length > 1 && (err as NodeJS.WriteStream).isTTY === true;
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) err.write('\r\x1b[K');
    progressShown = false;
  };
  const showProgress = () => {
    if (!progress) return;
    err.write(
      `\r\x1b[K${result.done + result.failed}/${items.length} done${result.failed ? ` (${result.failed} failed)` : ''}`,
    );
    progressShown = true;
  };
  let lastWrite = Promise.resolve();
  const print = (line: string) => {
    if (outputClosed) return;
    clearProgress();
    lastWrite = new Promise((done) =>
      out.write(line, (e) => {
        if (e) outputClosed = true;
        done();
      }),
    );
  };
  const worker = async () => {
    while (next < items.length && !result.interrupted) {
      const item = items[next++];
      inFlight++;
      try {
        const line = await op(item);
        if (line) print(`${line}\n`);
        result.done++;
      } catch (e) {
        result.failed++;
        clearProgress();
        err.write(`crictl: ${escapeControls(`${label(item)}: ${(e as Error).message}`)}\n`);
      } finally {
        inFlight--;
        showProgress();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    await lastWrite;
  } finally {
    clearProgress();
    stop();
    out.off('error', onOutputError);
  }
  if (result.interrupted) {
    result.skipped = items.length - result.done - result.failed;
    err.write(`crictl: interrupted: ${summary()}\n`);
  } else if (outputClosed) {
    err.write(`crictl: output closed early; the work went on: ${summary()}\n`);
  }
  return result;
}

/** The exit code of a bulk command: the signal's (130 for SIGINT) when interrupted, 1 when anything failed. */
export function bulkExitCode(r: BulkResult): number {
  return r.interrupted ? STOP_SIGNALS[r.signal ?? 'SIGINT'] : r.failed > 0 ? 1 : 0;
}

/** How many runtime calls a bulk command keeps in flight. */
export const BULK_CONCURRENCY = 8;
