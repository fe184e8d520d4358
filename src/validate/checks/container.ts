// Containers: lifecycle, idempotent stop/remove, execSync (and its timeout), stats and volumes.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  containerState,
  createContainer,
  execOk,
  execSync,
  expect,
  expectEqual,
  hostDir,
  runContainer,
  SLOW,
  waitFor,
} from '../helpers.js';
import type { Check, CheckContext } from '../types.js';
import { critest } from './critest.js';

const basic = (it: string) => critest('Container runtime should support basic operations on container', it);
const volumes = (it: string) => critest('Container runtime should support adding volume and device', it);

const needs = ['testImage'] as const;

async function listed(t: CheckContext, id: string): Promise<boolean> {
  const { containers } = await t.cri.runtime.listContainers({ filter: { id } }, { signal: t.signal });
  return containers.some((c) => c.id === id);
}

const stop = (t: CheckContext, id: string, timeout = 0) =>
  t.cri.runtime.stopContainer({ containerId: id, timeout: String(timeout) }, SLOW);
const remove = (t: CheckContext, id: string) => t.cri.runtime.removeContainer({ containerId: id }, SLOW);

async function expectState(t: CheckContext, id: string, state: string, what: string): Promise<void> {
  expectEqual(await containerState(t, id), state, `container state ${what}`);
}

/** Stats of the started containers; `filter` null asks for every container. */
async function statsIds(t: CheckContext, filter: { id: string } | null): Promise<string[]> {
  const { stats } = await t.cri.runtime.listContainerStats(filter ? { filter } : {}, { signal: t.signal });
  return stats.map((s) => s.attributes?.id ?? '');
}

/** A host directory holding a flag file, mounted at the same path in a container. */
async function volumeCheck(t: CheckContext, viaSymlink: boolean): Promise<void> {
  const dir = hostDir(t, 'volume');
  const data = join(dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'flag'), 'validate\n');
  let hostPath = data;
  if (viaSymlink) {
    hostPath = join(dir, 'link');
    symlinkSync(data, hostPath);
  }
  const { id } = await runContainer(t, 'volume', { mounts: [{ hostPath, containerPath: hostPath }] });
  const listing = await execOk(t, id, ['ls', '-A', hostPath]);
  expect(
    listing.includes('flag'),
    `ls ${hostPath} in the container does not show the flag file: ${JSON.stringify(listing)}`,
  );
}

