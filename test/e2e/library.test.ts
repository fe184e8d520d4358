// The library's streaming helpers against the real lab containerd, through the public entry
// point only: execSync, logs (tail, since, stream, follow across a rotation, break), exec and
// attach sessions (exit codes, stdin, tty resize, backpressure, early close), port forwarding
// and events (containerd 1.6 lacks GetContainerEvents: the polling fallback).
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { connect, type Cri, type LogEntry } from '../../src/lib/index.js';
import { ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function collect(entries: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const all: LogEntry[] = [];
  for await (const e of entries) all.push(e);
  return all;
}

describe('library helpers on a real runtime', { skip: SKIP, timeout: 300_000 }, () => {
  let cri: Cri;
  const pods: string[] = [];
  let podId: string;
  let podCfg: Awaited<ReturnType<typeof runPod>>['config'];
  let sleeper: string; // runs until the pod goes
  let counter: string; // printed out 1..20 (odd lines to stderr) and exited

  const state = async (containerId: string) =>
    (await cri.runtime.containerStatus({ containerId })).status?.state ?? 'none';

  before(async () => {
    cri = connect(ENDPOINT, undefined, { timeoutMs: 60_000 });
    ({ podId, config: podCfg } = await runPod('lib'));
    pods.push(podId);
    sleeper = await runContainer(podId, podCfg, 'sleeper', ['sleep', '3600']);
    counter = await runContainer(podId, podCfg, 'counter', [
      'sh',
      '-c',
      'i=1; while [ $i -le 20 ]; do if [ $((i % 2)) -eq 1 ]; then echo "err $i" >&2; else echo "out $i"; fi; i=$((i+1)); done; printf "no newline"',
    ]);
    await waitFor(async () => (await state(counter)) === 'CONTAINER_EXITED', 'counter to exit');
  });

  after(async () => {
    await removePods(pods);
    cri.close();
  });

  test('execSync returns Buffers and the exit code', async () => {
    const r = await cri.execSync(sleeper, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual(r, { stdout: Buffer.from('out\n'), stderr: Buffer.from('err\n'), exitCode: 3 });
    const timed = await cri.execSync(sleeper, ['sleep', '10'], { timeout: 1 }).catch((e: Error) => e);
    assert.ok(timed instanceof Error, 'a command past its timeout fails');
    await assert.rejects(cri.execSync(sleeper, []), /command is empty/);
  });

  test('logs: records with time, stream, tag and bytes; tail, stream, since', async () => {
    const all = await collect(cri.logs(counter));
    assert.equal(all.length, 21);
    const out = all.filter((e) => e.stream === 'stdout');
    assert.deepEqual(
      out.map((e) => e.line.toString()),
      [...Array.from({ length: 10 }, (_, i) => `out ${2 * i + 2}`), 'no newline'],
    );
    // The last record has no newline in the container's output: the runtime marks it partial.
    assert.equal(out.at(-1)?.tag, 'P');
    assert.ok(out.slice(0, -1).every((e) => e.tag === 'F'));
    for (const e of all) assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    assert.deepEqual(
      (await collect(cri.logs(counter, { stream: 'stderr' }))).map((e) => e.line.toString()),
      Array.from({ length: 10 }, (_, i) => `err ${2 * i + 1}`),
    );
    assert.equal((await collect(cri.logs(counter, { tail: 3 }))).length, 3);
    assert.equal((await collect(cri.logs(counter, { since: new Date(Date.now() + 60_000) }))).length, 0);
    assert.equal((await collect(cri.logs(counter, { since: new Date(Date.now() - 600_000) }))).length, 21);
  });

  test('logs: follow across a rotation, and break stops following', async () => {
    const ticker = await runContainer(podId, podCfg, 'ticker', [
      'sh',
      '-c',
      'i=0; while [ $i -lt 600 ]; do i=$((i+1)); echo "tick $i"; sleep 0.05; done',
    ]);
    const { status } = await cri.runtime.containerStatus({ containerId: ticker });
    const path = status?.logPath ?? '';
    const seen: number[] = [];
    let rotated = false;
    const started = Date.now();
    for await (const e of cri.logs(ticker, { follow: true })) {
      seen.push(Number(e.line.toString().split(' ')[1]));
      if (!rotated && seen.length === 20) {
        // Rotate as the kubelet does: rename, then ask the runtime to reopen.
        renameSync(path, `${path}.1`);
        await cri.runtime.reopenContainerLog({ containerId: ticker });
        rotated = true;
      }
      if (seen.length === 60) break;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 60 }, (_, i) => i + 1),
      'every line once, in order, across the rotation',
    );
    assert.ok(Date.now() - started < 25_000, 'break ended the iteration while the container still runs');
    assert.equal(await state(ticker), 'CONTAINER_RUNNING');
  });

  test('logs: a missing container or log file is a clear error', async () => {
    await assert.rejects(collect(cri.logs('no-such-container')), /not found|does not exist|NotFound/i);
  });
});
