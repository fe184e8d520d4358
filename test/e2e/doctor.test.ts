// doctor against a real containerd, broken on purpose one thing at a time (and mended after):
// no CNI config, the pause image gone, a crash-looping container, a cgroup_parent for the other
// driver, a socket that does not answer. Each must be named in the report with the right exit code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '../tmp.js';
import {
  closeCri,
  cri,
  crictl,
  crictlAsync,
  reimportLabImage,
  removePods,
  runContainer,
  runPod,
  SKIP,
} from './harness.js';
import { waitFor } from '../wait.js';

interface Report {
  checks: { check: string; status: string; summary: string; evidence: string[]; next: string | null }[];
  exitCode: number;
}

function doctor(args: string[]): { code: number; report: Report; stderr: string } {
  const r = crictl(['doctor', '-o', 'json', ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

async function networkReady(): Promise<boolean> {
  const { status } = await cri().runtime.status({ verbose: false });
  return status?.conditions.find((c) => c.type === 'NetworkReady')?.status === true;
}

describe('doctor on a real runtime', { skip: SKIP }, () => {
  const pods: string[] = [];
  after(async () => {
    await removePods(pods);
    closeCri();
  });

  test('a healthy lab: runtime, CNI and the sandbox image are OK, exit 0', () => {
    const { code, report } = doctor(['--check', 'runtime,cni,sandbox-image,image-fs']);
    assert.deepEqual(
      report.checks.map((c) => [c.check, c.status]),
      [
        ['runtime', 'OK'],
        ['cni', 'OK'],
        ['sandbox-image', 'OK'],
        ['image-fs', 'OK'],
      ],
    );
    assert.equal(code, 0);
  });

  test('no CNI config: the network is not ready, and the report says where the config is missing', async () => {
    const { report: before } = doctor(['--check', 'cni']);
    const confDir = before.checks[0].evidence.find((e) => e.startsWith('conf dir: '))?.slice('conf dir: '.length);
    assert.ok(confDir, JSON.stringify(before));
    // Removed and written back (not renamed: containerd 1.6 does not reload on a file moved in).
    const saved = readdirSync(confDir).map((f) => [f, readFileSync(join(confDir, f))] as const);
    for (const [f] of saved) rmSync(join(confDir, f));
    try {
      await waitFor(async () => !(await networkReady()), 'NetworkReady=false');
      const { code, report } = doctor(['--check', 'runtime,cni']);
      assert.equal(code, 1);
      assert.deepEqual(
        report.checks.map((c) => c.status),
        ['FAIL', 'FAIL'],
      );
      assert.match(report.checks[1].summary, new RegExp(`no CNI config in ${confDir}`));
    } finally {
      for (const [f, content] of saved) writeFileSync(join(confDir, f), content);
      await waitFor(networkReady, 'NetworkReady=true');
    }
  });

  test('the pause image removed: the sandbox image check fails', async () => {
    const { report: before } = doctor(['--check', 'sandbox-image']);
    const image = /^(\S+) is present$/.exec(before.checks[0].summary)?.[1];
    assert.ok(image, before.checks[0].summary);
    assert.equal(crictl(['rmi', image]).code, 0);
    try {
      const { code, report } = doctor(['--check', 'sandbox-image']);
      assert.equal(code, 1);
      assert.equal(report.checks[0].status, 'FAIL');
      assert.match(report.checks[0].summary, /is not present: without a registry no pod can start/);
    } finally {
      reimportLabImage('pause');
    }
    assert.equal(doctor(['--check', 'sandbox-image']).report.checks[0].status, 'OK');
  });

  test('a crash-looping container: its exit code, a restart, and its last log lines', async () => {
    const { podId, config } = await runPod('doctor-crash');
    pods.push(podId);
    const script = ['sh', '-c', 'echo boom-one; echo boom-two; exit 3'];
    const first = await runContainer(podId, config, 'crasher', script);
    await waitFor(
      async () => (await cri().runtime.containerStatus({ containerId: first })).status?.state === 'CONTAINER_EXITED',
      'the container to exit',
    );
    // What the kubelet does next: the same container again, one attempt later.
    const { containerId: second } = await cri().runtime.createContainer({
      podSandboxId: podId,
      config: {
        metadata: { name: 'crasher', attempt: 1 },
        image: { image: 'docker.io/library/busybox:1.33.1' },
        command: script,
        logPath: 'crasher-1.log',
      },
      sandboxConfig: config,
    });
    await cri().runtime.startContainer({ containerId: second });
    await waitFor(
      async () => (await cri().runtime.containerStatus({ containerId: second })).status?.state === 'CONTAINER_EXITED',
      'the second container to exit',
    );

    const { code, report } = doctor(['--check', 'workloads', '--since', '10m']);
    assert.equal(code, 1);
    const mine = report.checks.filter((c) => c.summary.includes('crasher'));
    const failed = mine.filter((c) => c.status === 'FAIL');
    assert.equal(failed.length, 2, JSON.stringify(mine));
    assert.match(failed[0].summary, /container crasher in e2e\/doctor-crash-\S+ exited with code 3/);
    assert.ok(
      failed[0].evidence.includes('log: boom-one') && failed[0].evidence.includes('log: boom-two'),
      failed[0].evidence.join('\n'),
    );
    assert.ok(
      mine.some((c) => c.status === 'WARN' && /has restarted \(attempt 1\)/.test(c.summary)),
      JSON.stringify(mine),
    );
  });

  test('a pod whose cgroup_parent is written for the other driver is named', async () => {
    const { podId } = await runPod('doctor-slice', { linux: { cgroupParent: 'crictl-doctor-e2e.slice' } });
    pods.push(podId);
    const { code, report } = doctor(['--check', 'cgroups']);
    const misfit = report.checks.find((c) => /cgroup_parent written for the other driver/.test(c.summary));
    assert.ok(misfit, JSON.stringify(report));
    assert.equal(misfit.status, 'WARN');
    assert.ok(misfit.evidence.some((e) => e.includes(podId.slice(0, 13)) && e.includes('crictl-doctor-e2e.slice')));
    assert.ok(code === 2 || code === 1, `exit ${code}`);
  });

  test('a socket that accepts and never answers: endpoint FAIL, the rest skipped, exit 1', async () => {
    const path = join(tempDir('doctor-silent-'), 'cri.sock');
    const held: import('node:net').Socket[] = [];
    const server = createServer((s) => held.push(s));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const r = await crictlAsync(['-t', '1s', 'doctor', '-o', 'json'], { endpoint: `unix://${path}` });
      const report = JSON.parse(r.stdout) as Report;
      assert.equal(r.code, 1, r.stderr);
      assert.equal(report.checks[0].check, 'endpoint');
      assert.equal(report.checks[0].status, 'FAIL');
      assert.match(report.checks[0].summary, /does not answer/);
      assert.ok(report.checks.slice(1).every((c) => c.status === 'SKIP'));
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });
});
