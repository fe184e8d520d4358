import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  openSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatLogTime, parseCriHeader, parseDockerLine, parseLogTime, timeToNanos } from '../../src/logs/format.js';
import {
  followLog,
  LogFormatError,
  LogPrinter,
  printLog,
  tailOffset,
  type LogOptions,
  type LogRecord,
  type LogSink,
} from '../../src/logs/reader.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('crictl-logs-');

const cri = (i: number, stream = 'stdout', tag = 'F', msg: string | Buffer = `line ${i}`) =>
  Buffer.concat([
    Buffer.from(`2024-01-02T03:04:${String(i % 60).padStart(2, '0')}.000000001Z ${stream} ${tag} `),
    Buffer.from(msg),
    Buffer.from('\n'),
  ]);

/** A sink that keeps everything, prefixing each stream switch with its name. */
function memorySink() {
  const parts: Buffer[] = [];
  let last = '';
  const sink: LogSink = {
    write(stream, bytes) {
      if (stream !== last) parts.push(Buffer.from(`${stream}:`));
      last = stream;
      parts.push(Buffer.from(bytes));
    },
    flush: () => undefined,
  };
  return { sink, bytes: () => Buffer.concat(parts), text: () => Buffer.concat(parts).toString('latin1') };
}

async function collect(content: Buffer | string, opts: LogOptions = {}, reverse = false): Promise<string> {
  const f = join(dir, 'print.log');
  writeFileSync(f, content);
  const m = memorySink();
  await printLog(f, opts, m.sink, { reverse });
  return m.text();
}

/** The printer's output for `content` fed in pieces of `size` bytes. */
function feedInPieces(content: Buffer, size: number, opts: LogOptions = {}): Buffer {
  const m = memorySink();
  const printer = new LogPrinter(opts, m.sink);
  for (let i = 0; i < content.length; i += size) printer.feed(Buffer.from(content.subarray(i, i + size)));
  printer.finish();
  return m.bytes();
}

test('times parse as Go parses RFC 3339 and print with 9 fractional digits', () => {
  const t = (s: string) => {
    const parsed = parseLogTime(Buffer.from(s));
    return parsed && formatLogTime(parsed);
  };
  assert.equal(t('2024-01-02T03:04:05Z'), '2024-01-02T03:04:05.000000000Z');
  assert.equal(t('2024-01-02T03:04:05.1Z'), '2024-01-02T03:04:05.100000000Z');
  assert.equal(t('2024-01-02T03:04:05.120000000Z'), '2024-01-02T03:04:05.120000000Z');
  assert.equal(t('2024-01-02T03:04:05.1234567891234Z'), '2024-01-02T03:04:05.123456789Z');
  assert.equal(t('2024-01-02T03:04:05,5+05:30'), '2024-01-02T03:04:05.500000000+05:30');
  assert.equal(t('2024-01-02T03:04:05-00:00'), '2024-01-02T03:04:05.000000000Z');
  assert.equal(t('2024-02-29T00:00:00Z'), '2024-02-29T00:00:00.000000000Z');
  for (const bad of [
    '2023-02-29T00:00:00Z',
    '2024-01-02T24:00:00Z',
    '2024-01-02 03:04:05Z',
    '2024-01-02T03:04:05',
    '2024-01-02T03:04:05.Z',
    '2024-01-02T03:04:05z',
  ]) {
    assert.equal(parseLogTime(Buffer.from(bad)), undefined, bad);
  }
  assert.equal(timeToNanos('2024-01-02T03:04:05.000000123Z'), 1704164645000000123n);
  assert.equal(timeToNanos('2024-01-02T05:04:05.000000123+02:00'), 1704164645000000123n);
  assert.equal(timeToNanos('0001-01-01T00:00:00Z'), -62135596800000000000n);
});

test('CRI headers and Docker JSON lines', () => {
  assert.deepEqual(parseCriHeader(Buffer.from('2024-01-02T03:04:05.1Z stderr P ')), {
    time: parseLogTime(Buffer.from('2024-01-02T03:04:05.1Z')),
    stream: 'stderr',
    partial: true,
  });
  assert.equal(parseCriHeader(Buffer.from('2024-01-02T03:04:05Z stdout P:x:y '))?.partial, true);
  assert.equal(parseCriHeader(Buffer.from('2024-01-02T03:04:05Z stdout PX '))?.partial, false);
  assert.equal(parseCriHeader(Buffer.from('2024-01-02T03:04:05Z stdin F ')), undefined);
  assert.equal(parseCriHeader(Buffer.from('yesterday stdout F ')), undefined);
  const d = parseDockerLine(Buffer.from('{"log":"hi\\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}'));
  assert.equal(d?.log.toString(), 'hi\n');
  assert.equal(d?.stream, 'stdout');
  assert.equal(parseDockerLine(Buffer.from('{"Log":"x","Stream":"stderr"}'))?.stream, 'stderr');
  assert.equal(parseDockerLine(Buffer.from('garbage')), undefined);
});

