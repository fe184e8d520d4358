// `logs` through the CLI on log files written straight into a real container's log path (the
// runtime only tells crictl where the file is): byte-exact output, partial records, timestamps,
// bounded memory on pipes (`| head -1`, a reader that sleeps), prompt ctrl-c, --reopen.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CLI, closeCri, cri, ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';
import { NO_CONFIG } from '../tmp.js';
import { waitFor } from '../wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rec = (stream: string, tag: string, body: string | Buffer) =>
  Buffer.concat([Buffer.from(`2024-01-02T03:04:05.5Z ${stream} ${tag} `), Buffer.from(body), Buffer.from('\n')]);

/** Peak resident memory of a live process in MiB (VmHWM), or 0 once it is gone. */
function peakRssMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  stderrBytes: Buffer;
}

/** Runs the CLI, collecting stdout as bytes. */
function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(CLI, ['-r', ENDPOINT, ...args], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('close', (code, signal) => {
      const stderrBytes = Buffer.concat(err);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: stderrBytes.toString(), stderrBytes });
    });
  });
}

/** Writes `mib` MiB of numbered CRI lines (fast: one 1 MiB block written repeatedly). */
function writeBigLog(path: string, mib: number): void {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024 - 200; i++) {
    const l = `2024-01-02T03:04:05.000000001Z stdout F line ${i} ${'x'.repeat(80)}\n`;
    lines.push(l);
    size += l.length;
  }
  const block = Buffer.from(lines.join(''));
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

