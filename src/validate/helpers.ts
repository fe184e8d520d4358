// What the checks share: containers of the test image, execSync, expectations and bounded waits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, ContainerState, DeepPartial } from '../lib/index.js';
import { type CheckContext, CheckFailure, type PodHandle } from './types.js';

/** Deadline of calls that create, start or stop things (image unpack, CNI, grace periods). */
export const SLOW = { timeoutMs: 60_000 };

export function expect(ok: unknown, message: string): asserts ok {
  if (!ok) throw new CheckFailure(message);
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new CheckFailure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Resolves when `fn` returns true; fails with `what` after `timeoutMs` (or when the check is aborted). */
export async function waitFor(
  t: CheckContext,
  what: string | (() => string),
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!t.signal.aborted) {
    if (await fn()) return;
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new CheckFailure(`${typeof what === 'string' ? what : what()} (waited ${timeoutMs / 1000}s)`);
}

/** Creates a container of the test image in `pod` (removed with the pod); returns its id. */
export async function createContainer(
  t: CheckContext,
  pod: PodHandle,
  what: string,
  extra: DeepPartial<ContainerConfig> = {},
): Promise<string> {
  const config: DeepPartial<ContainerConfig> = {
    command: ['sleep', '3600'],
    ...extra,
    metadata: { name: t.name(what), attempt: 0 },
    image: { image: t.probe.images.test },
    labels: { ...extra.labels, ...t.labels },
  };
  const { containerId } = await t.cri.runtime.createContainer(
    { podSandboxId: pod.id, config, sandboxConfig: pod.config },
    { ...SLOW, signal: t.signal },
  );
  t.noteContainer(containerId);
  return containerId;
}

/** A pod with one started container of the test image (sleeping unless `extra.command` says otherwise). */
export async function runContainer(
  t: CheckContext,
  what: string,
  extra: DeepPartial<ContainerConfig> = {},
  pod?: PodHandle,
): Promise<{ pod: PodHandle; id: string }> {
  const p = pod ?? (await t.runPod(what));
  const id = await createContainer(t, p, what, extra);
  await t.cri.runtime.startContainer({ containerId: id }, { ...SLOW, signal: t.signal });
  return { pod: p, id };
}

export async function containerState(t: CheckContext, id: string): Promise<ContainerState> {
  const { status } = await t.cri.runtime.containerStatus({ containerId: id }, { signal: t.signal });
  return status?.state ?? 'CONTAINER_UNKNOWN';
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** ExecSync with a deadline in seconds (0: none), as text. */
export async function execSync(t: CheckContext, id: string, cmd: string[], timeoutSec = 10): Promise<ExecResult> {
  const r = await t.cri.runtime.execSync(
    { containerId: id, cmd, timeout: String(timeoutSec) },
    { timeoutMs: timeoutSec === 0 ? 60_000 : (timeoutSec + 10) * 1000, signal: t.signal },
  );
  return {
    stdout: Buffer.from(r.stdout).toString(),
    stderr: Buffer.from(r.stderr).toString(),
    exitCode: r.exitCode,
  };
}

/** Runs `cmd` in the container and returns its stdout; a non-zero exit fails the check. */
export async function execOk(t: CheckContext, id: string, cmd: string[]): Promise<string> {
  const r = await execSync(t, id, cmd);
  if (r.exitCode !== 0)
    throw new CheckFailure(`${cmd.join(' ')}: exit code ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** A host directory of its own (for volumes and log files), removed when the check ends. */
export function hostDir(t: CheckContext, what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `crictl-ts-validate-${what}-`));
  t.defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The message a call fails with, or undefined when it succeeds (for checks that expect a refusal). */
export const rejected = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

/** Port of the checks' web server (busybox httpd), and the page it serves. */
export const WEB_PORT = 8080;
export const WEB_PAGE = 'crictl-ts-validate';

/** The command of a container serving WEB_PAGE on WEB_PORT. */
export const webServerCommand = (): string[] => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${WEB_PAGE} > /www/index.html && exec httpd -f -p ${WEB_PORT} -h /www`,
];
