// The files a run reads: a baseline of expected failures, and a previous --json report.

/** Names of the failed checks in a --json report; a clear error for anything else. */
export function failedInReport(text: string, file: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message}); expected a validate --json report`);
  }
  const checks = (doc as { checks?: unknown })?.checks;
  if (!Array.isArray(checks)) throw new Error(`${file}: no "checks" array; expected a validate --json report`);
  return checks.flatMap((c: unknown, i) => {
    const { name, status } = (c ?? {}) as { name?: unknown; status?: unknown };
    if (typeof name !== 'string' || typeof status !== 'string')
      throw new Error(`${file}: checks[${i}] has no string "name" and "status"`);
    return status === 'failed' ? [name] : [];
  });
}

/** Check names in a baseline file: one a line; blank lines and `#` comments are ignored. */
export function parseBaseline(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean),
  );
}