describe('logs: bytes, memory and signals', { skip: SKIP }, () => {
  const pods: string[] = [];
  let exited: string; // printed one line and exited: its log file is ours to rewrite
  let exitedLog: string;
  let running: string; // sleeps, prints nothing
  let runningLog: string;

  before(async () => {
    const { podId, config } = await runPod('logs-bytes');
    pods.push(podId);
    exited = await runContainer(podId, config, 'once', ['echo', 'hi']);
    running = await runContainer(podId, config, 'sleeper', ['sleep', '3600']);
    await waitFor(
      async () => (await cri().runtime.containerStatus({ containerId: exited })).status?.state === 'CONTAINER_EXITED',
      'the container to exit',
    );
    exitedLog = (await cri().runtime.containerStatus({ containerId: exited })).status!.logPath;
    runningLog = (await cri().runtime.containerStatus({ containerId: running })).status!.logPath;
  });

  after(async () => {
    // The big files written here must not outlive a failed test.
    for (const path of [exitedLog, runningLog, `${runningLog}.1`]) if (path) rmSync(path, { force: true });
    await removePods(pods);
    closeCri();
  });

  test("output is the file's bytes: split characters, invalid UTF-8, partial records, last line without newline", async () => {
    // A 3-byte character across the 64 KiB read boundary, Latin-1 and binary bytes, P records
    // printed as they come (no newline of their own), and a last F record without its newline.
    const pad = 64 * 1024 - rec('stdout', 'F', '').length - 1;
    const file = Buffer.concat([
      rec('stdout', 'F', `${'a'.repeat(pad)}€`),
      rec('stdout', 'F', Buffer.from([0x63, 0x61, 0x66, 0xe9])), // "café" in Latin-1
      rec('stderr', 'F', Buffer.from([0xff, 0x00, 0xc3])),
      rec('stdout', 'P', 'part one, '),
      rec('stdout', 'P', 'part two, '),
      rec('stdout', 'F', 'end'),
      rec('stdout', 'F', 'no newline').subarray(0, -1),
    ]);
    writeFileSync(exitedLog, file);
    const r = await run(['logs', exited]);
    assert.equal(r.code, 0, r.stderr);
    const want = Buffer.concat([
      Buffer.from(`${'a'.repeat(pad)}€\n`),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      Buffer.from('part one, part two, end\nno newline'),
    ]);
    assert.ok(r.stdout.equals(want), `stdout differs: ${JSON.stringify(r.stdout.subarray(-80).toString('latin1'))}`);
    assert.ok(r.stderrBytes.equals(Buffer.from([0xff, 0x00, 0xc3, 0x0a])), `stderr: ${r.stderrBytes.toString('hex')}`);
  });

  test('100 KB without a newline: every partial record is printed', async () => {
    // containerd cuts a long line into 16 KiB P records; crictl prints each one as it comes.
    const chunks = Array.from({ length: 6 }, (_, i) => rec('stdout', 'P', String.fromCharCode(97 + i).repeat(16384)));
    writeFileSync(exitedLog, Buffer.concat(chunks));
    const r = await run(['logs', exited]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, 6 * 16384);
  });

  test('-t prints 9 fractional digits, trailing zeros kept, once per line', async () => {
    writeFileSync(
      exitedLog,
      Buffer.concat([
        Buffer.from('2024-01-02T03:04:05.1Z stdout P one \n2024-01-02T03:04:06Z stdout F two\n'),
        Buffer.from('2024-01-02T03:04:07.123456789+02:00 stdout F three\n2024-01-02T03:04:08.5-00:00 stdout F four\n'),
      ]),
    );
    const r = await run(['logs', '-t', exited]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.toString(),
      '2024-01-02T03:04:05.100000000Z one two\n2024-01-02T03:04:07.123456789+02:00 three\n2024-01-02T03:04:08.500000000Z four\n',
    );
  });

  test('a 1 GiB log piped into head -1 ends within seconds in bounded memory', async () => {
    // 8 MiB of real lines, then a hole up to 1 GiB (made instantly, read as zero bytes).
    writeBigLog(exitedLog, 8);
    const fd = openSync(exitedLog, 'r+');
    ftruncateSync(fd, 1024 ** 3);
    closeSync(fd);
    const started = Date.now();
    const p = spawn(CLI, ['-r', ENDPOINT, 'logs', exited], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRssMiB(p.pid!))), 20);
    const first = await new Promise<string>((resolve) => {
      let got = '';
      p.stdout.on('data', (d) => {
        got += d;
        if (got.includes('\n')) {
          p.stdout.destroy(); // what head does once it has its line
          resolve(got.slice(0, got.indexOf('\n')));
        }
      });
    });
    const ended = await Promise.race([
      new Promise<boolean>((r) => p.on('close', () => r(true))),
      sleep(20_000).then(() => false),
    ]);
    clearInterval(poll);
    if (!ended) p.kill('SIGKILL');
    writeFileSync(exitedLog, '');
    assert.match(first, /^line 0 x+$/);
    assert.ok(ended, 'still running 20 s after its reader went away');
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.ok(peak < 100, `peak RSS ${peak.toFixed(1)} MiB`);
  });

  test('a reader that sleeps 10 s keeps memory bounded', async () => {
    writeBigLog(exitedLog, 256);
    const p = spawn(CLI, ['-r', ENDPOINT, 'logs', exited], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    p.stdout.pause();
    let bytes = 0;
    await sleep(10_000);
    const peak = peakRssMiB(p.pid!);
    p.stdout.on('data', (d: Buffer) => (bytes += d.length));
    p.stdout.resume();
    const code = await new Promise<number | null>((r) => p.on('close', r));
    writeFileSync(exitedLog, '');
    assert.equal(code, 0);
    assert.equal(bytes, 256 * expectedBigOutput());
    assert.ok(peak > 0 && peak < 100, `peak RSS ${peak.toFixed(1)} MiB after 10 s`);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    test(`logs -f catching up on a big file ends promptly on ${signal} (exit ${code})`, async () => {
      writeBigLog(runningLog, 256);
      const p = spawn(CLI, ['-r', ENDPOINT, 'logs', '-f', running], {
        env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
      });
      let bytes = 0;
      p.stdout.on('data', (d: Buffer) => (bytes += d.length));
      await waitFor(async () => bytes > 1024 * 1024, 'output to start', 20_000);
      const sent = Date.now();
      p.kill(signal);
      const exit = await Promise.race([
        new Promise<number | null>((r) => p.on('close', (c) => r(c))),
        sleep(10_000).then(() => 'timeout' as const),
      ]);
      const took = Date.now() - sent;
      if (exit === 'timeout') p.kill('SIGKILL');
      writeFileSync(runningLog, '');
      assert.equal(exit, code);
      // 200 ms is the aim; a loaded 2-core machine gets generous room.
      assert.ok(took < 1500, `exited ${took} ms after ${signal}`);
    });
  }

  test('ctrl-c ends logs promptly even while its reader has stopped reading', async () => {
    writeBigLog(exitedLog, 64);
    const p = spawn(CLI, ['-r', ENDPOINT, 'logs', exited], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    p.stdout.pause(); // the pipe fills up and stays full
    await sleep(3000);
    const sent = Date.now();
    p.kill('SIGINT');
    const exit = await Promise.race([
      new Promise<number | null>((r) => p.on('close', (c) => r(c))),
      sleep(10_000).then(() => 'timeout' as const),
    ]);
    const took = Date.now() - sent;
    if (exit === 'timeout') p.kill('SIGKILL');
    p.stdout.destroy();
    writeFileSync(exitedLog, '');
    assert.equal(exit, 130);
    assert.ok(took < 1500, `exited ${took} ms after SIGINT`);
  });

  test('--reopen asks the runtime to reopen the log file before reading it', async () => {
    writeFileSync(runningLog, rec('stdout', 'F', 'before rotation'));
    renameSync(runningLog, `${runningLog}.1`);
    const r = await run(['logs', '--reopen', running]);
    rmSync(`${runningLog}.1`, { force: true });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(runningLog), 'the runtime made a new log file');
    assert.equal(r.stdout.length, 0);
    assert.match(r.stderr, /Container logs reopened/);
  });
});

/** Bytes of output per MiB written by writeBigLog. */
function expectedBigOutput(): number {
  let out = 0;
  let size = 0;
  for (let i = 0; size < 1024 * 1024 - 200; i++) {
    const body = `line ${i} ${'x'.repeat(80)}\n`;
    size += `2024-01-02T03:04:05.000000001Z stdout F ${body}`.length;
    out += body.length;
  }
  return out;
}
