// Pod sandboxes: lifecycle, idempotent stop/remove, hostname, DNS, port mappings and sysctls.
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import type { CheckContext, Check } from '../types.js';
import {
  execOk,
  expect,
  expectEqual,
  runContainer,
  SLOW,
  WEB_PAGE,
  WEB_PORT,
  waitFor,
  webServerCommand,
} from '../helpers.js';
import { critest } from './critest.js';

const basic = (it: string) => critest('PodSandbox runtime should support basic operations on PodSandbox', it);
const networking = (it: string) => critest('Networking runtime should support networking', it);
const sysctls = (it: string) => critest('PodSandbox runtime should support sysctls', it);

async function podState(t: CheckContext, id: string): Promise<string | undefined> {
  const { items } = await t.cri.runtime.listPodSandbox({ filter: { id } }, { signal: t.signal });
  return items.find((p) => p.id === id)?.state;
}

/** An HTTP GET over a raw socket (no proxies, no keep-alive): the body, or an error line. */
function httpGet(host: string, port: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, signal });
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer from ${host}:${port} in 5s`)));
    socket.on('connect', () => socket.write(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

async function expectPage(t: CheckContext, host: string, port: number): Promise<void> {
  let last = '';
  await waitFor(
    t,
    () => `GET http://${host}:${port}/ never returned the page (last: ${last})`,
    async () => {
      try {
        return (await httpGet(host, port, t.signal)).includes(WEB_PAGE);
      } catch (err) {
        last = (err as Error).message;
        return false;
      }
    },
    20_000,
    300,
  );
}

/** Removes the (empty) cgroup directories named `name` the runtime made for a cgroupfs parent. */
function removeCgroupDirs(name: string): void {
  const root = '/sys/fs/cgroup';
  const dirs = [`${root}/${name}`, ...readdirSync(root).map((h) => `${root}/${h}/${name}`)];
  for (const dir of dirs) if (existsSync(dir)) rmdirSync(dir);
}