test("output is the file's bytes, however the file is cut into reads", () => {
  const file = Buffer.concat([
    cri(1, 'stdout', 'F', 'héllo wörld €'),
    cri(2, 'stdout', 'F', Buffer.from([0xe9, 0xff, 0x00, 0xc3])), // Latin-1 and binary
    cri(3, 'stderr', 'P', 'par'),
    cri(4, 'stderr', 'F', 'tial'),
    cri(5, 'stdout', 'F', 'last, no newline').subarray(0, -1),
  ]);
  const want = Buffer.concat([
    Buffer.from('stdout:héllo wörld €\n'),
    Buffer.from([0xe9, 0xff, 0x00, 0xc3, 0x0a]),
    Buffer.from('stderr:partial\nstdout:last, no newline'),
  ]);
  for (const size of [1, 2, 3, 5, 7, 64, file.length])
    assert.ok(feedInPieces(file, size).equals(want), `pieces of ${size}`);
});

test('record mode hands on whole records (time as written, tag, message), however the file is cut', () => {
  const big = Buffer.alloc(1024 * 1024 + 10, 0x61);
  const file = Buffer.concat([
    cri(1, 'stdout', 'F', 'héllo'),
    cri(2, 'stderr', 'P', 'par'),
    cri(3, 'stderr', 'F', ''),
    cri(4, 'stdout', 'F', big),
    Buffer.from('2024-01-02T03:04:05.5+01:00 stdout F zoned\n'),
    cri(6, 'stdout', 'F', 'no newline').subarray(0, -1),
  ]);
  for (const size of [3, 7, 64 * 1024, file.length]) {
    const got: LogRecord[] = [];
    const printer = new LogPrinter(
      { stream: undefined },
      { write: () => assert.fail('no bytes in record mode'), flush: () => undefined, record: (r) => got.push(r) },
    );
    for (let i = 0; i < file.length; i += size) printer.feed(Buffer.from(file.subarray(i, i + size)));
    printer.finish();
    const summary = got.map((r) => [
      r.time,
      r.stream,
      r.partial,
      r.message.length > 20 ? r.message.length : r.message.toString(),
    ]);
    assert.deepEqual(
      summary,
      [
        ['2024-01-02T03:04:01.000000001Z', 'stdout', false, 'héllo'],
        ['2024-01-02T03:04:02.000000001Z', 'stderr', true, 'par'],
        ['2024-01-02T03:04:03.000000001Z', 'stderr', false, ''],
        // Longer than 1 MiB: in pieces, all but the last partial.
        ['2024-01-02T03:04:04.000000001Z', 'stdout', true, 1024 * 1024],
        ['2024-01-02T03:04:04.000000001Z', 'stdout', false, 'aaaaaaaaaa'],
        ['2024-01-02T03:04:05.5+01:00', 'stdout', false, 'zoned'],
        ['2024-01-02T03:04:06.000000001Z', 'stdout', false, 'no newline'],
      ],
      `pieces of ${size}`,
    );
  }
  // Docker JSON: the time formatted, the newline dropped, a record without one partial.
  const docker: LogRecord[] = [];
  const printer = new LogPrinter(
    { stream: 'stderr' },
    { write: () => undefined, flush: () => undefined, record: (r) => docker.push(r) },
  );
  printer.feed(
    Buffer.from(
      '{"log":"a\\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}\n{"log":"b","stream":"stderr","time":"2024-01-02T03:04:06Z"}\n',
    ),
  );
  assert.deepEqual(docker, [
    { time: '2024-01-02T03:04:06.000000000Z', stream: 'stderr', partial: true, message: Buffer.from('b') },
  ]);
});

