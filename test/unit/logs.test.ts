import assert from 'node:assert/strict';
import { appendFileSync, closeSync, openSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLogLine, timeToNanos } from '../../src/logs/format.js';
import { followLog, printLog, tailOffset, type LogOptions } from '../../src/logs/reader.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('crictl-logs-');
const cri = (i: number, stream = 'stdout', tag = 'F', msg = `line ${i}`) => `2024-01-02T03:04:${String(i % 60).padStart(2, '0')}.000000001Z ${stream} ${tag} ${msg}\n`;

function collect(path: string, opts: LogOptions, reverse = false) {
  const out: string[] = [];
  printLog(path, opts, { write: (s, t) => out.push(`${s}:${t}`) }, reverse);
  return out.join('');
}

test('parses CRI and docker JSON lines', () => {
  assert.deepEqual(parseLogLine('2024-01-02T03:04:05.1Z stderr P half'), { time: '2024-01-02T03:04:05.1Z', stream: 'stderr', full: false, message: 'half' });
  assert.deepEqual(parseLogLine('2024-01-02T03:04:05Z stdout F'), { time: '2024-01-02T03:04:05Z', stream: 'stdout', full: true, message: '' });
  assert.deepEqual(parseLogLine('{"log":"hi\\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}'), { time: '2024-01-02T03:04:05Z', stream: 'stdout', full: true, message: 'hi' });
  assert.equal(parseLogLine('garbage'), undefined);
  assert.equal(timeToNanos('2024-01-02T03:04:05.000000123Z'), 1704164645000000123n);
});

test('partial entries join; streams go to their sink; timestamps and --stream', () => {
  const f = join(dir, 'partial.log');
  writeFileSync(f, cri(1, 'stdout', 'P', 'hel') + cri(2, 'stdout', 'F', 'lo') + cri(3, 'stderr', 'F', 'oops'));
  assert.equal(collect(f, {}), 'stdout:hello\nstderr:oops\n');
  assert.equal(collect(f, { stream: 'stderr', timestamps: true }), 'stderr:2024-01-02T03:04:03.000000001Z oops\n');
});

test('--tail, --since, --limit-bytes and --reverse', () => {
  const f = join(dir, 'many.log');
  writeFileSync(f, Array.from({ length: 50 }, (_, i) => cri(i)).join(''));
  assert.equal(collect(f, { tail: 2 }), 'stdout:line 48\nstdout:line 49\n');
  assert.equal(collect(f, { tail: 0 }), '');
  assert.equal(collect(f, { tail: 500 }).split('\n').length - 1, 50);
  assert.equal(collect(f, { sinceNanos: timeToNanos('2024-01-02T03:04:48Z') }), 'stdout:line 48\nstdout:line 49\n');
  assert.equal(collect(f, { limitBytes: 10 }), 'stdout:line 0\nstdout:lin');
  assert.equal(collect(f, { tail: 3 }, true), 'stdout:line 49\nstdout:line 48\nstdout:line 47\n');
});

test('tail reads only the end of a large file', () => {
  const f = join(dir, 'big.log');
  const line = cri(1, 'stdout', 'F', 'x'.repeat(1000));
  writeFileSync(f, line.repeat(20_000)); // ~20 MB
  const fd = openSync(f, 'r');
  const size = statSync(f).size;
  const start = tailOffset(fd, size, 100);
  closeSync(fd);
  assert.equal(size - start, line.length * 100);
});

test('follow keeps every line exactly once across rotations', async () => {
  const f = join(dir, 'follow.log');
  writeFileSync(f, '');
  const got: string[] = [];
  let running = true;
  const done = followLog(f, {}, { write: (_s, t) => got.push(...t.split('\n').filter(Boolean)) }, async () => running, undefined, 5);
  let n = 0;
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 200; i++) appendFileSync(f, cri(n++));
    await new Promise((r) => setTimeout(r, 20));
    renameSync(f, `${f}.${round}`);
    for (let i = 0; i < 10; i++) appendFileSync(`${f}.${round}`, cri(n++)); // late writes to the old file
    writeFileSync(f, '');
  }
  for (let i = 0; i < 100; i++) appendFileSync(f, cri(n++));
  running = false;
  await done;
  assert.equal(got.length, n);
  assert.deepEqual(got, Array.from({ length: n }, (_, i) => `line ${i}`));
});
