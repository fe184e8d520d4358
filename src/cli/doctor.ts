// `crictl-ts doctor`: one report on the node's container runtime, for the operator on a sick node
// who would otherwise ask crictl ten questions. Read-only: it never changes anything.
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';
import { outputOption } from './options.js';

export class DoctorCommand extends CriCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    description: 'Check the container runtime and report what is wrong (crictl-ts only)',
    details: `
      Runs read-only checks and reports each as OK, WARN, FAIL or SKIP with the evidence and a next step:

      - endpoint: which socket answered and how fast, other runtime sockets that exist but do not answer, the config file and keys it ignored;
      - runtime: RuntimeReady and NetworkReady with reason and message, runtime handlers and features;
      - cgroups: the runtime's cgroup driver against the host (cgroup v1/v2, systemd as PID 1), pods whose cgroup_parent does not fit;
      - cni: the runtime's CNI conf dir holds a config and the bin dir every plugin it names;
      - sandbox-image: the pause image the runtime is configured with is present (no pod starts offline without it);
      - image-fs: how full the image filesystem is (WARN at 85%, FAIL at 95%, bytes or inodes);
      - workloads: containers that exited non-zero within --since (with their last log lines), restarts, NOTREADY pods, containers created but never started.

      Exit status: 0 when everything is OK, 2 with warnings only, 1 with any FAIL.
    `,
    examples: [
      ['Everything', 'crictl-ts doctor'],
      ['Only the network and the pause image', 'crictl-ts doctor --check cni,sandbox-image'],
      ['Failures of the last 10 minutes, as JSON', 'crictl-ts doctor --check workloads --since 10m -o json'],
    ],
  });

  checks = Option.Array('--check', {
    description:
      'Run only these checks (comma-separated or repeated): endpoint, runtime, cgroups, cni, sandbox-image, image-fs, workloads',
  });
  since = Option.String('--since', '1h', {
    description: 'How far back an exited container counts as a failure (Go duration, e.g. 30m)',
  });
  output = outputOption(['table', 'json'], 'table');

  async execute(): Promise<number> {
    const {
      CHECK_NAMES,
      checkCgroups,
      checkCni,
      checkEndpoint,
      checkImageFs,
      checkRuntime,
      checkSandboxImage,
      checkWorkloads,
    } = await import('../doctor/checks.js');
    type Name = (typeof CHECK_NAMES)[number];
    const wanted = new Set<Name>();
    for (const name of (this.checks ?? [])
      .flatMap((c) => c.split(','))
      .map((c) => c.trim())
      .filter(Boolean)) {
      if (!(CHECK_NAMES as readonly string[]).includes(name))
        throw new UsageError(`--check ${name}: unknown check; expected one of ${CHECK_NAMES.join(', ')}`);
      wanted.add(name as Name);
    }
    const runs = (name: Name) => wanted.size === 0 || wanted.has(name);
    const { parseDuration } = await import('../config/settings.js');
    const now = Date.now();
    const sinceMs = now - parseDuration(this.since, '--since');

    const { gatherEndpoint, gatherHost, gatherRuntime } = await import('../doctor/gather.js');
    const settings = await this.context.settings();
    const cri = await this.context.cri();
    const endpoint = await gatherEndpoint(settings, cri);
    const findings = runs('endpoint') ? checkEndpoint(endpoint) : [];
    const rest = CHECK_NAMES.filter((n) => n !== 'endpoint' && runs(n));
    if (!endpoint.version.ok) {
      for (const check of rest)
        findings.push({ check, status: 'SKIP', summary: 'the runtime does not answer', evidence: [] });
    } else if (rest.length > 0) {
      const runtime = await gatherRuntime(cri, sinceMs, 5);
      const host = gatherHost(runtime);
      if (runs('runtime')) findings.push(...checkRuntime(runtime));
      if (runs('cgroups')) findings.push(...checkCgroups(runtime, host));
      if (runs('cni')) findings.push(...checkCni(runtime, host));
      if (runs('sandbox-image')) findings.push(...checkSandboxImage(runtime));
      if (runs('image-fs')) findings.push(...checkImageFs(runtime, host));
      if (runs('workloads')) findings.push(...checkWorkloads(runtime, { sinceMs, now }));
    }

    const { exitCode, reportJson, reportTable } = await import('../doctor/report.js');
    const stdout = this.context.stdout as NodeJS.WriteStream;
    this.context.stdout.write(
      this.output === 'json'
        ? reportJson(findings)
        : reportTable(findings, { colour: Boolean(stdout.isTTY), width: stdout.columns || 120 }),
    );
    return exitCode(findings);
  }
}
