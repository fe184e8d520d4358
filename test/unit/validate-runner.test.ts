// The runner's logic on made-up checks: selection, parallelism, retries and flakes, deadlines,
// the baseline, skips (probed needs, UNIMPLEMENTED rpcs) and interruption with clean-up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Cri, CriError, GrpcCode } from '../../src/lib/index.js';
import { failedInReport, parseBaseline } from '../../src/validate/lists.js';
import { nowPassing, type RunOptions, runChecks, selectChecks, unexpectedFailures } from '../../src/validate/runner.js';
import { type Check, CheckFailure, type CheckContext, type Probe } from '../../src/validate/types.js';

const probe: Probe = {
  runtimeName: 'fake',
  runtimeVersion: '0',
  handlers: [],
  userNamespaces: false,
  cgroupDriver: undefined,
  unmet: { pullImage: 'no image to pull' },
  images: { test: 'busybox' },
  runtimeHandler: '',
};

const check = (name: string, run: (t: CheckContext) => Promise<void>, extra: Partial<Check> = {}): Check => ({
  name,
  group: name.split('/')[0],
  critest: null,
  run,
  ...extra,
});

function options(extra: Partial<RunOptions> = {}): RunOptions {
  return {
    // The made-up checks never call the runtime.
    cri: {} as Cri,
    probe,
    runId: 'test',
    parallel: 1,
    flakeAttempts: 1,
    timeoutMs: 5000,
    signal: new AbortController().signal,
    ...extra,
  };
}

const pass = async () => undefined;
const fail = async () => {
  throw new CheckFailure('nope');
};

