// A cgroup_parent must be written for the runtime's cgroup driver: "/kubepods/pod1" for
// cgroupfs, "kubepods-pod1.slice" for systemd. The runtime rejects or misplaces a mismatch with
// an obscure error later, so we say it up front.
import type { RuntimeServiceClient, StatusResponse } from '../cri/client.js';

export type CgroupDriver = 'systemd' | 'cgroupfs';

/** The runtime's cgroup driver: from RuntimeConfig, else from containerd's verbose info (the
 *  caller's verbose Status reply when it has one, so it is not asked for twice). */
export async function cgroupDriver(
  runtime: RuntimeServiceClient,
  status?: StatusResponse,
): Promise<CgroupDriver | undefined> {
  try {
    const r = await runtime.runtimeConfig({});
    if (r.linux) return r.linux.cgroupDriver === 'SYSTEMD' ? 'systemd' : 'cgroupfs';
  } catch {
    // containerd < 1.7 has no RuntimeConfig rpc
  }
  try {
    const { info } = status ?? (await runtime.status({ verbose: true }));
    const config = JSON.parse(info.config ?? '{}') as {
      containerd?: {
        runtimes?: Record<string, { options?: { SystemdCgroup?: boolean } }>;
        defaultRuntimeName?: string;
      };
    };
    const runtimes = config.containerd?.runtimes ?? {};
    const runc = runtimes[config.containerd?.defaultRuntimeName ?? 'runc'] ?? runtimes.runc;
    if (runc) return runc.options?.SystemdCgroup ? 'systemd' : 'cgroupfs';
  } catch {
    // not containerd, or no verbose info
  }
  return undefined;
}

/** A warning when `parent` is written for the other driver, else undefined. */
export function cgroupParentWarning(
  file: string,
  parent: string | undefined,
  driver: CgroupDriver | undefined,
): string | undefined {
  if (!parent || !driver) return undefined;
  const systemdStyle = parent.endsWith('.slice') && !parent.includes('/');
  if (driver === 'systemd' && !systemdStyle) {
    return `WARN: ${file}: linux.cgroup_parent "${parent}" is a cgroupfs path, but the runtime uses the systemd cgroup driver (expected a slice name such as "kubepods-pod1.slice")`;
  }
  if (driver === 'cgroupfs' && parent.endsWith('.slice')) {
    return `WARN: ${file}: linux.cgroup_parent "${parent}" is a systemd slice, but the runtime uses the cgroupfs driver (expected a path such as "/kubepods/pod1")`;
  }
  return undefined;
}