export const podChecks: Check[] = [
  {
    name: 'pod/run',
    group: 'pod',
    critest: basic('runtime should support running PodSandbox [Conformance]'),
    async run(t) {
      const pod = await t.runPod('run');
      expectEqual(await podState(t, pod.id), 'SANDBOX_READY', 'listed pod state');
    },
  },
  {
    name: 'pod/stop',
    group: 'pod',
    critest: basic('runtime should support stopping PodSandbox [Conformance]'),
    async run(t) {
      const pod = await t.runPod('stop');
      await t.cri.runtime.stopPodSandbox({ podSandboxId: pod.id }, SLOW);
      expectEqual(await podState(t, pod.id), 'SANDBOX_NOTREADY', 'listed pod state after StopPodSandbox');
    },
  },
  {
    name: 'pod/remove',
    group: 'pod',
    critest: basic('runtime should support removing PodSandbox [Conformance]'),
    async run(t) {
      const pod = await t.runPod('remove');
      await t.cri.runtime.stopPodSandbox({ podSandboxId: pod.id }, SLOW);
      await t.cri.runtime.removePodSandbox({ podSandboxId: pod.id }, SLOW);
      expectEqual(await podState(t, pod.id), undefined, 'listed pod state after RemovePodSandbox');
    },
  },
  {
    name: 'pod/stop-remove-idempotent',
    group: 'pod',
    critest: null,
    async run(t) {
      // The kubelet retries: a second stop or remove must succeed. A stop after the removal may
      // say NOT_FOUND (the kubelet takes that as done).
      const { id } = await t.runPod('idempotent');
      await t.cri.runtime.stopPodSandbox({ podSandboxId: id }, SLOW);
      await t.cri.runtime.stopPodSandbox({ podSandboxId: id }, SLOW);
      await t.cri.runtime.removePodSandbox({ podSandboxId: id }, SLOW);
      await t.cri.runtime.removePodSandbox({ podSandboxId: id }, SLOW);
      await t.cri.runtime
        .stopPodSandbox({ podSandboxId: id }, SLOW)
        .catch((err: Error) => t.log(`StopPodSandbox after removal: ${err.message} (allowed)`));
    },
  },
  {
    name: 'pod/hostname',
    group: 'pod',
    critest: networking('runtime should support set hostname [Conformance]'),
    needs: ['testImage'],
    async run(t) {
      const hostname = `validate-${Math.random().toString(36).slice(2, 8)}`;
      const pod = await t.runPod('hostname', { hostname });
      const { id } = await runContainer(t, 'hostname', {}, pod);
      expectEqual((await execOk(t, id, ['hostname'])).trim(), hostname, 'hostname in the container');
    },
  },
  {
    name: 'pod/dns-config',
    group: 'pod',
    critest: networking('runtime should support DNS config [Conformance]'),
    needs: ['testImage'],
    async run(t) {
      const dnsConfig = { servers: ['10.10.10.10'], searches: ['validate.example.com'], options: ['ndots:5'] };
      const pod = await t.runPod('dns', { dnsConfig, linux: {} });
      const { id } = await runContainer(t, 'dns', {}, pod);
      const resolv = await execOk(t, id, ['cat', '/etc/resolv.conf']);
      for (const want of ['nameserver 10.10.10.10', 'search validate.example.com', 'options ndots:5'])
        expect(resolv.split('\n').includes(want), `/etc/resolv.conf has no line "${want}": ${JSON.stringify(resolv)}`);
    },
  },
  {
    name: 'pod/port-mapping-container-port',
    group: 'pod',
    critest: networking('runtime should support port mapping with only container port [Conformance]'),
    needs: ['testImage', 'hostFiles'],
    async run(t) {
      const pod = await t.runPod('port', { portMappings: [{ containerPort: WEB_PORT }], linux: {} });
      await runContainer(t, 'web', { command: webServerCommand() }, pod);
      const { status } = await t.cri.runtime.podSandboxStatus({ podSandboxId: pod.id }, { signal: t.signal });
      const ip = status?.network?.ip;
      expect(ip, 'PodSandboxStatus: the pod has no IP');
      await expectPage(t, ip, WEB_PORT);
    },
  },
  {
    name: 'pod/port-mapping-host-port',
    group: 'pod',
    critest: networking('runtime should support port mapping with host port and container port [Conformance]'),
    needs: ['testImage', 'hostFiles'],
    async run(t) {
      // A free port now; the runtime's port mapper takes it over.
      const hostPort = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as { port: number };
          s.close(() => resolve(port));
        });
      });
      const pod = await t.runPod('hostport', {
        portMappings: [{ containerPort: WEB_PORT, hostPort, hostIp: '' }],
        linux: {},
      });
      await runContainer(t, 'web', { command: webServerCommand() }, pod);
      await expectPage(t, '127.0.0.1', hostPort);
    },
  },
  {
    name: 'pod/sysctls-safe',
    group: 'pod',
    critest: sysctls('should support safe sysctls'),
    needs: ['testImage'],
    async run(t) {
      const pod = await t.runPod('sysctl', { linux: { sysctls: { 'kernel.shm_rmid_forced': '1' } } });
      const { id } = await runContainer(t, 'sysctl', {}, pod);
      expectEqual(
        (await execOk(t, id, ['cat', '/proc/sys/kernel/shm_rmid_forced'])).trim(),
        '1',
        'kernel.shm_rmid_forced',
      );
    },
  },
  {
    name: 'pod/sysctls-unsafe',
    group: 'pod',
    critest: sysctls('should support unsafe sysctls'),
    needs: ['testImage'],
    async run(t) {
      const pod = await t.runPod('sysctl', { linux: { sysctls: { 'fs.mqueue.msg_max': '100' } } });
      const { id } = await runContainer(t, 'sysctl', {}, pod);
      expectEqual((await execOk(t, id, ['cat', '/proc/sys/fs/mqueue/msg_max'])).trim(), '100', 'fs.mqueue.msg_max');
    },
  },
  {
    name: 'pod/cgroup-parent',
    group: 'pod',
    critest: null,
    needs: ['testImage', 'hostFiles'],
    async run(t) {
      // The kubelet writes cgroup_parent for the runtime's cgroup driver: a path for cgroupfs, a
      // slice for systemd. The container's processes must land under it.
      const driver = t.probe.cgroupDriver;
      if (!driver)
        t.skip('the runtime does not say its cgroup driver (no RuntimeConfig, no containerd config in Status)');
      const unique = t.name('cg').replace(/[^a-z0-9]/g, '');
      const cgroupParent = driver === 'systemd' ? `${unique}.slice` : `/${unique}`;
      // Runs after the pod is gone (clean-ups run newest first): the runtime leaves the parent.
      if (driver === 'cgroupfs') t.defer(() => removeCgroupDirs(unique));
      const pod = await t.runPod('cgroup', { linux: { cgroupParent } });
      const { id } = await runContainer(t, 'cgroup', {}, pod);
      const { info } = await t.cri.runtime.containerStatus({ containerId: id, verbose: true }, { signal: t.signal });
      const pid = (JSON.parse(info.info ?? '{}') as { pid?: number }).pid;
      if (!pid) t.skip("ContainerStatus (verbose) does not give the container's pid");
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      expect(
        cgroup.includes(unique),
        `the container's cgroups do not name ${cgroupParent} (${driver}): ${cgroup.trim()}`,
      );
    },
  },
  {
    name: 'pod/user-namespaces',
    group: 'pod',
    critest: null,
    needs: ['testImage'],
    async run(t) {
      const handler = t.probe.runtimeHandler;
      if (!t.probe.userNamespaces)
        t.skip(`Status does not report user namespace support for runtime handler "${handler}"`);
      const mapping = [{ hostId: 1_000_000_000, containerId: 0, length: 65536 }];
      const usernsOptions = { mode: 'POD' as const, uids: mapping, gids: mapping };
      const pod = await t.runPod('userns', { linux: { securityContext: { namespaceOptions: { usernsOptions } } } });
      const { id } = await runContainer(
        t,
        'userns',
        { linux: { securityContext: { namespaceOptions: { usernsOptions } } } },
        pod,
      );
      const map = (await execOk(t, id, ['cat', '/proc/self/uid_map'])).trim().split(/\s+/);
      expectEqual(map, ['0', '1000000000', '65536'], '/proc/self/uid_map in a user-namespaced pod');
    },
  },
];
