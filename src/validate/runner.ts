// Runs checks: selection (--focus, --skip, --rerun-failed), a pool of --parallel workers, a
// deadline per attempt, retries (--flake-attempts) and the baseline of expected failures.
import { CriError, type Cri, GrpcCode } from '../lib/index.js';
import { AttemptContext } from './context.js';
import { type Check, type CheckResult, type Probe, SkipError } from './types.js';

export interface Selection {
  focus?: RegExp;
  skip?: RegExp;
  /** Only these check names (from a previous report's failures). */
  only?: ReadonlySet<string>;
}

/** The checks a run covers, in table order: a check is in when its name or critest text matches. */
export function selectChecks(checks: readonly Check[], sel: Selection): Check[] {
  const texts = (c: Check) => [c.name, c.critest ?? ''];
  return checks.filter(
    (c) =>
      (!sel.only || sel.only.has(c.name)) &&
      (!sel.focus || texts(c).some((t) => sel.focus!.test(t))) &&
      !(sel.skip && texts(c).some((t) => t !== '' && sel.skip!.test(t))),
  );
}

export interface RunOptions {
  cri: Cri;
  probe: Probe;
  runId: string;
  parallel: number;
  /** Attempts in all (1: no retry). */
  flakeAttempts: number;
  /** Deadline of one attempt in milliseconds. */
  timeoutMs: number;
  /** Names of checks expected to fail. */
  baseline?: ReadonlySet<string>;
  signal: AbortSignal;
  onResult?(result: CheckResult): void;
}

export interface RunSummary {
  results: CheckResult[];
  /** Interrupted: some checks did not run. */
  interrupted: boolean;
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;

/** Runs the checks; results come back in table order (and through onResult as they finish). */
export async function runChecks(checks: readonly Check[], opts: RunOptions): Promise<RunSummary> {
  const results: Array<CheckResult | undefined> = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    while (next < checks.length && !opts.signal.aborted) {
      const index = next++;
      const result = await runCheck(checks[index], opts);
      // A check cut short by ctrl-c did not fail: it did not finish.
      if (opts.signal.aborted && result.status === 'failed') break;
      results[index] = result;
      opts.onResult?.(result);
    }
  };
  const workers = Math.max(1, Math.min(opts.parallel, checks.length));
  await Promise.all(Array.from({ length: workers }, worker));
  const done = results.filter((r): r is CheckResult => r !== undefined);
  return { results: done, interrupted: opts.signal.aborted };
}

async function runCheck(check: Check, opts: RunOptions): Promise<CheckResult> {
  const started = Date.now();
  const base = { name: check.name, group: check.group, critest: check.critest };
  const unmet = (check.needs ?? []).map((n) => opts.probe.unmet[n]).find((r) => r !== undefined);
  if (unmet !== undefined) return { ...base, status: 'skipped', seconds: 0, reason: unmet, logs: [], attempts: 0 };
  let last: Attempt | undefined;
  let attempts = 0;
  while (attempts < Math.max(1, opts.flakeAttempts) && !opts.signal.aborted) {
    attempts++;
    last = await attempt(check, opts);
    if (last.status !== 'failed') break;
  }
  const outcome = last ?? { status: 'failed' as const, reason: 'interrupted', logs: [] };
  const status = outcome.status === 'passed' && attempts > 1 ? 'flaky' : outcome.status;
  const result: CheckResult = { ...base, status, seconds: seconds(Date.now() - started), logs: outcome.logs, attempts };
  if (outcome.reason !== undefined) result.reason = outcome.reason;
  if (status === 'flaky') result.reason = `passed on attempt ${attempts} of ${opts.flakeAttempts}`;
  if (opts.baseline?.has(check.name)) result.expected = true;
  return result;
}

interface Attempt {
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  logs: string[];
}

async function attempt(check: Check, opts: RunOptions): Promise<Attempt> {
  const controller = new AbortController();
  const t = new AttemptContext(opts.cri, opts.probe, controller.signal, opts.runId, check.name);
  // Ends the attempt on its deadline or on ctrl-c; the check's own calls see its signal abort.
  let timer: NodeJS.Timeout | undefined;
  let onInterrupt: () => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    const stop = (why: string) => {
      reject(new Error(why));
      controller.abort();
    };
    timer = setTimeout(() => stop(`timed out after ${seconds(opts.timeoutMs)}s`), opts.timeoutMs);
    onInterrupt = () => stop('interrupted');
    opts.signal.addEventListener('abort', onInterrupt, { once: true });
  });
  let outcome: Attempt;
  try {
    await Promise.race([check.run(t), stopped]);
    outcome = { status: 'passed', logs: t.logs };
  } catch (err) {
    if (err instanceof SkipError) outcome = { status: 'skipped', reason: err.message, logs: t.logs };
    else if (err instanceof CriError && err.code === GrpcCode.UNIMPLEMENTED)
      outcome = { status: 'skipped', reason: `the runtime answers UNIMPLEMENTED to ${err.rpc}`, logs: t.logs };
    else outcome = { status: 'failed', reason: describe(err), logs: t.logs };
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onInterrupt);
  }
  if (outcome.status === 'failed' && !opts.signal.aborted) await t.describeContainers();
  const leftovers = await t.close();
  if (leftovers.length > 0) {
    t.log(`clean-up failed: ${leftovers.join('; ')}`);
    if (outcome.status === 'passed')
      outcome = { status: 'failed', reason: `clean-up failed: ${leftovers[0]}`, logs: t.logs };
  }
  return outcome;
}

/** The first line of an error's message. */
const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Whether the run failed: a failure not listed in the baseline (flaky checks do not fail it). */
export const unexpectedFailures = (results: readonly CheckResult[]): CheckResult[] =>
  results.filter((r) => r.status === 'failed' && !r.expected);

/** Baseline entries whose check passed this time: the list can shrink. */
export const nowPassing = (results: readonly CheckResult[], baseline: ReadonlySet<string>): CheckResult[] =>
  results.filter((r) => baseline.has(r.name) && (r.status === 'passed' || r.status === 'flaky'));