describe('selectChecks', () => {
  const checks = [
    check('pod/run', pass, { critest: '[k8s.io] PodSandbox runtime should support running PodSandbox [Conformance]' }),
    check('container/exec-sync', pass, { critest: '[k8s.io] Container execSync [Conformance]' }),
    check('logs/partial-lines', pass),
  ];
  const names = (cs: Check[]) => cs.map((c) => c.name);

  test('focus matches the name or the critest text; skip leaves out', () => {
    assert.deepEqual(names(selectChecks(checks, { focus: /^pod\// })), ['pod/run']);
    assert.deepEqual(names(selectChecks(checks, { focus: /Conformance/ })), ['pod/run', 'container/exec-sync']);
    assert.deepEqual(names(selectChecks(checks, { skip: /execSync/ })), ['pod/run', 'logs/partial-lines']);
    assert.deepEqual(names(selectChecks(checks, { focus: /./, skip: /^logs/ })), ['pod/run', 'container/exec-sync']);
  });

  test('a check without critest text is not skipped by a pattern that matches the empty string', () => {
    assert.deepEqual(names(selectChecks(checks, { skip: /x*/ })), []);
    assert.deepEqual(names(selectChecks(checks, { skip: /^$/ })), names(checks));
  });

  test('only: the names of a previous report', () => {
    assert.deepEqual(names(selectChecks(checks, { only: new Set(['logs/partial-lines']) })), ['logs/partial-lines']);
  });
});

describe('runChecks', () => {
  test('runs N at a time and reports in table order', async () => {
    let running = 0;
    let most = 0;
    const slow = (ms: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
    };
    const checks = [40, 10, 30, 20, 10, 50].map((ms, i) => check(`g/c${i}`, slow(ms)));
    const finished: string[] = [];
    const { results } = await runChecks(checks, options({ parallel: 3, onResult: (r) => finished.push(r.name) }));
    assert.equal(most, 3);
    assert.deepEqual(
      results.map((r) => r.name),
      checks.map((c) => c.name),
    );
    assert.notDeepEqual(
      finished,
      results.map((r) => r.name),
      'onResult is called as checks finish',
    );
    assert.ok(results.every((r) => r.status === 'passed'));
  });

  test('a check that passes on a retry is flaky, not passed; one that never passes failed', async () => {
    let tries = 0;
    const flaky = check('g/flaky', async () => {
      if (++tries < 3) throw new CheckFailure(`try ${tries}`);
    });
    const { results } = await runChecks([flaky, check('g/broken', fail)], options({ flakeAttempts: 3 }));
    assert.equal(results[0].status, 'flaky');
    assert.equal(results[0].attempts, 3);
    assert.match(results[0].reason ?? '', /passed on attempt 3 of 3/);
    assert.equal(results[1].status, 'failed');
    assert.equal(results[1].attempts, 3);
    assert.deepEqual(
      unexpectedFailures(results).map((r) => r.name),
      ['g/broken'],
    );
  });

  test('without --flake-attempts a failure is not retried', async () => {
    let tries = 0;
    const { results } = await runChecks(
      [
        check('g/once', async () => {
          tries++;
          throw new CheckFailure('x');
        }),
      ],
      options(),
    );
    assert.equal(tries, 1);
    assert.equal(results[0].status, 'failed');
  });

  test('a check past its deadline fails, its signal is aborted and its clean-up runs', async () => {
    let aborted = false;
    let cleaned = false;
    const hang = check('g/hang', async (t) => {
      t.defer(() => {
        cleaned = true;
      });
      t.signal.addEventListener('abort', () => (aborted = true));
      await new Promise(() => undefined);
    });
    const started = Date.now();
    const { results } = await runChecks([hang], options({ timeoutMs: 200 }));
    assert.equal(results[0].status, 'failed');
    assert.match(results[0].reason ?? '', /timed out after 0\.2s/);
    assert.ok(aborted && cleaned);
    assert.ok(Date.now() - started < 4000);
  });

  test('a failing clean-up fails a check that passed', async () => {
    const leaky = check('g/leaky', async (t) => {
      t.defer(() => {
        throw new Error('pod busy');
      });
    });
    const { results } = await runChecks([leaky], options());
    assert.equal(results[0].status, 'failed');
    assert.match(results[0].reason ?? '', /clean-up failed: pod busy/);
  });

  test('skips: an unmet need (not run), t.skip, an UNIMPLEMENTED rpc; each with its reason', async () => {
    let ran = false;
    const checks = [
      check(
        'image/pull',
        async () => {
          ran = true;
        },
        { needs: ['pullImage'] },
      ),
      check('g/own-skip', async (t) => t.skip('no cgroup v2 here')),
      check('logs/reopen', async () => {
        throw new CriError(
          'ReopenContainerLog: UNIMPLEMENTED',
          'unix:///x',
          'ReopenContainerLog',
          GrpcCode.UNIMPLEMENTED,
          '',
        );
      }),
    ];
    const { results } = await runChecks(checks, options());
    assert.equal(ran, false);
    assert.deepEqual(
      results.map((r) => [r.status, r.reason]),
      [
        ['skipped', 'no image to pull'],
        ['skipped', 'no cgroup v2 here'],
        ['skipped', 'the runtime answers UNIMPLEMENTED to ReopenContainerLog'],
      ],
    );
    assert.deepEqual(unexpectedFailures(results), []);
  });

  test('baseline: a listed failure is expected; a listed check that passes is reported', async () => {
    const baseline = parseBaseline('# known\ng/known-bad\ng/fixed   # was broken\n\n');
    assert.deepEqual([...baseline], ['g/known-bad', 'g/fixed']);
    const { results } = await runChecks(
      [check('g/known-bad', fail), check('g/fixed', pass), check('g/new-bad', fail)],
      options({ baseline }),
    );
    assert.equal(results[0].expected, true);
    assert.equal(results[2].expected, undefined);
    assert.deepEqual(
      unexpectedFailures(results).map((r) => r.name),
      ['g/new-bad'],
    );
    assert.deepEqual(
      nowPassing(results, baseline).map((r) => r.name),
      ['g/fixed'],
    );
  });

  test('interrupted: running checks are cut short and cleaned up, no new one starts', async () => {
    const controller = new AbortController();
    const cleaned: string[] = [];
    const started: string[] = [];
    const long = (name: string) =>
      check(name, async (t) => {
        started.push(name);
        t.defer(() => {
          cleaned.push(name);
        });
        await new Promise(() => undefined);
      });
    setTimeout(() => controller.abort(), 100);
    const summary = await runChecks(
      [long('g/a'), long('g/b'), long('g/c')],
      options({ parallel: 2, signal: controller.signal }),
    );
    assert.equal(summary.interrupted, true);
    assert.deepEqual(started, ['g/a', 'g/b']);
    assert.deepEqual(cleaned.sort(), ['g/a', 'g/b']);
    assert.deepEqual(summary.results, [], 'a check cut short is not reported as failed');
  });
});

describe('--rerun-failed reads a --json report', () => {
  test('the failed checks of a report', () => {
    const report = JSON.stringify({
      checks: [
        { name: 'a', status: 'passed' },
        { name: 'b', status: 'failed' },
        { name: 'c', status: 'flaky' },
      ],
    });
    assert.deepEqual(failedInReport(report, 'last.json'), ['b']);
  });

  test('anything else: one line naming the file and what was expected', () => {
    assert.throws(
      () => failedInReport('{', 'last.json'),
      /^Error: last\.json: not JSON .*expected a validate --json report$/,
    );
    assert.throws(() => failedInReport('{"tests": []}', 'last.json'), /last\.json: no "checks" array/);
    assert.throws(
      () => failedInReport('{"checks": [{"name": 1}]}', 'last.json'),
      /last\.json: checks\[0\] has no string "name"/,
    );
  });
});
