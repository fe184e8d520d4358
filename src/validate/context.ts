// The context one attempt of one check runs in: unique names, labels, and the resources it made,
// removed when it ends (passed, failed, timed out or interrupted), so a node in use keeps nothing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cri, DeepPartial, PodSandboxConfig } from '../lib/index.js';
import { type CheckContext, type PodHandle, type Probe, SkipError } from './types.js';

/** Label every pod of a validate run carries; its value is the run's id. --cleanup looks for it. */
export const RUN_LABEL = 'io.crictl-ts.validate.run';
/** Label naming the check that made a pod (for whoever finds it). */
export const CHECK_LABEL = 'io.crictl-ts.validate.check';
/** Namespace of the pods' metadata, so they stand out in `crictl pods`. */
export const POD_NAMESPACE = 'crictl-ts-validate';
/** Deadline of calls that tear down: stopping a container may wait out its grace period. */
const CLEANUP_TIMEOUT_MS = 30_000;

export const randomId = (bytes = 4): string => randomBytes(bytes).toString('hex');

export class AttemptContext implements CheckContext {
  readonly labels: Record<string, string>;
  readonly logs: string[] = [];
  private readonly containers: string[] = [];
  private readonly deferred: Array<() => Promise<void> | void> = [];
  private closed = false;

  constructor(
    readonly cri: Cri,
    readonly probe: Probe,
    readonly signal: AbortSignal,
    runId: string,
    checkName: string,
  ) {
    this.labels = { [RUN_LABEL]: runId, [CHECK_LABEL]: checkName.replace(/[^A-Za-z0-9_.-]/g, '_') };
  }

  name(what: string): string {
    return `crictl-ts-validate-${what}-${randomId()}`;
  }

  log(line: string): void {
    this.logs.push(line);
  }

  noteContainer(id: string): void {
    this.containers.push(id);
  }

  /** The state, exit code, reason and last log lines of the check's containers, as log lines. */
  async describeContainers(): Promise<void> {
    for (const id of this.containers) {
      try {
        const { status } = await this.cri.runtime.containerStatus({ containerId: id }, { timeoutMs: 10_000 });
        if (!status) continue;
        const why = [status.reason, status.message].filter(Boolean).join(': ');
        this.log(
          `container ${status.metadata?.name ?? ''} ${id.slice(0, 13)}: ${status.state}, exit code ${status.exitCode}${why ? `, ${why}` : ''}`,
        );
        if (status.logPath) {
          const tail = readFileSync(status.logPath, 'utf8').trimEnd().split('\n').slice(-5);
          for (const line of tail) if (line) this.log(`  log: ${line}`);
        }
      } catch {
        // gone already, or its log is not on this machine: nothing more to show
      }
    }
  }

  skip(reason: string): never {
    throw new SkipError(reason);
  }

  defer(fn: () => Promise<void> | void): void {
    // Something made after the attempt ended (a check still running past its timeout) goes at once.
    if (this.closed)
      void Promise.resolve()
        .then(fn)
        .catch(() => undefined);
    else this.deferred.push(fn);
  }

  async runPod(what: string, extra: DeepPartial<PodSandboxConfig> = {}): Promise<PodHandle> {
    const name = this.name(what);
    const config: DeepPartial<PodSandboxConfig> = {
      ...extra,
      metadata: { name, uid: randomId(8), namespace: POD_NAMESPACE, attempt: 0 },
      labels: { ...extra.labels, ...this.labels },
    };
    const { podSandboxId: id } = await this.cri.runtime.runPodSandbox(
      { config, runtimeHandler: this.probe.runtimeHandler },
      { timeoutMs: 120_000, signal: this.signal },
    );
    this.defer(() => removePod(this.cri, id));
    return { id, config };
  }

  /** Runs the deferred clean-ups, newest first; returns what could not be cleaned up. */
  async close(): Promise<string[]> {
    this.closed = true;
    const problems: string[] = [];
    for (const fn of this.deferred.reverse()) {
      try {
        await fn();
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    this.deferred.length = 0;
    return problems;
  }
}

async function removePod(cri: Cri, id: string): Promise<void> {
  const opts = { timeoutMs: CLEANUP_TIMEOUT_MS };
  await cri.runtime.stopPodSandbox({ podSandboxId: id }, opts).catch(() => undefined);
  await cri.runtime.removePodSandbox({ podSandboxId: id }, opts);
}

/**
 * Removes every pod (with its containers) a validate run left behind: of run `runId`, or of any
 * run when none is given. Returns the ids removed.
 */
export async function cleanupByLabel(cri: Cri, runId?: string): Promise<string[]> {
  const { items } = await cri.runtime.listPodSandbox({});
  const ours = items.filter((p) =>
    runId === undefined ? p.labels[RUN_LABEL] !== undefined : p.labels[RUN_LABEL] === runId,
  );
  const removed: string[] = [];
  for (const pod of ours) {
    await removePod(cri, pod.id);
    removed.push(pod.id);
  }
  return removed;
}
