// `crictl-ts validate`: CRI conformance checks against the configured runtime, grouped as
// critest's specs, safe on a node in use (own labelled pods, all removed, also on ctrl-c).
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'clipanion';
import { UsageError } from '../cri/errors.js';
import { CriCommand } from './cri-command.js';

export class ValidateCommand extends CriCommand {
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
    const { parseDuration } = await import('../config/settings.js');
    const { escapeText } = await import('../output/escape.js');
    const { writeOut } = await import('../output/write.js');

    const regex = (flag: string, source: string | undefined) => {
      if (source === undefined) return undefined;
      try {
        return new RegExp(source);
      } catch (err) {
        throw new UsageError(`${flag} ${source}: not a valid regular expression (${(err as Error).message})`);
      }
    };
    const count = (flag: string, value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`${flag} ${value}: expected a whole number of at least 1`);
      return n;
    };
    const readText = (flag: string, file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(
          `${flag} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        );
      }
    };
    let only: Set<string> | undefined;
    if (this.rerunFailed !== undefined) {
      try {
        only = new Set(
          v.failedInReport(readText('--rerun-failed', this.rerunFailed), `--rerun-failed ${this.rerunFailed}`),
        );
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const checks = v.selectChecks(v.CHECKS, {
      focus: regex('--focus', this.focus),
      skip: regex('--skip', this.skip),
      only,
    });
    if (this.list) {
      await writeOut(this.context.stdout, checks.map((c) => `${c.name}\t${c.critest ?? '-'}\n`).join(''));
      return 0;
    }
    const parallel = count('--parallel', this.parallel);
    const flakeAttempts = count('--flake-attempts', this.flakeAttempts);
    const timeoutMs = parseDuration(this.timeout, '--timeout');
    const baseline = this.baseline === undefined ? undefined : v.parseBaseline(readText('--baseline', this.baseline));
    let auth: { username: string; password: string } | undefined;
    if (this.creds !== undefined) {
      const colon = this.creds.indexOf(':');
      if (colon <= 0) throw new UsageError('--creds: expected USERNAME:PASSWORD');
      auth = { username: this.creds.slice(0, colon), password: this.creds.slice(colon + 1) };
    }
    if (this.registry !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(this.registry))
      throw new UsageError(`--registry ${this.registry}: expected HOST:PORT`);

    const settings = await this.context.settings();
    // The library's own connection: the checks use its streaming helpers too.
    const { connect } = await import('../lib/index.js');
    const cri = connect(settings.runtimeEndpoint, settings.imageEndpoint, {
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.runtimeEndpointIsDefault ? 0 : settings.maxRetries,
      debug: settings.debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
    });
    const { interruptible } = await import('./signals.js');
    const controller = new AbortController();
    let interrupted = false;
    const release = interruptible({
      onSignal: () => {
        interrupted = true;
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
        return interrupted ? 130 : 0;
      }
      const progress = this.tap ? this.context.stderr : this.context.stdout;
      const testImage = this.testImage || v.DEFAULT_TEST_IMAGE;
      if (this.imagesFrom !== undefined) {
        const loaded = await v.loadTestImages(
          settings.imageEndpoint || settings.runtimeEndpoint,
          cri,
          this.imagesFrom,
          {
            signal: controller.signal,
          },
        );
        for (const name of loaded) progress.write(`Loaded image: ${escapeText(name)}\n`);
      }
      const runId = v.randomId(6);
      let pull = this.pullImage;
      if (pull === undefined && this.registry !== undefined) {
        pull = await v.pushUniqueImage(this.registry, runId, auth, controller.signal);
        progress.write(`Pushed image: ${pull}\n`);
      }
      const local = (settings.imageEndpoint || settings.runtimeEndpoint).startsWith('unix://');
      const probe = await v.probeRuntime(cri, {
        images: { test: testImage, pull, auth },
        runtimeHandler: this.runtimeHandler,
        local,
      });
      const problem = v.handlerProblem(probe);
      if (problem) throw new UsageError(`--runtime-handler: ${problem}`);
      progress.write(
        `Validating ${escapeText(probe.runtimeName)} ${escapeText(probe.runtimeVersion)}: ${checks.length} checks\n`,
      );

      const started = Date.now();
      let writing = Promise.resolve();
      const summary = await v.runChecks(checks, {
        cri,
        probe,
        runId,
        parallel,
        flakeAttempts,
        timeoutMs,
        baseline,
        signal: controller.signal,
        onResult: (r) => {
          writing = writing.then(() => writeOut(progress, v.progressLine(r, escapeText)));
        },
      });
      await writing;
      // Whatever a check could not remove (or made after it timed out) goes now.
      await v.cleanupByLabel(cri, runId).catch((err: Error) => this.warn(`validate: clean-up: ${err.message}`));
      const seconds = (Date.now() - started) / 1000;
      const { results } = summary;
      const nowPassing = baseline ? v.nowPassing(results, baseline) : [];
      await writeOut(
        progress,
        v.summary({ results, seconds, interrupted: summary.interrupted || interrupted, nowPassing }, escapeText),
      );
      const write = (flag: string, file: string, text: string) => {
        try {
          writeFileSync(file, text);
        } catch (err) {
          throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
        }
      };
      if (this.junit !== undefined) write('--junit', this.junit, v.junitReport(results, seconds));
      if (this.json !== undefined) write('--json', this.json, v.jsonReport(results));
      if (this.tap) await writeOut(this.context.stdout, v.tapReport(results, escapeText));
      if (process.env.GITHUB_ACTIONS === 'true') await writeOut(this.context.stdout, v.githubAnnotations(results));
      if (interrupted) return 130;
      return v.unexpectedFailures(results).length > 0 ? 1 : 0;
    } finally {
      release();
      cri.close();
    }
  }
}
