// Parsing shared by the list commands (option definitions are in options.ts). Filtering and
// ordering of `pods` and `ps` is done the way crictl does: the runtime filters by ID, state and
// labels; names, namespaces and images are matched here; newest first.
import { UsageError } from '../errors.js';

/** `key=value` pairs from repeated --label flags. */
export function parseLabels(labels: readonly string[] | undefined, flag = '--label'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} "${l}": expected key=value`);
    out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

/** A user regular expression (crictl's --name and --namespace), with a clear error. */
export function compileRegex(pattern: string | undefined, flag: string): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new UsageError(`${flag} "${pattern}": invalid regular expression: ${(err as Error).message}`);
  }
}

/** Newest first, then --last N or else --latest (one): crictl master lets --last win. */
export function newestFirst<T extends { createdAt: string }>(items: T[], latest: boolean, last: number): T[] {
  items.sort((a, b) => compareInt64(b.createdAt, a.createdAt));
  if (last > 0) return items.slice(0, last);
  if (latest) return items.slice(0, 1);
  return items;
}

/** Compares two non-negative decimal int64 strings without converting to float. */
export function compareInt64(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** --last N; 0 or a negative number means no limit, as in crictl. */
export function parseLast(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--last "${raw}": expected a whole number`);
  return Math.max(0, Number(raw));
}