test('partial records print as they come; -t prefixes only a record that starts a line', async () => {
  const file = Buffer.concat([
    cri(1, 'stdout', 'P', 'hel'),
    cri(2, 'stdout', 'P', 'lo '),
    cri(3, 'stdout', 'F', 'world'),
    cri(4, 'stderr', 'F', 'oops'),
  ]);
  assert.equal(await collect(file), 'stdout:hello world\nstderr:oops\n');
  assert.equal(
    await collect(file, { timestamps: true }),
    'stdout:2024-01-02T03:04:01.000000001Z hello world\nstderr:2024-01-02T03:04:04.000000001Z oops\n',
  );
  assert.equal(
    await collect(file, { stream: 'stderr', timestamps: true }),
    'stderr:2024-01-02T03:04:04.000000001Z oops\n',
  );
  // Partial records never joined by a full one: all of them, as crictl prints them.
  const long = Buffer.concat(Array.from({ length: 6 }, (_, i) => cri(i, 'stdout', 'P', 'x'.repeat(16384))));
  assert.equal((await collect(long)).length, 'stdout:'.length + 6 * 16384);
  // An empty partial record counts as ending a line (the kubelet's rule), so the next gets a prefix too.
  assert.equal(
    await collect(Buffer.concat([cri(1, 'stdout', 'P', ''), cri(2, 'stdout', 'F', 'b')]), { timestamps: true }),
    'stdout:2024-01-02T03:04:01.000000001Z 2024-01-02T03:04:02.000000001Z b\n',
  );
});

test('--tail, --since, --limit-bytes and --reverse', async () => {
  const file = Buffer.concat(Array.from({ length: 50 }, (_, i) => cri(i)));
  assert.equal(await collect(file, { tail: 2 }), 'stdout:line 48\nline 49\n');
  assert.equal(await collect(file, { tail: 0 }), '');
  assert.equal((await collect(file, { tail: 500 })).split('\n').length - 1, 50);
  assert.equal(await collect(file, { sinceNanos: timeToNanos('2024-01-02T03:04:48Z') }), 'stdout:line 48\nline 49\n');
  assert.equal(await collect(file, { limitBytes: 10 }), 'stdout:line 0\nlin');
  assert.equal(await collect(file, { limitBytes: 0 }), '');
  assert.equal(await collect(file, { tail: 3 }, true), 'stdout:line 49\nline 48\nline 47\n');
  // As crictl: a last line without newline is not counted by --tail, and --tail N prints N records.
  assert.equal(await collect(Buffer.concat([cri(1), cri(2), cri(3).subarray(0, -1)]), { tail: 1 }), 'stdout:line 2\n');
});

test('malformed lines are skipped; a first line in no known format is an error', async () => {
  const ok = Buffer.concat([cri(1), Buffer.from('garbage\n2024-13-01T00:00:00Z stdout F bad month\n\n'), cri(2)]);
  assert.equal(await collect(ok), 'stdout:line 1\nline 2\n');
  await assert.rejects(collect(Buffer.concat([Buffer.from('garbage\n'), cri(1)])), LogFormatError);
  await assert.rejects(collect(Buffer.concat([Buffer.from('\n'), cri(1)])), LogFormatError);
  const docker =
    '{"log":"one\\n","stream":"stdout","time":"2024-01-02T03:04:05.5Z"}\n{"log":"two","stream":"stderr","time":"2024-01-02T03:04:06Z"}\n';
  assert.equal(
    await collect(docker, { timestamps: true }),
    'stdout:2024-01-02T03:04:05.500000000Z one\nstderr:2024-01-02T03:04:06.000000000Z two',
  );
});

test('long malformed lines and long JSON lines, however the file is cut into reads', () => {
  const cri1 = Buffer.concat([cri(1), Buffer.from(`${'g'.repeat(10_000)}\n${'h '.repeat(5000)}\n`), cri(2)]);
  const docker = Buffer.from(
    `{"log":"${'j '.repeat(5000)}\\n","stream":"stderr","time":"2024-01-02T03:04:05Z"}\nnot json\n{"log":"k","stream":"stdout"}\n`,
  );
  for (const size of [1, 7, 4096, 1 << 20]) {
    assert.equal(feedInPieces(cri1, size).toString(), 'stdout:line 1\nline 2\n', `CRI in pieces of ${size}`);
    assert.equal(
      feedInPieces(docker, size).toString(),
      `stderr:${'j '.repeat(5000)}\nstdout:k`,
      `JSON in pieces of ${size}`,
    );
  }
});

test('a 50 MB line takes linear time and one block of memory', async () => {
  const f = join(dir, 'long.log');
  const fd = openSync(f, 'w');
  writeSync(fd, '2024-01-02T03:04:05Z stdout F ');
  const block = Buffer.alloc(1024 * 1024, 'y');
  for (let i = 0; i < 50; i++) writeSync(fd, block);
  writeSync(fd, '\n');
  closeSync(fd);
  let bytes = 0;
  let largest = 0;
  const counting: LogSink = {
    write: (_s, b) => {
      bytes += b.length;
      largest = Math.max(largest, b.length);
    },
    flush: () => undefined,
  };
  const started = Date.now();
  await printLog(f, {}, counting);
  assert.equal(bytes, 50 * 1024 * 1024 + 1);
  assert.ok(largest <= 64 * 1024, `handed on ${largest} bytes at once`);
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
});

