// `doctor`'s checks, as pure functions of what was gathered from the runtime and the host (see
// gather.ts), so each verdict can be tested on canned data. A check yields one or more findings;
// none of them changes anything on the node.
import type {
  Container,
  ContainerStatus,
  FilesystemUsage,
  PodSandbox,
  StatusResponse,
} from '../cri/generated/types.js';
import type { CgroupDriver } from '../spec/cgroup.js';
import { cgroupParentWarning } from '../spec/cgroup.js';

export const CHECK_NAMES = ['endpoint', 'runtime', 'cgroups', 'cni', 'sandbox-image', 'image-fs', 'workloads'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type Verdict = 'OK' | 'WARN' | 'FAIL' | 'SKIP';

export interface Finding {
  check: CheckName;
  status: Verdict;
  /** One line: what was found. */
  summary: string;
  /** The facts behind it, one per line. */
  evidence: string[];
  /** What to do about it (absent when nothing is to be done). */
  next?: string;
}

/** A default socket crictl would try, and what is there. */
export interface SocketProbe {
  endpoint: string;
  state: 'absent' | 'not-a-socket' | 'no-permission' | 'refused' | 'silent' | 'answers';
}

export interface EndpointFacts {
  endpoint: string;
  /** How the endpoint was chosen. */
  source: 'configured' | 'default';
  configPath: string;
  configExists: boolean;
  configWarnings: string[];
  /** The Version call: ok with timing, or the one-line error. */
  version:
    | { ok: true; ms: number; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }
    | { ok: false; error: string };
  defaults: SocketProbe[];
}

export interface HostFacts {
  cgroupVersion: 1 | 2;
  /** The name of PID 1 (systemd, init, sh…), or undefined when it cannot be read. */
  init: string | undefined;
  /** Names of files in the CNI conf dir, undefined when the directory is missing. */
  cniConfFiles: string[] | undefined;
  /** Plugin types named by the CNI configs (from the runtime's view or the files). */
  cniPluginTypes: string[];
  /** Plugin types with no executable in any bin dir. */
  cniMissingPlugins: string[];
  /** statfs of each image filesystem mountpoint (undefined: could not be read). */
  fsSize: Map<string, FsSize | undefined>;
}

export interface FsSize {
  bytes: number;
  free: number;
  inodes: number;
  freeInodes: number;
}

export interface ExitedContainer {
  container: Container;
  status: ContainerStatus;
  podName: string;
  lastLines: string[];
}

export interface RuntimeFacts {
  status: StatusResponse | undefined;
  /** containerd's verbose config ("config" in Status info), decoded. */
  config: ContainerdConfig | undefined;
  cgroupDriver: CgroupDriver | undefined;
  cniConfDir: string | undefined;
  cniBinDirs: string[];
  sandboxImage: string | undefined;
  /** Whether the sandbox image is present locally (undefined: could not ask). */
  sandboxImagePresent: boolean | undefined;
  imageFs: FilesystemUsage[] | undefined;
  pods: PodSandbox[];
  containers: Container[];
  /** cgroup_parent of each pod, where the runtime's verbose pod info tells it. */
  podCgroupParents: Map<string, string>;
  exited: ExitedContainer[];
  /** Errors of calls that failed, by rpc. */
  errors: Map<string, string>;
}

export interface ContainerdConfig {
  sandboxImage?: string;
  systemdCgroup?: boolean;
  cni?: { binDir?: string; confDir?: string };
  containerd?: { defaultRuntimeName?: string; runtimes?: Record<string, { options?: { SystemdCgroup?: boolean } }> };
}

export interface DoctorOptions {
  /** Only containers that finished after this (ms since the epoch) count as recent failures. */
  sinceMs: number;
  now: number;
}

const WARN_PERCENT = 85;
const FAIL_PERCENT = 95;
const NEVER_STARTED_MS = 60_000;

export function checkEndpoint(e: EndpointFacts): Finding[] {
  const evidence: string[] = [];
  evidence.push(
    e.configExists ? `config file: ${e.configPath}` : `config file: ${e.configPath} (absent; defaults apply)`,
  );
  for (const w of e.configWarnings) evidence.push(`config: ${w}`);
  const others = e.defaults.filter((d) => d.endpoint !== e.endpoint && d.state !== 'absent');
  for (const d of others) evidence.push(`${d.endpoint}: ${describeSocket(d.state)}`);
  if (!e.version.ok) {
    const permission = /permission denied/.test(e.version.error);
    return [
      {
        check: 'endpoint',
        status: 'FAIL',
        summary: `${e.endpoint} (${e.source}) does not answer`,
        evidence: [e.version.error, ...evidence],
        next: permission
          ? 'run as root, or as a user the socket grants access to'
          : e.source === 'default'
            ? 'start the runtime, or set runtime-endpoint (crictl config --set runtime-endpoint=unix:///…) to the socket it listens on'
            : 'start the runtime (e.g. systemctl status containerd), or point runtime-endpoint at the socket it listens on',
      },
    ];
  }
  const v = e.version;
  const findings: Finding[] = [
    {
      check: 'endpoint',
      status: e.source === 'default' || e.configWarnings.length > 0 ? 'WARN' : 'OK',
      summary: `${e.endpoint} answered in ${v.ms} ms: ${v.runtimeName} ${v.runtimeVersion}, CRI ${v.runtimeApiVersion}`,
      evidence,
      next:
        e.source === 'default'
          ? `no endpoint is configured and crictl picked the first socket it found: set it (crictl config --set runtime-endpoint=${e.endpoint})`
          : e.configWarnings.length > 0
            ? `fix or remove the ignored keys in ${e.configPath}`
            : undefined,
    },
  ];
  const silent = others.filter((d) => d.state === 'silent' || d.state === 'refused');
  if (silent.length > 0) {
    findings.push({
      check: 'endpoint',
      status: 'WARN',
      summary: `${silent.length} other runtime socket${silent.length > 1 ? 's exist' : ' exists'} but nobody answers`,
      evidence: silent.map((d) => `${d.endpoint}: ${describeSocket(d.state)}`),
      next: 'a stale socket of a stopped runtime: remove it, or start that runtime if it should run',
    });
  }
  return findings;
}

function describeSocket(state: SocketProbe['state']): string {
  switch (state) {
    case 'absent':
      return 'absent';
    case 'not-a-socket':
      return 'exists but is not a socket';
    case 'no-permission':
      return 'permission denied';
    case 'refused':
      return 'a socket, but nobody listens (connection refused)';
    case 'silent':
      return 'accepts connections but does not answer gRPC';
    case 'answers':
      return 'answers';
  }
}

export function checkRuntime(r: RuntimeFacts): Finding[] {
  if (!r.status) return [skip('runtime', `Status failed: ${r.errors.get('Status') ?? 'no answer'}`)];
  const conditions = r.status.status?.conditions ?? [];
  const evidence = conditions.map(
    (c) => `${c.type}=${c.status}${c.reason ? ` reason=${c.reason}` : ''}${c.message ? ` message=${c.message}` : ''}`,
  );
  const handlers = r.status.runtimeHandlers.map((h) => {
    const f = h.features;
    const on = f
      ? Object.entries(f)
          .filter(([, v]) => v === true)
          .map(([k]) => k)
      : [];
    return `${h.name || '(default)'}${on.length ? ` [${on.join(', ')}]` : ''}`;
  });
  if (handlers.length > 0) evidence.push(`runtime handlers: ${handlers.join(', ')}`);
  const features = r.status.features
    ? Object.entries(r.status.features)
        .filter(([, v]) => v === true)
        .map(([k]) => k)
    : [];
  if (features.length > 0) evidence.push(`features: ${features.join(', ')}`);
  const runtimeReady = conditions.find((c) => c.type === 'RuntimeReady');
  const networkReady = conditions.find((c) => c.type === 'NetworkReady');
  if (!runtimeReady?.status) {
    return [
      {
        check: 'runtime',
        status: 'FAIL',
        summary: `RuntimeReady is ${runtimeReady ? 'false' : 'missing'}${runtimeReady?.reason ? ` (${runtimeReady.reason})` : ''}`,
        evidence,
        next: "look at the runtime's own log (journalctl -u containerd) for why it is not ready",
      },
    ];
  }
  if (!networkReady?.status) {
    return [
      {
        check: 'runtime',
        status: 'FAIL',
        summary: `NetworkReady is ${networkReady ? 'false' : 'missing'}${networkReady?.reason ? ` (${networkReady.reason})` : ''}: pods cannot get a network`,
        evidence,
        next: 'see the cni check below',
      },
    ];
  }
  return [{ check: 'runtime', status: 'OK', summary: 'RuntimeReady and NetworkReady', evidence }];
}

export function checkCgroups(r: RuntimeFacts, host: HostFacts): Finding[] {
  const evidence = [`host: cgroup v${host.cgroupVersion}, PID 1 is ${host.init ?? 'unknown'}`];
  const findings: Finding[] = [];
  if (!r.cgroupDriver) {
    findings.push({
      check: 'cgroups',
      status: 'SKIP',
      summary: 'the runtime does not report its cgroup driver (no RuntimeConfig rpc, no containerd config)',
      evidence,
    });
  } else {
    evidence.unshift(`runtime cgroup driver: ${r.cgroupDriver}`);
    const systemdInit = host.init === 'systemd';
    if (r.cgroupDriver === 'systemd' && !systemdInit) {
      findings.push({
        check: 'cgroups',
        status: 'FAIL',
        summary: 'the runtime uses the systemd cgroup driver, but systemd is not PID 1',
        evidence,
        next: "set SystemdCgroup = false in the runtime's runc options (and cgroupDriver: cgroupfs in the kubelet)",
      });
    } else if (r.cgroupDriver === 'cgroupfs' && systemdInit) {
      findings.push({
        check: 'cgroups',
        status: 'WARN',
        summary: 'systemd is PID 1, but the runtime uses the cgroupfs driver: two managers of one cgroup tree',
        evidence,
        next: 'use the systemd driver in both runtime (SystemdCgroup = true) and kubelet (cgroupDriver: systemd)',
      });
    } else {
      findings.push({ check: 'cgroups', status: 'OK', summary: `${r.cgroupDriver} driver fits the host`, evidence });
    }
  }
  const misfits: string[] = [];
  for (const pod of r.pods) {
    const parent = r.podCgroupParents.get(pod.id);
    if (parent && cgroupParentWarning('pod', parent, r.cgroupDriver)) {
      misfits.push(
        `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? pod.id} (${pod.id.slice(0, 13)}): cgroup_parent ${JSON.stringify(parent)}`,
      );
    }
  }
  if (misfits.length > 0) {
    findings.push({
      check: 'cgroups',
      status: 'WARN',
      summary: `${misfits.length} pod${misfits.length > 1 ? 's have' : ' has'} a cgroup_parent written for the other driver (${r.cgroupDriver})`,
      evidence: misfits,
      next:
        r.cgroupDriver === 'systemd'
          ? 'use slice names such as kubepods-pod1.slice'
          : 'use paths such as /kubepods/pod1',
    });
  }
  return findings;
}

export function checkCni(r: RuntimeFacts, host: HostFacts): Finding[] {
  const network = r.status?.status?.conditions.find((c) => c.type === 'NetworkReady');
  const evidence: string[] = [];
  if (network)
    evidence.push(
      `NetworkReady=${network.status}${network.reason ? ` reason=${network.reason}` : ''}${network.message ? ` message=${network.message}` : ''}`,
    );
  if (r.cniConfDir === undefined) {
    const status: Verdict = network && !network.status ? 'FAIL' : 'SKIP';
    return [
      {
        check: 'cni',
        status,
        summary:
          status === 'FAIL'
            ? 'the network is not ready, and the runtime does not say where its CNI config lives'
            : 'the runtime does not say where its CNI config lives (not containerd?)',
        evidence,
      },
    ];
  }
  evidence.push(`conf dir: ${r.cniConfDir}`, `bin dir: ${r.cniBinDirs.join(', ') || '(none)'}`);
  const configs = (host.cniConfFiles ?? []).filter((f) => /\.(conf|conflist|json)$/.test(f));
  if (host.cniConfFiles === undefined || configs.length === 0) {
    return [
      {
        check: 'cni',
        status: 'FAIL',
        summary:
          host.cniConfFiles === undefined
            ? `CNI conf dir ${r.cniConfDir} does not exist`
            : `no CNI config in ${r.cniConfDir}`,
        evidence,
        next: `install a network plugin, or write a .conflist into ${r.cniConfDir}`,
      },
    ];
  }
  evidence.push(`configs: ${configs.join(', ')}`, `plugins: ${host.cniPluginTypes.join(', ') || '(none)'}`);
  if (host.cniMissingPlugins.length > 0) {
    return [
      {
        check: 'cni',
        status: 'FAIL',
        summary: `CNI plugin${host.cniMissingPlugins.length > 1 ? 's' : ''} ${host.cniMissingPlugins.join(', ')} not found in the bin dir`,
        evidence,
        next: `install the plugins (Debian: containernetworking-plugins) into ${r.cniBinDirs[0] ?? 'the CNI bin dir'}`,
      },
    ];
  }
  if (network && !network.status) {
    return [
      {
        check: 'cni',
        status: 'FAIL',
        summary: 'config and plugins are in place, but the runtime reports the network not ready',
        evidence,
        next: "read the runtime's log for the CNI error",
      },
    ];
  }
  return [
    {
      check: 'cni',
      status: 'OK',
      summary: `${configs.length} config${configs.length > 1 ? 's' : ''}, every plugin present`,
      evidence,
    },
  ];
}

export function checkSandboxImage(r: RuntimeFacts): Finding[] {
  if (!r.sandboxImage) return [skip('sandbox-image', 'the runtime does not name its sandbox (pause) image')];
  if (r.sandboxImagePresent === undefined)
    return [
      skip('sandbox-image', `could not ask for ${r.sandboxImage}: ${r.errors.get('ImageStatus') ?? 'no answer'}`),
    ];
  if (!r.sandboxImagePresent) {
    return [
      {
        check: 'sandbox-image',
        status: 'FAIL',
        summary: `sandbox image ${r.sandboxImage} is not present: without a registry no pod can start`,
        evidence: [`configured sandbox image: ${r.sandboxImage}`],
        next: `crictl pull ${r.sandboxImage}, or load it from a tar (crictl-ts load -i pause.tar)`,
      },
    ];
  }
  return [{ check: 'sandbox-image', status: 'OK', summary: `${r.sandboxImage} is present`, evidence: [] }];
}

export function checkImageFs(r: RuntimeFacts, host: HostFacts): Finding[] {
  if (!r.imageFs) return [skip('image-fs', `ImageFsInfo failed: ${r.errors.get('ImageFsInfo') ?? 'no answer'}`)];
  if (r.imageFs.length === 0) return [skip('image-fs', 'the runtime reports no image filesystem')];
  return r.imageFs.map((fs): Finding => {
    const mount = fs.fsId?.mountpoint ?? '?';
    const used = Number(fs.usedBytes?.value ?? 0);
    const inodes = Number(fs.inodesUsed?.value ?? 0);
    const size = host.fsSize.get(mount);
    const evidence = [`${mount}: images use ${formatBytes(used)}, ${inodes} inodes`];
    if (!size) return { check: 'image-fs', status: 'SKIP', summary: `cannot read the size of ${mount}`, evidence };
    const pct = (n: number, of: number) => (of > 0 ? (100 * n) / of : 0);
    const bytesPct = pct(size.bytes - size.free, size.bytes);
    const inodesPct = pct(size.inodes - size.freeInodes, size.inodes);
    evidence.push(
      `filesystem: ${bytesPct.toFixed(1)}% of ${formatBytes(size.bytes)} used, ${inodesPct.toFixed(1)}% of ${size.inodes} inodes used`,
    );
    const worst = Math.max(bytesPct, inodesPct);
    const status: Verdict = worst >= FAIL_PERCENT ? 'FAIL' : worst >= WARN_PERCENT ? 'WARN' : 'OK';
    return {
      check: 'image-fs',
      status,
      summary: `${mount} is ${worst.toFixed(0)}% full${inodesPct > bytesPct ? ' (inodes)' : ''}`,
      evidence,
      next: status === 'OK' ? undefined : 'remove unused images (crictl rmi --prune) or grow the filesystem',
    };
  });
}

export function checkWorkloads(r: RuntimeFacts, opts: DoctorOptions): Finding[] {
  const findings: Finding[] = [];
  const podName = (id: string) => {
    const p = r.pods.find((x) => x.id === id);
    return p ? `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}` : id.slice(0, 13);
  };
  for (const e of r.exited) {
    const s = e.status;
    const name = s.metadata?.name ?? e.container.id.slice(0, 13);
    findings.push({
      check: 'workloads',
      status: 'FAIL',
      summary: `container ${name} in ${e.podName} exited with code ${s.exitCode}${s.reason ? ` (${s.reason})` : ''}`,
      evidence: [
        `id ${s.id.slice(0, 13)}, attempt ${s.metadata?.attempt ?? 0}, finished ${nanosToIso(s.finishedAt)}`,
        ...(s.message ? [`message: ${s.message}`] : []),
        ...e.lastLines.map((l) => `log: ${l}`),
      ],
      next: `crictl logs ${s.id.slice(0, 13)}; crictl inspect ${s.id.slice(0, 13)}`,
    });
  }
  // Restarts: the same container name in one pod with a rising attempt count.
  const attempts = new Map<string, number>();
  for (const c of r.containers) {
    const key = `${c.podSandboxId}/${c.metadata?.name ?? ''}`;
    attempts.set(key, Math.max(attempts.get(key) ?? 0, c.metadata?.attempt ?? 0));
  }
  for (const [key, attempt] of attempts) {
    if (attempt < 1) continue;
    const [podId, name] = key.split('/');
    findings.push({
      check: 'workloads',
      status: 'WARN',
      summary: `container ${name} in ${podName(podId)} has restarted (attempt ${attempt})`,
      evidence: [`pod ${podId.slice(0, 13)}`],
      next: `crictl ps -a --pod ${podId.slice(0, 13)} --name ${name}`,
    });
  }
  for (const p of r.pods) {
    if (p.state === 'SANDBOX_NOTREADY') {
      findings.push({
        check: 'workloads',
        status: 'WARN',
        summary: `pod ${podName(p.id)} is NOTREADY`,
        evidence: [`pod ${p.id.slice(0, 13)}, created ${nanosToIso(p.createdAt)}`],
        next: `crictl inspectp ${p.id.slice(0, 13)}`,
      });
    }
  }
  for (const c of r.containers) {
    const created = Number(BigInt(c.createdAt) / 1_000_000n);
    if (c.state === 'CONTAINER_CREATED' && opts.now - created > NEVER_STARTED_MS) {
      findings.push({
        check: 'workloads',
        status: 'WARN',
        summary: `container ${c.metadata?.name ?? c.id.slice(0, 13)} in ${podName(c.podSandboxId)} was created ${Math.round((opts.now - created) / 60_000)} min ago and never started`,
        evidence: [`id ${c.id.slice(0, 13)}`],
        next: `crictl start ${c.id.slice(0, 13)}, or crictl rm ${c.id.slice(0, 13)}`,
      });
    }
  }
  if (findings.length === 0) {
    findings.push({
      check: 'workloads',
      status: 'OK',
      summary: `${r.pods.length} pods, ${r.containers.length} containers: no failures since ${new Date(opts.sinceMs).toISOString()}`,
      evidence: [],
    });
  }
  return findings;
}

function skip(check: CheckName, summary: string): Finding {
  return { check, status: 'SKIP', summary, evidence: [] };
}

function nanosToIso(nanos: string): string {
  const ms = Number(BigInt(nanos) / 1_000_000n);
  return ms > 0 ? new Date(ms).toISOString() : 'unknown';
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
