// What `doctor` looks at: read-only CRI calls and a few files on the host. Every call may fail;
// a failure is recorded and the checks that need the answer say so, instead of aborting.
import { existsSync, lstatSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { connect, type CriClients, type RuntimeServiceClient } from '../cri/client.js';
import { DEFAULT_RUNTIME_ENDPOINTS, parseEndpoint } from '../cri/endpoint.js';
import type { ContainerStatus } from '../cri/generated/types.js';
import { listContainers, listPodSandboxes } from '../cri/lists.js';
import { lastLogLines, readEdge } from '../logs/last-lines.js';
import { cgroupDriver } from '../spec/cgroup.js';
import type {
  ContainerdConfig,
  EndpointFacts,
  ExitedContainer,
  FsSize,
  HostFacts,
  RuntimeFacts,
  SocketProbe,
} from './checks.js';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** How long a probe of another runtime's socket may take. */
const PROBE_MS = 1000;

export async function gatherEndpoint(settings: Settings, cri: CriClients): Promise<EndpointFacts> {
  const started = performance.now();
  let version: EndpointFacts['version'];
  try {
    const v = await cri.runtime.version({ version: 'v1' });
    version = {
      ok: true,
      ms: Math.round(performance.now() - started),
      runtimeName: v.runtimeName,
      runtimeVersion: v.runtimeVersion,
      runtimeApiVersion: v.runtimeApiVersion,
    };
  } catch (e) {
    version = { ok: false, error: errorText(e) };
  }
  const defaults = await Promise.all(
    DEFAULT_RUNTIME_ENDPOINTS.map(
      async (endpoint): Promise<SocketProbe> => ({
        endpoint,
        state:
          endpoint === settings.runtimeEndpoint ? (version.ok ? 'answers' : 'silent') : await probeSocket(endpoint),
      }),
    ),
  );
  return {
    endpoint: settings.runtimeEndpoint,
    source: settings.runtimeEndpointIsDefault ? 'default' : 'configured',
    configPath: settings.config.path,
    configExists: settings.config.exists,
    configWarnings: settings.config.warnings,
    version,
    defaults,
  };
}

/** What sits at a runtime socket path: nothing, a stale socket, or a runtime that answers. */
async function probeSocket(endpoint: string): Promise<SocketProbe['state']> {
  const { socketPath } = parseEndpoint(endpoint);
  try {
    if (!lstatSync(socketPath).isSocket()) return 'not-a-socket';
  } catch {
    return 'absent';
  }
  const listening = await new Promise<SocketProbe['state'] | true>((resolve) => {
    const s = createConnection(socketPath);
    const done = (r: SocketProbe['state'] | true) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(PROBE_MS, () => done('silent'));
    s.once('connect', () => done(true));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'EACCES' ? 'no-permission' : 'refused'));
  });
  if (listening !== true) return listening;
  const probe = connect(endpoint, undefined, { timeoutMs: PROBE_MS });
  try {
    await probe.runtime.version({ version: 'v1' });
    return 'answers';
  } catch {
    return 'silent';
  } finally {
    probe.close();
  }
}

/** Runs `op` over `items`, eight at a time. */
async function eachLimited<T>(items: readonly T[], op: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await op(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(8, items.length) }, worker));
}

