// Applying one operation to many objects: bounded concurrency, keep going past failures, one
// line per failure, exit 1 if any failed.

export interface BulkResult {
  done: number;
  failed: number;
}

export async function runBulk<T>(
  items: readonly T[],
  concurrency: number,
  op: (item: T) => Promise<string | undefined>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  label: (item: T) => string,
): Promise<BulkResult> {
  const result: BulkResult = { done: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
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
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return result;
}

/** How many runtime calls a bulk command keeps in flight. */
export const BULK_CONCURRENCY = 8;
