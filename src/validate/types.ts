// What a conformance check is, what it gets to work with, and what a run reports about it.
import type { CgroupDriver, Cri, DeepPartial, PodSandboxConfig } from '../lib/index.js';

export type Status = 'passed' | 'failed' | 'skipped' | 'flaky';

/** Probed facts that decide whether a check can run here (see probe.ts). */
export type Need =
  /** the container image checks run (busybox) is on the node */
  | 'testImage'
  /** an image the pull/remove checks may pull: a --registry or a pullable --pull-image */
  | 'pullImage'
  /** the validator runs on the node itself (host paths: volumes, log files) */
  | 'hostFiles';

export interface Check {
  /** `group/short-name`, unique; --focus/--skip match it and the critest text. */
  name: string;
  group: string;
  /** Full text of the critest spec this check matches, or null when critest has none. */
  critest: string | null;
  needs?: readonly Need[];
  run(t: CheckContext): Promise<void>;
}

export interface ValidateImages {
  /** Image of the containers checks run: a shell with sleep, echo, cat, id, ls, ps, hostname, nc. */
  test: string;
  /** An image the pull/remove checks pull and remove (must not be in use; absent when none). */
  pull?: string;
  /** Credentials for pulling it. */
  auth?: { username: string; password: string };
}

export interface Probe {
  runtimeName: string;
  runtimeVersion: string;
  /** Runtime handlers Status reports (empty on runtimes that do not say). */
  handlers: string[];
  userNamespaces: boolean;
  cgroupDriver: CgroupDriver | undefined;
  /** Why each unmet need is unmet; a need absent here is met. */
  unmet: Partial<Record<Need, string>>;
  images: ValidateImages;
  /** The runtime handler checks use ('' for the default). */
  runtimeHandler: string;
}

export interface PodHandle {
  id: string;
  config: DeepPartial<PodSandboxConfig>;
}

export interface CheckContext {
  cri: Cri;
  probe: Probe;
  /** Aborted when the check times out or the run is interrupted. */
  signal: AbortSignal;
  /** A name unique to this run and check: `crictl-ts-validate-<what>-<random>`. */
  name(what: string): string;
  /** Labels every resource of this run carries (what --cleanup finds). */
  labels: Record<string, string>;
  /** A line shown with the check's failure (runtime output, ids). */
  log(line: string): void;
  /** A container the check made: on failure its state and last log lines are shown. */
  noteContainer(id: string): void;
  /** Ends the check as skipped, with the reason. */
  skip(reason: string): never;
  /** Runs `fn` when the check ends, however it ends (newest first). */
  defer(fn: () => Promise<void> | void): void;
  /** A pod sandbox with this run's labels, stopped and removed when the check ends. */
  runPod(what: string, extra?: DeepPartial<PodSandboxConfig>): Promise<PodHandle>;
}

export interface CheckResult {
  name: string;
  group: string;
  critest: string | null;
  status: Status;
  seconds: number;
  reason?: string;
  /** Lines the check logged, for failures. */
  logs: string[];
  attempts: number;
  /** Listed in the baseline: its failure does not fail the run. */
  expected?: boolean;
}

export class SkipError extends Error {}

/** Thrown by checks: a failed expectation, with a one-line message. */
export class CheckFailure extends Error {}
