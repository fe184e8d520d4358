// The library's streaming helpers against the real lab containerd, through the public entry
// point only: execSync, logs (tail, since, stream, follow across a rotation, break), exec and
// attach sessions (exit codes, stdin, tty resize, backpressure, early close), port forwarding
// and events (containerd 1.6 lacks GetContainerEvents: the polling fallback).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Readable } from 'node:stream';
import {
  connect,
  SessionClosedError,
  type ContainerEvent,
  type Cri,
  type LogEntry,
  type RemoteProcess,
  type StreamTransport,
} from '../../src/lib/index.js';
import { BUSYBOX, ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';
import { waitFor } from '../wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a stream carries until it ends. */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The process's output and exit code. */
async function outcome(p: RemoteProcess) {
  const [stdout, stderr, exitCode] = await Promise.all([readAll(p.stdout), readAll(p.stderr), p.exitCode]);
  return { stdout: stdout.toString(), stderr: stderr.toString(), exitCode };
}

/** Streaming connections (TCP) this process still has open. */
const openTcp = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

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

    // The signal ends a follow that is waiting for output that never comes.
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 500);
    const waited = Date.now();
    assert.deepEqual(await collect(cri.logs(sleeper, { follow: true, signal: abort.signal })), []);
    assert.ok(Date.now() - waited < 10_000);
  });

  test('logs: a missing container or log file is a clear error', async () => {
    await assert.rejects(collect(cri.logs('no-such-container')), /not found|does not exist|NotFound/i);
  });

  for (const transport of ['spdy', 'websocket'] as StreamTransport[]) {
    test(`exec over ${transport}: output, exit codes, stdin`, async () => {
      const p = await cri.exec(sleeper, ['sh', '-c', 'echo out; echo err >&2; exit 7'], { transport });
      assert.equal(p.stdin, null);
      assert.deepEqual(await outcome(p), { stdout: 'out\n', stderr: 'err\n', exitCode: 7 });
      assert.equal((await outcome(await cri.exec(sleeper, ['true'], { transport }))).exitCode, 0);

      // stdin round trip: what goes in comes back out.
      const cat = await cri.exec(sleeper, ['cat'], { stdin: true, transport });
      const input = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
      cat.stdin?.write(input);
      if (transport === 'spdy' || cat.protocol === 'v5.channel.k8s.io') {
        cat.stdin?.end();
        const r = await outcome(cat);
        assert.equal(r.stdout, input.toString());
        assert.equal(r.exitCode, 0);
        // Reading with for await lets go of each stream as it ends; that must never cost the
        // exit status (it once did, now and then, when a late frame met the closing server).
        for (let i = 0; i < 15; i++) {
          const again = await cri.exec(sleeper, ['cat'], { stdin: true, transport });
          again.stdin?.end(`round ${i}\n`);
          assert.deepEqual(await outcome(again), { stdout: `round ${i}\n`, stderr: '', exitCode: 0 });
        }
      } else {
        // WebSocket v4 (containerd 1.6) cannot pass end of input on: read the echo, then close.
        let got: Buffer = Buffer.alloc(0);
        for await (const c of cat.stdout) {
          got = Buffer.concat([got, c as Buffer]);
          if (got.length >= input.length) break; // destroys stdout: the session closes
        }
        assert.ok(got.equals(input));
        await assert.rejects(cat.exitCode, SessionClosedError);
      }
    });
  }

  test('exec with a tty: one output stream, resize reaches the terminal', async () => {
    const p = await cri.exec(
      sleeper,
      [
        'sh',
        '-c',
        // busybox stty can fail spuriously while the terminal is being set up; only its answer counts.
        'for i in $(seq 100); do s=$(stty size 2>/dev/null); [ "$s" = "37 101" ] && break; sleep 0.1; done; echo "size $s"; echo err >&2',
      ],
      { tty: true, stdin: true },
    );
    p.resize(101, 37);
    const r = await outcome(p);
    assert.equal(r.stdout.replaceAll('\r', ''), 'size 37 101\nerr\n');
    assert.equal(r.stderr, '');
    assert.equal(r.exitCode, 0);
  });

  for (const transport of ['spdy', 'websocket'] as StreamTransport[]) {
    test(`exec backpressure over ${transport}: a paused reader stops the transport; the rest then arrives intact`, async () => {
      const lines = 1_500_000;
      const p = await cri.exec(sleeper, ['seq', '1', String(lines)], { transport });
      p.stderr.resume();
      const chunks: Buffer[] = [];
      let received = 0;
      await new Promise<void>((resolve) => {
        const onData = (c: Buffer) => {
          chunks.push(c);
          received += c.length;
          if (received >= 1024 * 1024) {
            p.stdout.off('data', onData);
            p.stdout.pause();
            resolve();
          }
        };
        p.stdout.on('data', onData);
      });
      const inMemory = () => received + p.stdout.readableLength;
      const atPause = inMemory();
      const rssAtPause = process.memoryUsage().rss;
      await sleep(2000);
      const grew = inMemory() - atPause;
      // The stream buffers up to its high-water mark (256 KiB) plus a frame; the rest waits in the
      // kernel and in the container's pipe.
      assert.ok(grew <= 1024 * 1024, `read ${grew} more bytes while paused`);
      assert.ok(process.memoryUsage().rss - rssAtPause < 32 * 1024 * 1024, 'memory stayed bounded');
      chunks.push(await readAll(p.stdout));
      const want = Buffer.from(Array.from({ length: lines }, (_, i) => `${i + 1}\n`).join(''));
      const got = Buffer.concat(chunks);
      assert.equal(got.length, want.length);
      assert.ok(got.equals(want), 'every byte, in order');
      assert.equal(await p.exitCode, 0);
    });
  }

  test('exec early close: destroying stdout, close() and abort settle exitCode and free the socket', async () => {
    const yes = await cri.exec(sleeper, ['yes']);
    yes.stderr.resume();
    for await (const _ of yes.stdout) break; // destroys stdout
    await assert.rejects(yes.exitCode, SessionClosedError);

    const closed = await cri.exec(sleeper, ['yes'], { transport: 'websocket' });
    closed.stdout.once('data', () => closed.close());
    await assert.rejects(closed.exitCode, SessionClosedError);

    const abort = new AbortController();
    const aborted = await cri.exec(sleeper, ['yes'], { signal: abort.signal });
    aborted.stdout.once('data', () => abort.abort());
    await assert.rejects(aborted.exitCode, { name: 'AbortError' });
    // Aborted before it starts: nothing is opened.
    await assert.rejects(cri.exec(sleeper, ['true'], { signal: abort.signal }), { name: 'AbortError' });

    await waitFor(() => openTcp() === 0, 'the streaming connections to close', 10_000);
  });

  test('exec into a missing container is a clear error before any stream opens', async () => {
    await assert.rejects(cri.exec('no-such-container', ['true']), /not found|does not exist|NotFound/i);
  });

  test('attach: stdin to the container and its output back', async () => {
    const { containerId } = await cri.runtime.createContainer({
      podSandboxId: podId,
      config: {
        metadata: { name: 'attach-cat' },
        image: { image: BUSYBOX },
        command: ['cat'],
        stdin: true,
        logPath: 'attach-cat.log',
      },
      sandboxConfig: podCfg,
    });
    await cri.runtime.startContainer({ containerId });
    const p = await cri.attach(containerId, { stdin: true });
    p.stdin?.write('hello attach\n');
    let got = '';
    for await (const c of p.stdout) {
      got += (c as Buffer).toString();
      if (got.includes('\n')) break;
    }
    assert.equal(got, 'hello attach\n');
    await assert.rejects(p.exitCode, SessionClosedError);
    assert.equal(await state(containerId), 'CONTAINER_RUNNING', 'leaving the session leaves the container running');
  });

  describe('port forwarding', () => {
    let pfPod: string;
    before(async () => {
      const pod = await runPod('lib-pf');
      pfPod = pod.podId;
      pods.push(pfPod);
      await runContainer(pfPod, pod.config, 'echo', ['nc', '-ll', '-p', '8080', '-e', 'cat']);
      await sleep(500); // let the server bind
    });

    for (const transport of ['spdy', 'websocket'] as StreamTransport[]) {
      test(`portForward over ${transport}: bytes round trip`, async () => {
        const conn = await cri.portForward(pfPod, 8080, { transport });
        const payload = randomBytes(512 * 1024);
        conn.write(payload);
        let got: Buffer = Buffer.alloc(0);
        if (transport === 'spdy') {
          conn.end(); // half-close: cat sees end of input, echoes the rest and exits
          got = await readAll(conn);
        } else {
          for await (const c of conn) {
            got = Buffer.concat([got, c as Buffer]);
            if (got.length >= payload.length) break;
          }
        }
        assert.equal(got.length, payload.length);
        assert.ok(got.equals(payload));
        await waitFor(() => openTcp() === 0, 'the streaming connection to close', 10_000);
      });
    }

    test("portForward to a port nothing listens on fails with the runtime's reason", async () => {
      const conn = await cri.portForward(pfPod, 9);
      const err = await new Promise<Error | undefined>((resolve) => {
        conn.once('error', resolve);
        conn.once('end', () => resolve(undefined));
        conn.resume();
      });
      assert.ok(err, 'an error, not a clean end');
      assert.match(err.message, /port-forward to port 9: .*(refused|failed|error)/i);
      await waitFor(() => openTcp() === 0, 'the streaming connection to close', 10_000);
    });

    test('listenPortForward forwards each accepted connection until closed', async () => {
      const errors: Error[] = [];
      const listener = await cri.listenPortForward(pfPod, 0, 8080, { onError: (e) => errors.push(e) });
      assert.equal(listener.host, '127.0.0.1');
      assert.ok(listener.port > 0);
      for (let i = 0; i < 3; i++) {
        const socket: Socket = createConnection(listener.port, listener.host);
        socket.end(`ping ${i}\n`);
        assert.equal((await readAll(socket)).toString(), `ping ${i}\n`);
      }
      await listener.close();
      assert.deepEqual(errors, []);
      await assert.rejects(
        new Promise((resolve, reject) =>
          createConnection(listener.port, listener.host).once('connect', resolve).once('error', reject),
        ),
        /ECONNREFUSED/,
      );
      await waitFor(() => openTcp() === 0, 'the streaming connections to close', 10_000);
    });
  });

  test('events: containerd 1.6 lacks GetContainerEvents, so they come from polling', async () => {
    const abort = new AbortController();
    const seen: ContainerEvent[] = [];
    let target = '';
    const watching = (async () => {
      for await (const e of cri.events({ signal: abort.signal, pollIntervalMs: 200 })) {
        seen.push(e);
        if (e.containerId === target && e.type === 'DELETED') abort.abort();
      }
    })();
    await sleep(1000); // the first poll is the baseline
    target = await runContainer(podId, podCfg, 'evented', ['sleep', '3600']);
    await waitFor(() => seen.some((e) => e.containerId === target && e.type === 'STARTED'), 'STARTED');
    await cri.runtime.stopContainer({ containerId: target, timeout: '0' });
    await waitFor(() => seen.some((e) => e.containerId === target && e.type === 'STOPPED'), 'STOPPED');
    await cri.runtime.removeContainer({ containerId: target });
    await watching; // ends at DELETED (abort)
    const mine = seen.filter((e) => e.containerId === target);
    assert.deepEqual(
      mine.map((e) => e.type),
      ['CREATED', 'STARTED', 'STOPPED', 'DELETED'],
    );
    assert.ok(mine.every((e) => e.polled && e.podSandboxId === podId));
  });
});
