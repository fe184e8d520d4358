// Applying one operation to many objects: bounded concurrency, keep going past failures, one
// line per failure, exit 1 if any failed. SIGINT/SIGTERM stop new work, let calls in flight
// finish, and report how far it got.

export interface BulkResult {
  done: number;
  failed: number;
  /** Items never started because of an interrupt. */
  skipped: number;
  interrupted: boolean;
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
  const interrupt = () => {
    result.interrupted = true;
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !result.interrupted) {
      const item = items[next++];
      try {
        const line = await op(item);
        if (line) out.write(`${line}\n`);
        result.done++;
      } catch (e) {
        result.failed++;
        err.write(`crictl: ${label(item)}: ${(e as Error).message}\n`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  if (result.interrupted) {
    result.skipped = items.length - result.done - result.failed;
    err.write(`crictl: interrupted: ${result.done} done, ${result.failed} failed, ${result.skipped} not attempted of ${items.length}\n`);
  }
  return result;
}

/** The exit code of a bulk command: 130 when interrupted, 1 when anything failed. */
export function bulkExitCode(r: BulkResult): number {
  return r.interrupted ? 130 : r.failed > 0 ? 1 : 0;
}

/** How many runtime calls a bulk command keeps in flight. */
export const BULK_CONCURRENCY = 8;
