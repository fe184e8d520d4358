// `crictl-ts validate`: CRI conformance checks against the configured runtime, grouped as
// critest's specs, safe on a node in use (own labelled pods, all removed, also on ctrl-c).
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import type { Cri } from '../lib/index.js';
import type { Check, CheckResult, RunOptions } from '../validate/index.js';
import { CriCommand } from './cri-command.js';

export class ValidateCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['validate']];
  static override usage = Command.Usage({
    description: 'Check that the container runtime conforms to the CRI, as critest does (crictl-ts only)',
    details: `
      Runs conformance checks grouped as critest's specs: runtime info, pod sandboxes (lifecycle, hostname, DNS, port mappings, sysctls, cgroup parent, user namespaces), containers (lifecycle, execSync, stats, volumes), logs (CRI format, partial lines, ReopenContainerLog), streaming (exec and attach over SPDY and WebSocket, port-forward), images and the security context. Each check makes its own pods with unique names and the label io.crictl-ts.validate.run, and removes them when it ends, also on ctrl-c; \`--cleanup\` removes what an earlier run could not.

      A check the runtime cannot run is skipped with the reason: an image that is not on the node, an rpc answered UNIMPLEMENTED, no registry to pull from, a cgroup driver or feature the runtime does not report.

      Exit status: 0 when no check failed unexpectedly (flaky checks and failures listed in --baseline do not count), 1 otherwise, 130 when interrupted.
    `,
    examples: [
      ['Every check', 'crictl-ts validate'],
      [
        'The container checks, 4 at a time, JUnit for CI',
        'crictl-ts validate --focus ^container/ --parallel 4 --junit validate.xml',
      ],
      ['Air-gapped: load the test images first', 'crictl-ts validate --images-from /srv/images/busybox.tar'],
      ['Again, only what failed last time', 'crictl-ts validate --rerun-failed last.json --json last.json'],
      ['Remove what an interrupted run left', 'crictl-ts validate --cleanup'],
    ],
  });

  focus = Option.String('--focus', { description: 'Run only checks whose name or critest text matches this regex' });
  skip = Option.String('--skip', { description: 'Leave out checks whose name or critest text matches this regex' });
  parallel = Option.String('--parallel', '1', { description: 'Checks run at the same time' });
  flakeAttempts = Option.String('--flake-attempts', '1', {
    description: 'Attempts per check; one that passes on a retry is reported flaky',
  });
  baseline = Option.String('--baseline', {
    description: 'File of check names expected to fail (one a line, # comments): they do not fail the run',
  });
  rerunFailed = Option.String('--rerun-failed', { description: 'Run only the checks a previous --json report failed' });
  timeout = Option.String('--timeout', '2m', { description: 'Deadline of one check (Go duration)' });
  testImage = Option.String('--test-image', '', {
    description: 'Image the checks run containers of (busybox-like; default docker.io/library/busybox:1.33.1)',
  });
  imagesFrom = Option.String('--images-from', {
    description: 'Load image archives (a tar, or every .tar in a directory) into containerd first',
  });
  registry = Option.String('--registry', {
    description: 'HOST:PORT of a registry: a small image of the run is pushed there for the pull checks',
  });
  pullImage = Option.String('--pull-image', { description: 'Image the pull checks pull and remove (not in use)' });
  creds = Option.String('--creds', { description: 'USERNAME:PASSWORD for the registry (push and pull)' });
  runtimeHandler = Option.String('--runtime-handler', '', { description: 'Runtime handler of the pods' });
  junit = Option.String('--junit', { description: 'Write a JUnit XML report to this file' });
  json = Option.String('--json', { description: 'Write a JSON report to this file' });
  tap = Option.Boolean('--tap', false, { description: 'Write TAP to stdout (progress goes to stderr)' });
  list = Option.Boolean('--list', false, {
    description: 'List the checks (after --focus/--skip) and their critest specs',
  });
  cleanup = Option.Boolean('--cleanup', false, {
    description: 'Remove pods left by earlier runs (by label) and exit',
  });

  async execute(): Promise<number> {
    const v = await import('../validate/index.js');
    const checks = v.selectChecks(v.CHECKS, {
      focus: regex('--focus', this.focus),
      skip: regex('--skip', this.skip),
      only: this.rerunFailed === undefined ? undefined : new Set(failedIn(this.rerunFailed, v.failedInReport)),
    });
    const { writeOut } = await import('../output/write.js');
    if (this.list) {
      await writeOut(this.context.stdout, checks.map((c) => `${c.name}\t${c.critest ?? '-'}\n`).join(''));
      return 0;
    }
    const { parseDuration } = await import('../config/settings.js');
    const run = {
      parallel: count('--parallel', this.parallel),
      flakeAttempts: count('--flake-attempts', this.flakeAttempts),
      timeoutMs: parseDuration(this.timeout, '--timeout'),
      baseline: this.baseline === undefined ? undefined : v.parseBaseline(readText('--baseline', this.baseline)),
    };
    const auth = this.creds === undefined ? undefined : parseCreds(this.creds);
    if (this.registry !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(this.registry))
      throw new UsageError(`--registry ${this.registry}: expected HOST:PORT`);

    const settings = await this.context.settings();
    // The library's own connection: the checks use its streaming helpers too.
    const { connect } = await import('../lib/index.js');
    const cri = connect(settings.runtimeEndpoint, settings.imageEndpoint, {
      // A verdict must not hang on the machine's load: every rpc gets at least 30 s (crictl's
      // 2 s default suits one interactive call, not ListContainerStats on a busy node).
      timeoutMs: settings.timeoutMs === 0 ? 0 : Math.max(settings.timeoutMs, 30_000),
      maxRetries: settings.runtimeEndpointIsDefault ? 0 : settings.maxRetries,
      debug: settings.debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
    });
    const { interruptible } = await import('./signals.js');
    const controller = new AbortController();
    const release = interruptible({
      onSignal: () => {
        controller.abort();
        this.warn('validate: interrupted; removing what the running checks made (ctrl-c again to leave it)');
        return undefined;
      },
      onForce: () => this.warn('validate: some pods may be left; remove them with `crictl-ts validate --cleanup`'),
    });
    try {
      if (this.cleanup) {
        const removed = await v.cleanupByLabel(cri);
        await writeOut(this.context.stdout, removed.map((id) => `Removed pod sandbox ${id}\n`).join(''));
        return controller.signal.aborted ? 130 : 0;
      }
      const endpoint = settings.imageEndpoint || settings.runtimeEndpoint;
      const results = await this.runChecks(cri, checks, run, { endpoint, auth, signal: controller.signal });
      if (controller.signal.aborted) return 130;
      return v.unexpectedFailures(results).length > 0 ? 1 : 0;
    } catch (err) {
      // Loading or pushing images cut short by ctrl-c: the interruption, not its error.
      if (controller.signal.aborted) return 130;
      throw err;
    } finally {
      release();
      cri.close();
    }
  }

  /** Prepares the images, probes the runtime, runs the checks and writes the reports. */
  private async runChecks(
    cri: Cri,
    checks: Check[],
    run: Pick<RunOptions, 'parallel' | 'flakeAttempts' | 'timeoutMs' | 'baseline'>,
    opts: { endpoint: string; auth?: { username: string; password: string }; signal: AbortSignal },
  ): Promise<CheckResult[]> {
    const v = await import('../validate/index.js');
    const { escapeText } = await import('../output/escape.js');
    const { writeOut } = await import('../output/write.js');
    const progress = this.tap ? this.context.stderr : this.context.stdout;
    if (this.imagesFrom !== undefined) {
      const loaded = await v.loadTestImages(opts.endpoint, cri, this.imagesFrom, { signal: opts.signal });
      await writeOut(progress, loaded.map((name) => `Loaded image: ${escapeText(name)}\n`).join(''));
    }
    const runId = v.randomId(6);
    let pull = this.pullImage;
    if (pull === undefined && this.registry !== undefined) {
      pull = await v.pushUniqueImage(this.registry, runId, opts.auth, opts.signal);
      await writeOut(progress, `Pushed image: ${pull}\n`);
    }
    const probe = await v.probeRuntime(cri, {
      images: { test: this.testImage || v.DEFAULT_TEST_IMAGE, pull, auth: opts.auth },
      runtimeHandler: this.runtimeHandler,
      // A unix socket: the runtime is on this machine, so its host paths are ours.
      local: opts.endpoint.startsWith('unix://'),
    });
    const problem = v.handlerProblem(probe);
    if (problem) throw new UsageError(`--runtime-handler: ${problem}`);
    await writeOut(
      progress,
      `Validating ${escapeText(probe.runtimeName)} ${escapeText(probe.runtimeVersion)}: ${checks.length} checks\n`,
    );

    const started = Date.now();
    let writing = Promise.resolve();
    const summary = await v.runChecks(checks, {
      ...run,
      cri,
      probe,
      runId,
      signal: opts.signal,
      onResult: (r) => {
        writing = writing.then(() => writeOut(progress, v.progressLine(r, escapeText)));
      },
    });
    await writing;
    // Whatever a check could not remove (or made after it timed out) goes now.
    await v.cleanupByLabel(cri, runId).catch((err: Error) => this.warn(`validate: clean-up: ${err.message}`));
    const seconds = (Date.now() - started) / 1000;
    const { results, interrupted } = summary;
    const nowPassing = run.baseline ? v.nowPassing(results, run.baseline) : [];
    await writeOut(progress, v.summary({ results, seconds, interrupted, nowPassing }, escapeText));
    if (this.junit !== undefined) writeReport('--junit', this.junit, v.junitReport(results, seconds));
    if (this.json !== undefined) writeReport('--json', this.json, v.jsonReport(results));
    if (this.tap) await writeOut(this.context.stdout, v.tapReport(results, escapeText));
    if (process.env.GITHUB_ACTIONS === 'true')
      await writeOut(this.context.stdout, v.githubAnnotations(results, escapeText));
    return results;
  }
}

function regex(flag: string, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(`${flag} ${source}: not a valid regular expression (${(err as Error).message})`);
  }
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${value}: expected a whole number of at least 1`);
  return n;
}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`${flag} ${file}: ${why}`);
  }
}

/** The failed checks of a previous --json report. */
function failedIn(file: string, parse: (text: string, label: string) => string[]): string[] {
  try {
    return parse(readText('--rerun-failed', file), `--rerun-failed ${file}`);
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

function parseCreds(creds: string): { username: string; password: string } {
  const colon = creds.indexOf(':');
  if (colon <= 0) throw new UsageError('--creds: expected USERNAME:PASSWORD');
  return { username: creds.slice(0, colon), password: creds.slice(colon + 1) };
}

function writeReport(flag: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
  }
}
