// Resource usage: stats (containers) and statsp (pods). CPU % needs two samples, so the table
// takes one, waits --seconds, and takes another, as crictl does; -o json prints one sample.
import { Command, Option } from 'clipanion';
import type { ContainerStats, PodSandboxStats } from '../cri/client.js';
import { CommandError } from '../errors.js';
import { listContainerStats, listPodSandboxes, listPodSandboxStats } from '../cri/lists.js';
import { goStringCompare } from '../output/go-json.js';
import { humanSize, truncateId } from '../output/human.js';
import { renderMessage } from '../output/render.js';
import { formatTable } from '../output/table.js';
import { CriCommand } from './cri-command.js';
import { parseLabels } from './list-options.js';
import { resolveContainerIds, resolvePodIds } from './resolve.js';
import { isSeconds, listOutputOption, templateOption } from './options.js';

/** Node's timers take at most 2^31-1 ms (about 24.8 days) and fire at once beyond it: a longer
 *  wait is made of several. */
const MAX_TIMER_MS = 2 ** 31 - 1;
async function sleep(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= MAX_TIMER_MS)
    await new Promise((r) => setTimeout(r, Math.min(left, MAX_TIMER_MS)));
}

/**
 * CPU percentage between two cumulative samples (core-nanoseconds over nanoseconds), as crictl
 * computes it: 0 for a container that used no CPU; an error if the runtime's CPU timestamp did
 * not move during the sample.
 */
export function cpuPercent(
  now: { usage?: string; timestamp: string } | undefined,
  before: { usage?: string; timestamp: string } | undefined,
): number {
  if (!now?.usage || now.usage === '0') return 0;
  const dt = Number(BigInt(now.timestamp) - BigInt(before?.timestamp ?? '0'));
  if (dt === 0) throw new CommandError('cpu stat is not updated during sample');
  // The usage counters are uint64 in Go: a counter that went backwards wraps around.
  const used = BigInt.asUintN(64, BigInt(now.usage) - BigInt(before?.usage ?? '0'));
  return (Number(used) / dt) * 100;
}

/** Stats ordered by ID, as crictl's getContainerStats and getPodSandboxStats sort them. */
export function sortById<T extends { attributes?: { id: string } | null }>(stats: readonly T[]): T[] {
  return [...stats].sort((a, b) => goStringCompare(a.attributes?.id ?? '', b.attributes?.id ?? ''));
}

abstract class StatsBase extends CriCommand {
  static override longRunning = true;
  output = listOutputOption();
  template = templateOption();
  seconds = Option.String('-s,--seconds', '1', {
    description: 'Sample duration for CPU usage in seconds',
    validator: isSeconds('--seconds', 1, 'expected a whole number of seconds >= 1'),
  });
  watch = Option.Boolean('-w,--watch', false, { description: 'Watch pod resources' });
  label = Option.Array('--label', [], { description: 'Filter by key=value label' });

  protected abstract sample(): Promise<{
    typeName: string;
    response: object;
    rows: (previous: Map<string, unknown> | undefined) => { rows: string[][]; keep: Map<string, unknown> };
  }>;

  async execute(): Promise<number> {
    const interval = this.seconds * 1000;
    let previous: Map<string, unknown> | undefined;
    for (;;) {
      const { typeName, response, rows } = await this.sample();
      if (this.output !== 'table') {
        this.out(await renderMessage(typeName, response, this.output, this.template));
      } else if (previous === undefined) {
        previous = rows(undefined).keep;
        await sleep(interval);
        continue;
      } else {
        const table = rows(previous);
        previous = table.keep;
        // crictl clears the screen before every table; only on a terminal here, so that a
        // table piped elsewhere stays plain text.
        // Clear-screen codes only for a terminal: piped (even with --watch) they would land in the data.
        if ((this.context.stdout as NodeJS.WriteStream).isTTY) this.context.stdout.write('\x1b[2J\x1b[H');
        this.context.stdout.write(formatTable(table.rows));
      }
      if (!this.watch) return 0;
      await sleep(interval);
    }
  }
}

export class StatsCommand extends StatsBase {
  static override paths = [['stats']];
  static override usage = Command.Usage({
    description: 'List container(s) resource usage statistics',
    details: 'Shows CPU %, memory working set, writable layer bytes and inodes of running containers (all with -a).',
    examples: [
      ['All running containers', 'crictl stats'],
      ['One container, refreshed', 'crictl stats --watch 3a1b'],
    ],
  });

  all = Option.Boolean('-a,--all', false, { description: 'Show all containers (default shows just running)' });
  id = Option.String('--id', '', { description: 'Filter by container id' });
  pod = Option.String('-p,--pod', '', { description: 'Filter by pod id' });
  ids = Option.Rest({ name: 'ID' });

