// The errors crictl-ts raises itself, apart from the runtime's (CriError, in src/cri/errors.ts,
// carries the endpoint, rpc and gRPC code). main.ts prints each as one line; the class picks
// nothing but the wording's origin and the exit code.

/** What both kinds share: a message shown as is, and the exit code the CLI ends with. */
abstract class OwnError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Bad input: a flag, argument, config or spec file, environment variable. The message names the
 *  input and what was expected. */
export class UsageError extends OwnError {
  override readonly name = 'UsageError';
}

/** The input was fine but the work could not be done: the runtime's state or answer, a file that
 *  could not be read or written, a stream that broke, a signal (exit code 128 + its number). */
export class CommandError extends OwnError {
  override readonly name = 'CommandError';
}

/** The closest candidate within edit distance 3, for "did you mean" hints. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = 4;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
