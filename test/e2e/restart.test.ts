// The runtime restarting or dying under long-running commands: logs -f loses and repeats no
// line across rotations and a containerd restart; a runtime that stays away ends commands with
// one line and a non-zero exit. Needs the lab (CRICTL_LAB_DIR) because it restarts containerd.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closeCri, cri, crictlAsync, removePods, ROOT, runContainer, runPod, SKIP } from './harness.js';

const LAB = process.env.CRICTL_LAB_DIR ?? '';
const lab = (cmd: string) =>
  execFileSync('bash', [join(ROOT, 'scripts/runtime-lab.sh'), cmd, LAB], { stdio: ['ignore', 'ignore', 'inherit'] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      const s = await cri().runtime.status({}, { timeoutMs: 2000 });
      if (s.status?.conditions.some((c) => c.type === 'RuntimeReady' && c.status)) return;
    } catch {
      // restarting
    }
    await sleep(200);
  }
  assert.fail('runtime did not become ready again');
}

describe('runtime restarts under long-running commands', { skip: SKIP || (!LAB && 'needs CRICTL_LAB_DIR') }, () => {
  const pods: string[] = [];
  after(async () => {
    await waitReady();
    await removePods(pods);
    closeCri();
  });

  test('logs -f: 100 000 lines across three rotations and a containerd restart, each exactly once', async () => {
    const { podId, config } = await runPod('restart-logs');
    pods.push(podId);
    const total = 100_000;
    const script = `i=1; while [ $i -le ${total} ]; do echo "line $i"; if [ $((i % 2000)) -eq 0 ]; then sleep 0.25; fi; i=$((i+1)); done`;
    const ctr = await runContainer(podId, config, 'many', ['sh', '-c', script]);
    const { status } = await cri().runtime.containerStatus({ containerId: ctr });
    const path = status!.logPath;
    const follow = crictlAsync(['logs', '-f', ctr]);
    const rotate = async (n: number) => {
      renameSync(path, `${path}.${n}`);
      await cri().runtime.reopenContainerLog({ containerId: ctr });
    };
    await sleep(1500);
    await rotate(1);
    await sleep(1500);
    await rotate(2);
    await sleep(1000);
    lab('restart');
    await waitReady();
    await sleep(1000);
    await rotate(3);
    const r = await follow;
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.split('\n').filter(Boolean);
    // Compare without printing 100 000 lines on failure.
    assert.equal(got.length, total, `got ${got.length} lines`);
    const firstBad = got.findIndex((l, i) => l !== `line ${i + 1}`);
    assert.equal(firstBad, -1, `line ${firstBad + 1} is "${got[firstBad]}"`);
  });

  test('a runtime that stays away ends logs -f, events, stats --watch, exec and port-forward with one line', async () => {
    const { podId, config } = await runPod('restart-gone');
    pods.push(podId);
    const ctr = await runContainer(podId, config, 'slow', ['sh', '-c', 'while true; do echo tick; sleep 0.5; done']);
    await runContainer(podId, config, 'echo-server', ['nc', '-lk', '-p', '8080', '-e', 'cat']);
    const env = { CRICTL_LOST_RUNTIME_MS: '2000' };
    const follow = crictlAsync(['logs', '-f', ctr], { env });
    const events = crictlAsync(['events']);
    const watch = crictlAsync(['stats', '--watch', ctr]);
    const exec = crictlAsync(['exec', ctr, 'sleep', '60']);
    const forward = crictlAsync(['port-forward', podId, '0:8080']);
    await sleep(2500);
    const pid = Number(readFileSync(join(LAB, 'containerd.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const [logs, ev, st, ex, pf] = await Promise.all([follow, events, watch, exec, forward]);
    lab('up');
    await waitReady();
    for (const [name, r] of [
      ['stats --watch', st],
      ['exec', ex],
      ['port-forward', pf],
    ] as const) {
      assert.notEqual(r.code, 0, `${name} exit code`);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('crictl: ')).length, 1, `${name}: ${r.stderr}`);
    }
    // The forwarder's local listener went away with it.
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(pf.stdout)?.[1]);
    assert.ok(port > 0, pf.stdout);
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    assert.ok(refused, 'no orphaned listener');
    assert.equal(logs.code, 1);
    assert.match(logs.stdout, /^tick\n/);
    assert.match(logs.stderr, new RegExp(`^crictl: logs: lost the runtime while following ${ctr}: .*\\n$`));
    assert.equal(ev.code, 1);
    assert.equal(ev.stderr.split('\n').filter(Boolean).length, 1, ev.stderr);
  });
});