export async function gatherRuntime(cri: CriClients, sinceMs: number, lastLines: number): Promise<RuntimeFacts> {
  const errors = new Map<string, string>();
  const attempt = async <T>(rpc: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (e) {
      errors.set(rpc, errorText(e));
      return undefined;
    }
  };
  const runtime: RuntimeServiceClient = cri.runtime;
  const status = await attempt('Status', () => runtime.status({ verbose: true }));
  const config = parseJson<ContainerdConfig>(status?.info.config);
  const cniView = parseJson<{ PluginDirs?: string[]; PluginConfDir?: string }>(status?.info.cniconfig);
  const sandboxImage = config?.sandboxImage;
  let sandboxImagePresent: boolean | undefined;
  if (sandboxImage) {
    const r = await attempt('ImageStatus', () => cri.image.imageStatus({ image: { image: sandboxImage } }));
    sandboxImagePresent = r === undefined ? undefined : Boolean(r.image);
  }
  const imageFs = await attempt('ImageFsInfo', () => cri.image.imageFsInfo({}));
  const pods = (await attempt('ListPodSandbox', () => listPodSandboxes(runtime))) ?? [];
  const containers = (await attempt('ListContainers', () => listContainers(runtime))) ?? [];

  const podCgroupParents = new Map<string, string>();
  await eachLimited(pods, async (pod) => {
    const r = await attempt('PodSandboxStatus', () =>
      runtime.podSandboxStatus({ podSandboxId: pod.id, verbose: true }),
    );
    const info = parseJson<{ config?: { linux?: { cgroup_parent?: string } } }>(r?.info.info);
    const parent = info?.config?.linux?.cgroup_parent;
    if (parent) podCgroupParents.set(pod.id, parent);
  });

  const exited: ExitedContainer[] = [];
  await eachLimited(
    containers.filter((c) => c.state === 'CONTAINER_EXITED'),
    async (container) => {
      const r = await attempt('ContainerStatus', () => runtime.containerStatus({ containerId: container.id }));
      const s: ContainerStatus | null | undefined = r?.status;
      if (!s || s.exitCode === 0 || Number(BigInt(s.finishedAt) / 1_000_000n) < sinceMs) return;
      const pod = pods.find((p) => p.id === container.podSandboxId);
      exited.push({
        container,
        status: s,
        podName: pod
          ? `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`
          : container.podSandboxId.slice(0, 13),
        lastLines: s.logPath ? lastLogLines(s.logPath, lastLines) : [],
      });
    },
  );
  exited.sort((a, b) => (BigInt(b.status.finishedAt) > BigInt(a.status.finishedAt) ? 1 : -1));

  return {
    status,
    config,
    cgroupDriver: await cgroupDriver(runtime, status),
    cniConfDir: config?.cni?.confDir ?? cniView?.PluginConfDir,
    cniBinDirs: cniView?.PluginDirs ?? (config?.cni?.binDir ? [config.cni.binDir] : []),
    sandboxImage,
    sandboxImagePresent,
    imageFs: imageFs ? [...imageFs.imageFilesystems, ...imageFs.containerFilesystems] : undefined,
    pods,
    containers,
    podCgroupParents,
    exited,
    errors,
  };
}

export function gatherHost(r: RuntimeFacts): HostFacts {
  let init: string | undefined;
  try {
    init = readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {
    init = undefined;
  }
  let cniConfFiles: string[] | undefined;
  const cniPluginTypes = new Set<string>();
  if (r.cniConfDir) {
    try {
      cniConfFiles = readdirSync(r.cniConfDir).sort();
      for (const f of cniConfFiles) {
        if (!/\.(conf|conflist|json)$/.test(f)) continue;
        const conf = parseJson<{ type?: string; plugins?: { type?: string }[] }>(readSmallFile(join(r.cniConfDir, f)));
        if (conf?.type) cniPluginTypes.add(conf.type);
        for (const p of conf?.plugins ?? []) if (p.type) cniPluginTypes.add(p.type);
      }
    } catch {
      cniConfFiles = undefined;
    }
  }
  const types = [...cniPluginTypes];
  const cniMissingPlugins = types.filter((t) => !r.cniBinDirs.some((dir) => isExecutable(join(dir, t))));
  const fsSize = new Map<string, FsSize | undefined>();
  for (const fs of r.imageFs ?? []) {
    const mount = fs.fsId?.mountpoint;
    if (!mount || fsSize.has(mount)) continue;
    try {
      const s = statfsSync(mount);
      fsSize.set(mount, { bytes: s.blocks * s.bsize, free: s.bfree * s.bsize, inodes: s.files, freeInodes: s.ffree });
    } catch {
      fsSize.set(mount, undefined);
    }
  }
  return {
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 2 : 1,
    init,
    cniConfFiles,
    cniPluginTypes: types,
    cniMissingPlugins,
    fsSize,
  };
}

function isExecutable(path: string): boolean {
  try {
    const s = statSync(path);
    return s.isFile() && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** A config file, read only up to 1 MiB: the runtime's directories are not ours to trust. */
function readSmallFile(path: string): string {
  return readEdge(path, 1 << 20, false);
}
