// top in a real terminal (tmux) against containerd: a CPU-burning container appears, its CPU shows
// in the sparkline, sorting by CPU puts it first and by name puts it back, and q leaves the
// terminal exactly as it was. Piped, it prints one plain table.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../tmp.js';
import { CLI, closeCri, crictl, ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe('top on a real runtime', { skip: SKIP }, () => {
  const pods: string[] = [];
  let podName = '';
  before(async () => {
    const { podId, config } = await runPod('top');
    pods.push(podId);
    podName = config.metadata?.name ?? '';
    // "aa-" and "zz-": sorting by name puts the idle one first, sorting by CPU the burner.
    await runContainer(podId, config, 'zz-burner', ['sh', '-c', 'while :; do :; done']);
    await runContainer(podId, config, 'aa-idle', ['sh', '-c', 'echo idle-line; sleep 3600']);
  });
  after(async () => {
    await removePods(pods);
    closeCri();
  });

  test('piped: one table, no escape codes, CPU measured', () => {
    const r = crictl(['top', '--filter', `pod=^${podName}$`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\x1b'));
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^CONTAINER +POD +STATE +CPU %/);
    assert.equal(lines.length, 3, r.stdout);
    const burner = lines.find((l) => l.startsWith('zz-burner')) ?? '';
    assert.ok(Number(burner.split(/ +/)[3]) > 5, `the burner uses CPU: ${burner}`);
  });

  test('in a terminal: the burner rises to the top, sorts, and q restores the terminal', {
    skip: !hasTmux && 'tmux is not installed',
    timeout: 90_000,
  }, async () => {
    const dir = tempDir('top-tty-');
    const socket = `crictl-top-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', 'top').stdout;
    const waitScreen = async (check: (s: string) => boolean, what: string) => {
      const end = Date.now() + 30_000;
      while (!check(screen())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const rowsOf = (s: string) => s.split('\n').filter((l) => /^(zz-burner|aa-idle) /.test(l));
    const before = join(dir, 'before');
    const afterState = join(dir, 'after');
    try {
      const cmd = `stty -g > ${before}; ${CLI} -r ${ENDPOINT} top --interval 500ms --filter 'pod=^${podName}$'; echo "rc=$?"; stty -g > ${afterState}; sleep 60`;
      const started = tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'top', '-x', '120', '-y', '30', cmd);
      assert.equal(started.status, 0, started.stderr);

      // Sorted by CPU (the default), the burner is first once CPU is measured, and its
      // sparkline has risen above the floor.
      await waitScreen((s) => {
        const rows = rowsOf(s);
        return rows.length === 2 && rows[0].startsWith('zz-burner') && /[▂▃▄▅▆▇█]/.test(rows[0]);
      }, 'the burner first with a risen sparkline');
      const burner = rowsOf(screen())[0];
      assert.ok(Number(burner.split(/ +/)[1]) > 5, burner);
      assert.match(screen(), /sort: cpu/);

      tmux('send-keys', '-t', 'top', 'n');
      await waitScreen((s) => rowsOf(s)[0]?.startsWith('aa-idle') && /sort: name/.test(s), 'sorted by name');
      // The details pane follows the selection: the first row's last log line.
      await waitScreen((s) => s.includes('│ idle-line'), "the idle container's log line in the details");

      tmux('send-keys', '-t', 'top', 'c');
      await waitScreen((s) => rowsOf(s)[0]?.startsWith('zz-burner') && /sort: cpu/.test(s), 'sorted by CPU again');

      tmux('send-keys', '-t', 'top', 'q');
      await waitScreen((s) => /^rc=0$/m.test(s), 'top to exit 0');
      // Back on the normal screen, and the terminal's settings as they were before.
      assert.ok(!screen().includes('zz-burner'), screen());
      await waitScreen(() => {
        try {
          return readFileSync(afterState, 'utf8').length > 0;
        } catch {
          return false;
        }
      }, 'stty after');
      assert.equal(readFileSync(afterState, 'utf8'), readFileSync(before, 'utf8'));
    } finally {
      tmux('kill-server');
    }
  });
});
