// Shared plumbing for end-to-end tests: the lab runtime's endpoint, running the built CLI as a
// subprocess, and a raw client for arranging state on the runtime.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type CriClients, type DeepPartial, type PodSandboxConfig } from '../../src/cri/client.js';
import { NO_CONFIG, tempDir } from '../tmp.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What users run: the launcher, which starts from the startup snapshot when it can. */
export const CLI = join(ROOT, 'dist', 'crictl');
export const ENDPOINT = process.env.CRICTL_TEST_ENDPOINT ?? '';
/** Why e2e tests are skipped, or false when they run. */
export const SKIP: string | false = ENDPOINT
  ? false
  : 'no lab runtime (CRICTL_TEST_ENDPOINT unset; run npm test as root)';

export const BUSYBOX = 'docker.io/library/busybox:1.33.1';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI against the lab runtime (pass `endpoint: null` to leave -r off). */
export function crictl(
  args: string[],
  opts: { endpoint?: string | null; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): RunResult {
  const endpoint = opts.endpoint === undefined ? ENDPOINT : opts.endpoint;
  const full = endpoint ? ['-r', endpoint, ...args] : args;
  const r = spawnSync(CLI, full, {
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '', ...opts.env },
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like crictl() but without blocking the event loop (for tests that serve something meanwhile). */
export function crictlAsync(
  args: string[],
  opts: { endpoint?: string | null; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const endpoint = opts.endpoint === undefined ? ENDPOINT : opts.endpoint;
  const full = endpoint ? ['-r', endpoint, ...args] : args;
  return new Promise((resolve) => {
    const p = spawn(CLI, full, { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let clients: CriClients | undefined;
export function cri(): CriClients {
  clients ??= connect(ENDPOINT, undefined, { timeoutMs: 120_000 });
  return clients;
}

export function closeCri(): void {
  clients?.close();
  clients = undefined;
}

let counter = 0;
/** A unique pod config (name, uid) for this test run, with a cgroup parent so pod stats work. */
export function podConfig(prefix: string, extra: DeepPartial<PodSandboxConfig> = {}): DeepPartial<PodSandboxConfig> {
  const n = `${prefix}-${process.pid}-${++counter}`;
  return {
    metadata: { name: n, namespace: 'e2e', uid: `uid-${n}`, attempt: 0 },
    logDirectory: tempDir('crictl-e2e-logs-'),
    linux: { cgroupParent: `/crictl-e2e/${n}` },
    labels: { 'crictl-e2e': prefix },
    ...extra,
  };
}

/** Runs a pod; returns its ID and config. */
export async function runPod(prefix: string, extra: DeepPartial<PodSandboxConfig> = {}) {
  const config = podConfig(prefix, extra);
  const { podSandboxId } = await cri().runtime.runPodSandbox({ config });
  return { podId: podSandboxId, config };
}

/** Creates (and optionally starts) a busybox container in a pod. */
export async function runContainer(
  podId: string,
  podCfg: DeepPartial<PodSandboxConfig>,
  name: string,
  command: string[],
  start = true,
) {
  const { containerId } = await cri().runtime.createContainer({
    podSandboxId: podId,
    config: {
      metadata: { name },
      image: { image: BUSYBOX },
      command,
      logPath: `${name}.log`,
      labels: { 'crictl-e2e-container': name },
    },
    sandboxConfig: podCfg,
  });
  if (start) await cri().runtime.startContainer({ containerId });
  return containerId;
}

/** Removes pods (and their containers) created by tests. */
export async function removePods(ids: string[]): Promise<void> {
  for (const podSandboxId of ids) {
    await cri()
      .runtime.stopPodSandbox({ podSandboxId })
      .catch(() => undefined);
    await cri()
      .runtime.removePodSandbox({ podSandboxId })
      .catch(() => undefined);
  }
}

/** The lab's directory: the endpoint is unix://DIR/containerd.sock. */
export const LAB_DIR = ENDPOINT.replace(/^unix:\/\//, '').replace(/\/containerd\.sock$/, '');

/**
 * Imports one of the images the lab was built with again, as the lab script did. containerd's
 * RemoveImage drops every name of an image, and other tests need these two.
 */
export function reimportLabImage(name: 'busybox' | 'pause'): void {
  const socket = join(LAB_DIR, 'containerd.sock');
  execFileSync(
    'ctr',
    ['--address', socket, '-n', 'k8s.io', 'images', 'import', join(LAB_DIR, 'images', `${name}.tar`)],
    {
      stdio: 'ignore',
    },
  );
}

/** The lab's password-protected registry (scripts/registry-lab.sh; user `crictl`). */
export interface LabRegistry {
  /** host:port */
  address: string;
  password: string;
  /** Stops it and removes its files; gives the lab its busybox back (containerd's RemoveImage
   *  drops every name of an image, and tests pull busybox into the registry). */
  down(): void;
}

/** Starts the lab's registry next to the lab containerd (CRICTL_LAB_DIR). */
export function startLabRegistry(): LabRegistry {
  const dir = join(tempDir('crictl-registry-'), 'reg');
  const script = join(ROOT, 'scripts/registry-lab.sh');
  const lab = process.env.CRICTL_LAB_DIR ?? '';
  const up = execFileSync('bash', [script, 'up', dir, lab], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return {
    address: up.trim().split('\n').pop()!,
    password: readFileSync(join(dir, 'password'), 'utf8').trim(),
    down() {
      execFileSync('bash', [script, 'down', dir, lab], { stdio: 'ignore' });
      reimportLabImage('busybox');
      rmSync(join(dir, '..'), { recursive: true, force: true });
    },
  };
}

/** Writes a temporary file and returns its path. */
export function tempFile(name: string, content: string): string {
  const dir = tempDir('crictl-e2e-');
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