  protected async sample() {
    const runtime = await this.runtime();
    const wanted = [...this.ids, ...(this.id ? [this.id] : [])];
    const [id] = wanted.length > 0 ? await resolveContainerIds(runtime, wanted) : [''];
    const stats = await listContainerStats(runtime, {
      id,
      podSandboxId: this.pod,
      labelSelector: parseLabels(this.label),
    });
    const response = { stats: sortById(stats) };
    // crictl's displayStats: running containers only (unless -a), and only those present in
    // both samples.
    const rows = (previous: Map<string, unknown> | undefined) => {
      const keep = new Map<string, unknown>();
      const out = [['CONTAINER', 'NAME', 'CPU %', 'MEM', 'DISK', 'INODES', 'SWAP']];
      for (const s of response.stats) {
        const key = s.attributes?.id ?? '';
        keep.set(key, s);
        const cpu = s.cpu?.usageCoreNanoSeconds?.value ?? '0';
        const mem = s.memory?.workingSetBytes?.value ?? '0';
        if (!this.all && cpu === '0' && mem === '0') continue; // not running
        const old = previous?.get(key) as ContainerStats | undefined;
        if (!old) continue; // new since the first sample
        const pct = cpuPercent(
          { usage: cpu, timestamp: s.cpu?.timestamp ?? '0' },
          { usage: old.cpu?.usageCoreNanoSeconds?.value, timestamp: old.cpu?.timestamp ?? '0' },
        );
        out.push([
          truncateId(key),
          s.attributes?.metadata?.name ?? '',
          pct.toFixed(2),
          humanSize(Number(mem)),
          humanSize(Number(s.writableLayer?.usedBytes?.value ?? 0)),
          s.writableLayer?.inodesUsed?.value ?? '0',
          humanSize(Number(s.swap?.swapUsageBytes?.value ?? 0)),
        ]);
      }
      return { rows: out, keep };
    };
    return { typeName: 'runtime.v1.ListContainerStatsResponse', response, rows };
  }
}

export class PodStatsCommand extends StatsBase {
  static override paths = [['statsp']];
  static override usage = Command.Usage({
    description:
      "List pod statistics. Stats represent a structured API that will fulfill the Kubelet's /stats/summary endpoint.",
    details:
      'Shows CPU % and memory working set per pod sandbox. The runtime only reports pod stats for pods whose config set linux.cgroup_parent.',
    examples: [
      ['All pods', 'crictl statsp'],
      ['One pod as JSON', 'crictl statsp -o json 1f6e'],
    ],
  });

  id = Option.String('--id', '', { description: 'Filter by pod id' });
  ids = Option.Rest({ name: 'ID' });
  /** Pods already reported as unmeasurable (each sample would repeat it). */
  private readonly warned = new Set<string>();

  protected async sample() {
    const runtime = await this.runtime();
    const wanted = [...this.ids, ...(this.id ? [this.id] : [])];
    const [id] = wanted.length > 0 ? await resolvePodIds(runtime, wanted) : [''];
    const filter = { id, labelSelector: parseLabels(this.label) };
    const listed = await listPodSandboxStats(runtime, filter).catch(async (err: Error) => {
      // containerd fails the whole list when one pod was run without a cgroup parent: ask pod
      // by pod instead, and name the pods that cannot be measured. crictl fails outright.
      if (!/cgroupPath is empty/.test(err.message)) throw err;
      const hint = 'pod stats need linux.cgroup_parent in the pod config';
      const reason = `${err.message.replace(/^[^:]*: [A-Z_]+: /, '')} (${hint})`;
      if (id) throw new CommandError(reason);
      const items = await listPodSandboxes(runtime, {
        state: { state: 'SANDBOX_READY' },
        labelSelector: filter.labelSelector,
      });
      const stats: PodSandboxStats[] = [];
      for (const pod of items) {
        try {
          const r = await runtime.podSandboxStats({ podSandboxId: pod.id });
          if (r.stats) stats.push(r.stats);
        } catch {
          if (!this.warned.has(pod.id))
            this.warn(`WARN: no stats for pod ${pod.metadata?.name ?? ''} (${truncateId(pod.id)}): ${hint}`);
          this.warned.add(pod.id);
        }
      }
      // Nothing measurable at all: fail with the runtime's reason, as crictl does.
      if (stats.length === 0) throw new CommandError(reason);
      return stats;
    });
    const response = { stats: sortById(listed) };
    // crictl's displayPodStats: pods without CPU and memory figures, and pods new since the
    // first sample, are left out; Linux or Windows figures, whichever the runtime sent.
    const rows = (previous: Map<string, unknown> | undefined) => {
      const keep = new Map<string, unknown>();
      const out = [['POD', 'POD ID', 'CPU %', 'MEM']];
      for (const s of response.stats) {
        const key = s.attributes?.id ?? '';
        keep.set(key, s);
        if (s.linux && s.windows)
          throw new CommandError(`pod "${truncateId(key)}" has both linux and windows stats which is not supported`);
        const figures = s.linux ?? s.windows;
        const cpu = figures?.cpu;
        const mem = figures?.memory?.workingSetBytes?.value ?? '0';
        if ((cpu?.usageCoreNanoSeconds?.value ?? '0') === '0' && mem === '0') continue;
        const old = previous?.get(key) as PodSandboxStats | undefined;
        if (!old) continue;
        const oldCpu = (s.linux ? old.linux : old.windows)?.cpu;
        const pct = cpuPercent(
          { usage: cpu?.usageCoreNanoSeconds?.value, timestamp: cpu?.timestamp ?? '0' },
          { usage: oldCpu?.usageCoreNanoSeconds?.value, timestamp: oldCpu?.timestamp ?? '0' },
        );
        out.push([s.attributes?.metadata?.name ?? '', truncateId(key), pct.toFixed(2), humanSize(Number(mem))]);
      }
      return { rows: out, keep };
    };
    return { typeName: 'runtime.v1.ListPodSandboxStatsResponse', response, rows };
  }
}