export const containerChecks: Check[] = [
  {
    name: 'container/create',
    group: 'container',
    critest: basic('runtime should support creating container [Conformance]'),
    needs,
    async run(t) {
      const pod = await t.runPod('create');
      const id = await createContainer(t, pod, 'create');
      expect(await listed(t, id), 'ListContainers does not list the created container');
      await expectState(t, id, 'CONTAINER_CREATED', 'after CreateContainer');
    },
  },
  {
    name: 'container/start',
    group: 'container',
    critest: basic('runtime should support starting container [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'start');
      await expectState(t, id, 'CONTAINER_RUNNING', 'after StartContainer');
    },
  },
  {
    name: 'container/stop',
    group: 'container',
    critest: basic('runtime should support stopping container [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'stop');
      await stop(t, id, 60);
      await expectState(t, id, 'CONTAINER_EXITED', 'after StopContainer');
    },
  },
  {
    name: 'container/remove-created',
    group: 'container',
    critest: basic('runtime should support removing created container [Conformance]'),
    needs,
    async run(t) {
      const pod = await t.runPod('rm-created');
      const id = await createContainer(t, pod, 'rm-created');
      await remove(t, id);
      expect(!(await listed(t, id)), 'the removed container is still listed');
    },
  },
  {
    name: 'container/remove-running',
    group: 'container',
    critest: basic('runtime should support removing running container [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'rm-running');
      // As critest does: stop first, then remove (removing a running container may be refused).
      await stop(t, id);
      await remove(t, id);
      expect(!(await listed(t, id)), 'the removed container is still listed');
    },
  },
  {
    name: 'container/remove-stopped',
    group: 'container',
    critest: basic('runtime should support removing stopped container [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'rm-stopped');
      await stop(t, id);
      await expectState(t, id, 'CONTAINER_EXITED', 'after StopContainer');
      await remove(t, id);
      expect(!(await listed(t, id)), 'the removed container is still listed');
    },
  },
  {
    name: 'container/stop-remove-idempotent',
    group: 'container',
    critest: null,
    needs,
    async run(t) {
      // The kubelet retries: stopping a stopped container and removing a removed one succeed.
      const { id } = await runContainer(t, 'idempotent');
      await stop(t, id);
      await stop(t, id);
      await remove(t, id);
      await remove(t, id);
      await stop(t, id).catch((err: Error) => t.log(`StopContainer after removal: ${err.message} (allowed)`));
    },
  },
  {
    name: 'container/exec-sync',
    group: 'container',
    critest: basic('runtime should support execSync [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'exec-sync');
      const r = await execSync(t, id, ['echo', '-n', 'hello']);
      expectEqual(r, { stdout: 'hello', stderr: '', exitCode: 0 }, 'execSync echo -n hello');
      const failing = await execSync(t, id, ['sh', '-c', 'echo oops >&2; exit 3']);
      expectEqual(failing, { stdout: '', stderr: 'oops\n', exitCode: 3 }, 'execSync of a failing command');
    },
  },
  {
    name: 'container/exec-sync-timeout',
    group: 'container',
    critest: basic('runtime should support execSync with timeout [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'exec-timeout');
      const started = Date.now();
      const outcome = await execSync(t, id, ['sleep', '4321'], 1).then(
        (r) => `exit code ${r.exitCode}`,
        () => undefined,
      );
      expect(outcome === undefined, `execSync with a 1s timeout of sleep 4321 did not fail (${outcome})`);
      t.log(`execSync timed out after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      // The timed-out process must be gone, not left running in the container.
      await waitFor(
        t,
        'sleep 4321 still runs after the execSync timeout',
        async () => {
          const ps = await execOk(t, id, ['ps', '-o', 'args']);
          return !ps.includes('sleep 4321');
        },
        10_000,
      );
    },
  },
  {
    name: 'container/stats',
    group: 'container',
    critest: basic('runtime should support listing container stats [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'stats');
      const { stats } = await t.cri.runtime.containerStats({ containerId: id }, { signal: t.signal });
      expectEqual(stats?.attributes?.id, id, 'ContainerStats: attributes.id');
      expect(stats?.attributes?.metadata?.name.includes('stats'), 'ContainerStats: attributes.metadata.name');
      expect(Number(stats?.cpu?.timestamp ?? 0) > 0, 'ContainerStats: cpu.timestamp is zero');
      expect(Number(stats?.memory?.timestamp ?? 0) > 0, 'ContainerStats: memory.timestamp is zero');
    },
  },
  {
    name: 'container/stats-filtered',
    group: 'container',
    critest: basic('runtime should support listing stats for started containers [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'stats-filter');
      expect((await statsIds(t, { id })).includes(id), 'ListContainerStats with an id filter misses the container');
    },
  },
  {
    name: 'container/stats-all',
    group: 'container',
    critest: basic('runtime should support listing stats for started containers when filter is nil [Conformance]'),
    needs,
    async run(t) {
      const { id } = await runContainer(t, 'stats-all');
      expect((await statsIds(t, null)).includes(id), 'ListContainerStats without a filter misses the container');
    },
  },
  {
    name: 'container/stats-three',
    group: 'container',
    critest: basic(
      'runtime should support listing stats for three created containers when filter is nil. [Conformance]',
    ),
    needs,
    async run(t) {
      const pod = await t.runPod('stats-three');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await runContainer(t, 'stats-three', {}, pod)).id);
      const listedIds = await statsIds(t, null);
      for (const id of ids) expect(listedIds.includes(id), `ListContainerStats without a filter misses ${id}`);
    },
  },
  {
    name: 'container/volume',
    group: 'container',
    critest: volumes('runtime should support starting container with volume [Conformance]'),
    needs: ['testImage', 'hostFiles'],
    run: (t) => volumeCheck(t, false),
  },
  {
    name: 'container/volume-symlink',
    group: 'container',
    critest: volumes('runtime should support starting container with volume when host path is a symlink [Conformance]'),
    needs: ['testImage', 'hostFiles'],
    run: (t) => volumeCheck(t, true),
  },
];
