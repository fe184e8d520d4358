// Security context: users and groups, read-only rootfs, privileged, capabilities, namespaces,
// no-new-privileges. Capabilities are read from /proc/self/status, which every image has.
import { readlinkSync } from 'node:fs';
import type { ContainerConfig, DeepPartial, NamespaceMode, PodSandboxConfig } from '../../lib/index.js';
import {
  containerState,
  createContainer,
  execOk,
  execSync,
  expect,
  expectEqual,
  rejected,
  runContainer,
  waitFor,
} from '../helpers.js';
import type { Check, CheckContext } from '../types.js';
import { critest } from './critest.js';

const ctx = (context: string, it: string) => critest('Security Context', context, it);
const needs = ['testImage'] as const;

/** Capability numbers (linux/capability.h). */
const CAP = { NET_ADMIN: 12, NET_RAW: 13, SYS_ADMIN: 21 } as const;

/** The effective and bounding capability sets of a process in the container. */
async function capabilities(t: CheckContext, id: string): Promise<{ eff: bigint; bnd: bigint; noNewPrivs: string }> {
  const status = await execOk(t, id, ['cat', '/proc/self/status']);
  const field = (name: string) => status.match(new RegExp(`^${name}:\\s*(\\S+)`, 'm'))?.[1];
  return {
    eff: BigInt(`0x${field('CapEff') ?? '0'}`),
    bnd: BigInt(`0x${field('CapBnd') ?? '0'}`),
    noNewPrivs: field('NoNewPrivs') ?? '',
  };
}
const has = (set: bigint, cap: number) => (set & (1n << BigInt(cap))) !== 0n;

async function withSecurity(
  t: CheckContext,
  what: string,
  container: DeepPartial<ContainerConfig['linux']>,
  pod: DeepPartial<PodSandboxConfig> = {},
): Promise<string> {
  const p = await t.runPod(what, pod);
  return (await runContainer(t, what, { linux: container }, p)).id;
}

/** A pod with these namespace modes, its container, and the container's PID 1 command line. */
async function namespaces(t: CheckContext, what: string, options: Record<string, NamespaceMode>): Promise<string> {
  const namespaceOptions = options;
  return withSecurity(
    t,
    what,
    { securityContext: { namespaceOptions } },
    { linux: { securityContext: { namespaceOptions } } },
  );
}

/** The inode of one of the validator's own namespaces, to compare with the container's. */
async function sameNamespace(t: CheckContext, id: string, kind: 'pid' | 'ipc' | 'net'): Promise<boolean> {
  const mine = readlinkSync(`/proc/self/ns/${kind}`);
  const r = await execSync(t, id, ['sh', '-c', `ls -l /proc/self/ns/${kind}`]);
  return r.stdout.includes(mine);
}

