// `logs` on real container logs written by containerd: tail, since, timestamps, limit-bytes,
// reverse, stream selection, follow across a rotation (ReopenContainerLog), and bad paths.
import assert from 'node:assert/strict';
import { chmodSync, renameSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { closeCri, cri, crictl, crictlAsync, removePods, runContainer, runPod, SKIP } from './harness.js';
import { waitFor } from '../wait.js';

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('logs on a real runtime', { skip: SKIP }, () => {
  const pods: string[] = [];
  let done: string; // printed 1..50 (odd lines to stderr) and exited
  let podId: string;
  let podCfg: Awaited<ReturnType<typeof runPod>>['config'];

  before(async () => {
    ({ podId, config: podCfg } = await runPod('logs'));
    pods.push(podId);
    done = await runContainer(podId, podCfg, 'counter', [
      'sh',
      '-c',
      'i=1; while [ $i -le 50 ]; do if [ $((i % 2)) -eq 1 ]; then echo "err $i" >&2; else echo "out $i"; fi; i=$((i+1)); done',
    ]);
    await waitFor(
      async () => (await cri().runtime.containerStatus({ containerId: done })).status?.state === 'CONTAINER_EXITED',
      'counter to exit',
    );
  });

  after(async () => {
    await removePods(pods);
    closeCri();
  });

  test('all lines, each on its own stream', () => {
    const r = crictl(['logs', done]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      lines(r.stdout),
      Array.from({ length: 25 }, (_, i) => `out ${2 * i + 2}`),
    );
    assert.deepEqual(
      lines(r.stderr),
      Array.from({ length: 25 }, (_, i) => `err ${2 * i + 1}`),
    );
  });

  test('--tail, --stream, -t, --limit-bytes, --reverse, --since', async () => {
    // stdout and stderr reach the file through two pipes, so their interleaving varies:
    // count lines across both streams, and check order within one.
    const tail = crictl(['logs', '--tail', '3', done]);
    assert.equal(lines(tail.stdout).length + lines(tail.stderr).length, 3);
    const tailOut = lines(tail.stdout);
    assert.deepEqual(tailOut, ['out 46', 'out 48', 'out 50'].slice(3 - tailOut.length));
    // --tail counts file lines (all streams) before --stream selects, as crictl does.
    assert.ok(lines(crictl(['logs', '--stream', 'stdout', '--tail', '2', done]).stdout).length <= 2);
    assert.equal(crictl(['logs', '--stream', 'stdout', done]).stderr, '');
    const ts = lines(crictl(['logs', '-t', '--stream', 'stdout', done]).stdout).pop() ?? '';
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z out 50$/);
    const limited = crictl(['logs', '--stream', 'stdout', '--limit-bytes', '12', done]).stdout;
    assert.equal(limited, 'out 2\nout 4\n');
    const reversed = lines(crictl(['logs', '--reverse', '--stream', 'stdout', done]).stdout);
    assert.deepEqual(
      reversed,
      Array.from({ length: 25 }, (_, i) => `out ${50 - 2 * i}`),
    );
    // The counter may have finished less than a second ago: let its last line age past 1s.
    await sleep(Math.max(0, Date.parse(ts.split(' ')[0]) + 1500 - Date.now()));
    assert.equal(crictl(['logs', '--since', '1s', done]).stdout.length > 0, false);
    assert.equal(lines(crictl(['logs', '--since', '10m', done]).stdout).length, 25);
    const when = ts.split(' ')[0];
    assert.deepEqual(lines(crictl(['logs', '--since', when, '--stream', 'stdout', done]).stdout).slice(-1), ['out 50']);
    assert.ok(lines(crictl(['logs', '--since', when, done]).stdout).length < 25);
  });

  test('bad values and unreadable files: one line, exit 1', () => {
    const since = crictl(['logs', '--since', '5x', done]);
    assert.equal(since.code, 1);
    assert.match(since.stderr, /^crictl: --since "5x": expected an RFC 3339 time .* or a duration .*\n$/);
    assert.equal(crictl(['logs', '--tail', 'many', done]).stderr, 'crictl: --tail "many": expected a whole number\n');
    assert.match(crictl(['logs', '--stream', 'stdin', done]).stderr, /--stream "stdin": must be stdout or stderr/);
    assert.match(crictl(['logs', '-p', done]).stderr, /has no previous instance/);
  });

  test('--follow prints lines as they come, across a rotation, and ends when the container exits', async () => {
    const ticker = await runContainer(podId, podCfg, 'ticker', [
      'sh',
      '-c',
      'i=0; while [ $i -lt 60 ]; do echo "tick $i"; i=$((i+1)); sleep 0.1; done',
    ]);
    const { status } = await cri().runtime.containerStatus({ containerId: ticker });
    const path = status!.logPath;
    const follow = crictlAsync(['logs', '-f', ticker]);
    await sleep(2500);
    // Rotate the way the kubelet does: rename, then ask the runtime to reopen.
    renameSync(path, `${path}.1`);
    await cri().runtime.reopenContainerLog({ containerId: ticker });
    const r = await follow;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      lines(r.stdout),
      Array.from({ length: 60 }, (_, i) => `tick ${i}`),
    );
  });

  test('an unreadable log file is a clear error', async () => {
    const { status } = await cri().runtime.containerStatus({ containerId: done });
    chmodSync(status!.logPath, 0o000);
    renameSync(status!.logPath, `${status!.logPath}.gone`);
    const r = crictl(['logs', done]);
    renameSync(`${status!.logPath}.gone`, status!.logPath);
    chmodSync(status!.logPath, 0o640);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `crictl: log file ${status!.logPath}: no such file\n`);
  });
});