test('tail reads only the end of a large file', () => {
  const f = join(dir, 'big.log');
  const line = cri(1, 'stdout', 'F', 'x'.repeat(1000));
  writeFileSync(f, Buffer.concat(Array.from({ length: 20_000 }, () => line))); // ~20 MB
  const fd = openSync(f, 'r');
  const size = statSync(f).size;
  const start = tailOffset(fd, size, 100);
  closeSync(fd);
  assert.equal(size - start, line.length * 100);
});

test('follow keeps every line exactly once across rotations', async () => {
  const f = join(dir, 'follow.log');
  writeFileSync(f, '');
  const m = memorySink();
  let running = true;
  const done = followLog(f, {}, m.sink, async () => running, undefined, 5);
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
  assert.equal(m.text(), `stdout:${Array.from({ length: n }, (_, i) => `line ${i}\n`).join('')}`);
});

test('follow reads a file that was rotated away again while it was still catching up', async () => {
  const f = join(dir, 'rotate-twice.log');
  let n = 0;
  const lines = (count: number) =>
    Buffer.concat(Array.from({ length: count }, () => cri(n++, 'stdout', 'F', `line ${n - 1} ${'p'.repeat(100)}`)));
  writeFileSync(f, lines(40_000)); // ~5 MB: a while to get through for a slow reader
  const first = statSync(f).size;
  const m = memorySink();
  let taken = 0;
  const slow: LogSink = {
    write: (s, b) => {
      taken += b.length;
      return m.sink.write(s, b);
    },
    flush: () => new Promise((r) => setTimeout(r, 10)),
  };
  let running = true;
  const done = followLog(f, {}, slow, async () => running, undefined, 5);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  while (taken === 0) await sleep(5);
  // Two rotations while the reader is still in the first file: the second file is renamed
  // away before the reader gets to it.
  renameSync(f, `${f}.1`);
  writeFileSync(f, lines(100));
  await sleep(150);
  renameSync(f, `${f}.2`);
  writeFileSync(f, lines(100));
  assert.ok(taken < first / 2, 'the reader was still in the first file');
  running = false;
  await done;
  const got = m
    .text()
    .slice('stdout:'.length)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(0, 2).join(' '));
  assert.equal(got.length, n);
  assert.deepEqual(
    got,
    Array.from({ length: n }, (_, i) => `line ${i}`),
  );
});

test('follow reads a file truncated and written again between two polls from its start', async () => {
  const f = join(dir, 'truncate.log');
  writeFileSync(f, Buffer.concat([cri(0), cri(1), cri(2)]));
  const m = memorySink();
  let running = true;
  const done = followLog(f, {}, m.sink, async () => running, undefined, 200);
  await new Promise((r) => setTimeout(r, 100));
  // Cut and rewritten with more than was there before, all before the next poll.
  truncateSync(f, 0);
  appendFileSync(
    f,
    Buffer.concat([
      cri(10, 'stdout', 'F', 'after truncation 10'),
      cri(11, 'stdout', 'F', 'after truncation 11'),
      cri(12, 'stdout', 'F', 'after truncation 12'),
    ]),
  );
  await new Promise((r) => setTimeout(r, 1200));
  running = false;
  await done;
  assert.equal(
    m.text(),
    'stdout:line 0\nline 1\nline 2\nafter truncation 10\nafter truncation 11\nafter truncation 12\n',
  );
});

test('follow stops promptly when aborted, even while catching up', async () => {
  const f = join(dir, 'catchup.log');
  const line = cri(1, 'stdout', 'F', 'z'.repeat(200));
  const fd = openSync(f, 'w');
  const block = Buffer.concat(Array.from({ length: 4096 }, () => line));
  for (let i = 0; i < 64; i++) writeSync(fd, block); // ~54 MB
  closeSync(fd);
  let bytes = 0;
  const sink: LogSink = { write: (_s, b) => void (bytes += b.length), flush: () => undefined };
  const abort = new AbortController();
  const done = followLog(f, {}, sink, async () => true, abort.signal);
  await new Promise((r) => setTimeout(r, 50));
  const sent = Date.now();
  abort.abort();
  await done;
  assert.ok(Date.now() - sent < 500, `ended ${Date.now() - sent} ms after the abort`);
  assert.ok(bytes < 64 * 4096 * 201, 'read everything before noticing the abort');
});