export const securityChecks: Check[] = [
  {
    name: 'security/run-as-user',
    group: 'security',
    critest: ctx('bucket', 'runtime should support RunAsUser'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'uid', { securityContext: { runAsUser: { value: '1001' } } });
      expectEqual((await execOk(t, id, ['id', '-u'])).trim(), '1001', 'id -u');
    },
  },
  {
    name: 'security/run-as-group',
    group: 'security',
    critest: ctx('bucket', 'runtime should support RunAsGroup'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'gid', {
        securityContext: { runAsUser: { value: '1001' }, runAsGroup: { value: '1002' } },
      });
      expectEqual((await execOk(t, id, ['id', '-g'])).trim(), '1002', 'id -g');
    },
  },
  {
    name: 'security/run-as-group-without-user',
    group: 'security',
    critest: ctx('bucket', 'runtime should return error if RunAsGroup is set without RunAsUser'),
    needs,
    async run(t) {
      const pod = await t.runPod('gid-only');
      const error = await rejected(
        createContainer(t, pod, 'gid-only', { linux: { securityContext: { runAsGroup: { value: '1002' } } } }),
      );
      expect(error !== undefined, 'CreateContainer accepted run_as_group without run_as_user');
    },
  },
  {
    name: 'security/supplemental-groups',
    group: 'security',
    critest: ctx('bucket', 'runtime should support SupplementalGroups'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'groups', {
        securityContext: { runAsUser: { value: '1001' }, supplementalGroups: ['1234', '5678'] },
      });
      const groups = (await execOk(t, id, ['id', '-G'])).trim().split(/\s+/);
      for (const g of ['1234', '5678']) expect(groups.includes(g), `id -G has no ${g}: ${groups.join(' ')}`);
    },
  },
  ...[true, false].map(
    (readOnly): Check => ({
      name: `security/read-only-rootfs-${readOnly}`,
      group: 'security',
      critest: ctx('bucket', `runtime should support that ReadOnlyRootfs is ${readOnly}`),
      needs,
      async run(t) {
        const id = await withSecurity(t, 'rootfs', { securityContext: { readonlyRootfs: readOnly } });
        const r = await execSync(t, id, ['touch', '/validate-write']);
        if (readOnly) expect(r.exitCode !== 0, 'writing to a read-only root filesystem succeeded');
        else expect(r.exitCode === 0, `writing to the root filesystem failed: ${r.stderr.trim()}`);
      },
    }),
  ),
  ...[true, false].map(
    (privileged): Check => ({
      name: `security/privileged-${privileged}`,
      group: 'security',
      critest: ctx('bucket', `runtime should support Privileged is ${privileged}`),
      needs,
      async run(t) {
        const id = await withSecurity(
          t,
          'privileged',
          { securityContext: { privileged } },
          { linux: { securityContext: { privileged } } },
        );
        const { eff } = await capabilities(t, id);
        expectEqual(has(eff, CAP.SYS_ADMIN), privileged, 'CAP_SYS_ADMIN in the effective set');
        expectEqual(has(eff, CAP.NET_ADMIN), privileged, 'CAP_NET_ADMIN in the effective set');
      },
    }),
  ),
  {
    name: 'security/add-capability',
    group: 'security',
    critest: ctx('bucket', 'runtime should support adding capability'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'cap-add', {
        securityContext: { capabilities: { addCapabilities: ['NET_ADMIN'] } },
      });
      expect(has((await capabilities(t, id)).eff, CAP.NET_ADMIN), 'CAP_NET_ADMIN was added but is not effective');
      const plain = await withSecurity(t, 'cap-none', {});
      expect(!has((await capabilities(t, plain)).eff, CAP.NET_ADMIN), 'CAP_NET_ADMIN is effective by default');
    },
  },
  {
    name: 'security/drop-capability',
    group: 'security',
    critest: ctx('bucket', 'runtime should support dropping capability'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'cap-drop', {
        securityContext: { capabilities: { dropCapabilities: ['NET_RAW'] } },
      });
      expect(!has((await capabilities(t, id)).eff, CAP.NET_RAW), 'CAP_NET_RAW was dropped but is effective');
    },
  },
  {
    name: 'security/add-all-capabilities',
    group: 'security',
    critest: ctx('bucket', 'runtime should support adding ALL capabilities'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'cap-all', { securityContext: { capabilities: { addCapabilities: ['ALL'] } } });
      const { bnd, eff } = await capabilities(t, id);
      expect(bnd !== 0n && has(eff, CAP.SYS_ADMIN), `adding ALL capabilities left CapBnd ${bnd.toString(16)}`);
    },
  },
  {
    name: 'security/drop-all-capabilities',
    group: 'security',
    critest: ctx('bucket', 'runtime should support dropping ALL capabilities'),
    needs,
    async run(t) {
      const id = await withSecurity(t, 'cap-none', {
        securityContext: { capabilities: { dropCapabilities: ['ALL'] } },
      });
      expectEqual((await capabilities(t, id)).bnd.toString(16), '0', 'CapBnd after dropping ALL');
    },
  },
  {
    name: 'security/host-pid',
    group: 'security',
    critest: ctx('NamespaceOption', 'runtime should support HostPID'),
    needs: ['testImage', 'hostFiles'],
    async run(t) {
      const id = await namespaces(t, 'hostpid', { pid: 'NODE' });
      expect(await sameNamespace(t, id, 'pid'), 'a host-PID container is not in the host PID namespace');
    },
  },
  {
    name: 'security/pod-pid',
    group: 'security',
    critest: ctx('NamespaceOption', 'runtime should support PodPID'),
    needs,
    async run(t) {
      // With a shared pod PID namespace, PID 1 is the sandbox's pause process, not the container.
      const id = await namespaces(t, 'podpid', { pid: 'POD' });
      const init = (await execOk(t, id, ['cat', '/proc/1/cmdline'])).replace(/\0/g, ' ').trim();
      expect(!init.startsWith('sleep'), `PID 1 in a pod-PID container is the container itself (${init})`);
    },
  },
  {
    name: 'security/container-pid',
    group: 'security',
    critest: ctx('NamespaceOption', 'runtime should support ContainerPID'),
    needs,
    async run(t) {
      const id = await namespaces(t, 'ctrpid', { pid: 'CONTAINER' });
      const init = (await execOk(t, id, ['cat', '/proc/1/cmdline'])).replace(/\0/g, ' ').trim();
      expect(init.startsWith('sleep'), `PID 1 in a container-PID container is ${init}, not its command`);
    },
  },
  ...[true, false].map(
    (host): Check => ({
      name: `security/host-ipc-${host}`,
      group: 'security',
      critest: ctx('NamespaceOption', `runtime should support HostIpc is ${host}`),
      needs: ['testImage', 'hostFiles'],
      async run(t) {
        const id = await namespaces(t, 'ipc', { ipc: host ? 'NODE' : 'POD' });
        expectEqual(await sameNamespace(t, id, 'ipc'), host, 'the container shares the host IPC namespace');
      },
    }),
  ),
  ...[true, false].map(
    (host): Check => ({
      name: `security/host-network-${host}`,
      group: 'security',
      critest: ctx('NamespaceOption', `runtime should support HostNetwork is ${host}`),
      needs: ['testImage', 'hostFiles'],
      async run(t) {
        const id = await namespaces(t, 'net', { network: host ? 'NODE' : 'POD' });
        expectEqual(await sameNamespace(t, id, 'net'), host, 'the container shares the host network namespace');
      },
    }),
  ),
  ...[true, false].map(
    (noNewPrivs): Check => ({
      name: `security/no-new-privs-${noNewPrivs}`,
      group: 'security',
      critest: ctx(
        'NoNewPrivs',
        `should ${noNewPrivs ? 'not allow' : 'allow'} privilege escalation when ${noNewPrivs}`,
      ),
      needs,
      async run(t) {
        const id = await withSecurity(t, 'nnp', { securityContext: { noNewPrivs, runAsUser: { value: '1001' } } });
        await waitFor(
          t,
          'the container is not running',
          async () => (await containerState(t, id)) === 'CONTAINER_RUNNING',
        );
        expectEqual((await capabilities(t, id)).noNewPrivs, noNewPrivs ? '1' : '0', 'NoNewPrivs in /proc/self/status');
      },
    }),
  ),
];
