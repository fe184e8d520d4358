// Stop signals against the real runtime: run, runp and create interrupted while their calls are in
// flight leave nothing behind, and say what they removed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, closeCri, cri, ENDPOINT, removePods, SKIP, tempFile } from './harness.js';
import { NO_CONFIG } from '../tmp.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with --debug and sends `signals` as soon as stderr shows the request of `rpc`
 *  (a second one once the first was acknowledged: the kernel merges a pending repeat). */
function interruptAt(args: string[], rpc: string, signals: NodeJS.Signals[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(CLI, ['-r', ENDPOINT, '-D', ...args], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    let stdout = '';
    let stderr = '';
    let sent = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (sent === 0 && stderr.includes(`DEBU request ${rpc}:`)) child.kill(signals[sent++]);
      if (sent === 1 && signals.length > 1 && stderr.includes('(signal again to exit at once)'))
        child.kill(signals[sent++]);
    });
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr: stderr
          .split('\n')
          .filter((l) => !l.startsWith('DEBU '))
          .join('\n'),
      }),
    );
  });
}

describe('stop signals on a real runtime', { skip: SKIP }, () => {
  const label = `sig-${process.pid}`;
  const dirs: string[] = [];
  let n = 0;
  const configs = () => {
    const name = `${label}-${++n}`;
    const pod = tempFile(
      'pod.json',
      JSON.stringify({
        metadata: { name, namespace: 'e2e', uid: name },
        log_directory: '/tmp',
        labels: { 'crictl-e2e-signals': label },
        linux: {},
      }),
    );
    const ctr = tempFile(
      'ctr.json',
      JSON.stringify({
        metadata: { name: 'sleeper' },
        image: { image: 'busybox:1.33.1' },
        command: ['sleep', '3600'],
        log_path: 'c.log',
        labels: { 'crictl-e2e-signals': label },
        linux: {},
      }),
    );
    dirs.push(dirname(pod), dirname(ctr));
    return { pod, ctr };
  };
  const left = async () => {
    const pods = (
      await cri().runtime.listPodSandbox({ filter: { labelSelector: { 'crictl-e2e-signals': label } } })
    ).items.map((p) => p.id);
    const ctrs = (
      await cri().runtime.listContainers({ filter: { labelSelector: { 'crictl-e2e-signals': label } } })
    ).containers.map((c) => c.id);
    return { pods, ctrs };
  };
  after(async () => {
    await removePods((await left()).pods);
    closeCri();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("SIGINT during run's RunPodSandbox: the call finishes, the pod goes, exit 130", async () => {
    const { pod, ctr } = configs();
    const r = await interruptAt(['run', ctr, pod], 'RunPodSandbox', ['SIGINT']);
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^crictl: SIGINT: letting RunPodSandbox finish, then removing what this command made \(signal again to exit at once\)\ncrictl: interrupted by SIGINT: removed pod sandbox [0-9a-f]{64}\n$/,
    );
    assert.deepEqual(await left(), { pods: [], ctrs: [] });
  });

  test("SIGTERM during run's CreateContainer and SIGHUP during StartContainer: pod and container go, 143 and 129", async () => {
    for (const [signal, rpc, code] of [
      ['SIGTERM', 'CreateContainer', 143],
      ['SIGHUP', 'StartContainer', 129],
    ] as const) {
      const { pod, ctr } = configs();
      const r = await interruptAt(['run', ctr, pod], rpc, [signal]);
      assert.equal(r.code, code, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `crictl: interrupted by ${signal}: removed pod sandbox [0-9a-f]{64} and its container [0-9a-f]{64}\\n$`,
        ),
      );
      assert.deepEqual(await left(), { pods: [], ctrs: [] });
    }
  });

  test('runp and create interrupted in flight remove what they made', async () => {
    const { pod, ctr } = configs();
    const r = await interruptAt(['runp', pod], 'RunPodSandbox', ['SIGINT']);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /crictl: interrupted by SIGINT: removed pod sandbox [0-9a-f]{64}\n$/);
    assert.deepEqual(await left(), { pods: [], ctrs: [] });

    const { podSandboxId } = await cri().runtime.runPodSandbox({
      config: {
        metadata: { name: `${label}-kept`, namespace: 'e2e', uid: `${label}-kept` },
        labels: { 'crictl-e2e-signals': label },
      },
    });
    const c = await interruptAt(['create', podSandboxId, ctr, pod], 'CreateContainer', ['SIGINT']);
    assert.equal(c.code, 130, c.stderr);
    assert.match(c.stderr, /crictl: interrupted by SIGINT: removed container [0-9a-f]{64}\n$/);
    assert.deepEqual(await left(), { pods: [podSandboxId], ctrs: [] });
    await removePods([podSandboxId]);
  });

  test('a second signal exits at once and names what is left', async () => {
    const { pod, ctr } = configs();
    const r = await interruptAt(['run', ctr, pod], 'CreateContainer', ['SIGINT', 'SIGINT']);
    assert.equal(r.code, 130, r.stderr);
    const [podId] = (await left()).pods;
    assert.ok(podId, 'the pod made before the signals is still there');
    assert.match(
      r.stderr,
      new RegExp(
        `crictl: exiting at once; left behind: pod sandbox ${podId}; CreateContainer was still in flight \\(what it makes stays\\)\\n$`,
      ),
    );
    await removePods([podId]);
  });
});
