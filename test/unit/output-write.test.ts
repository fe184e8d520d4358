import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { PairedOutput, writeOut } from '../../src/output/write.js';

/** A writable that takes one chunk every `ms` and records the most it ever held queued. */
function slowStream(ms: number) {
  const chunks: Buffer[] = [];
  let peakQueued = 0;
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setTimeout(done, ms);
    },
  });
  const watch = setInterval(() => (peakQueued = Math.max(peakQueued, stream.writableLength)), 1);
  return { stream, chunks, peak: () => peakQueued, stop: () => clearInterval(watch) };
}

test('writeOut hands a huge text on in slices, waiting for the reader, never splitting a character', async () => {
  const slow = slowStream(2);
  // '😀' is two UTF-16 units; put one across the first slice boundary (1 MiB units).
  const text = `${'a'.repeat((1 << 20) - 1)}😀${'b'.repeat(3 << 20)}`;
  await writeOut(slow.stream, text);
  await new Promise<void>((r) => slow.stream.end(r));
  slow.stop();
  assert.equal(Buffer.concat(slow.chunks).toString('utf8'), text);
  assert.ok(slow.chunks.length >= 4, `${slow.chunks.length} writes`);
  // Without waiting, all 4 MiB would sit in the stream's queue at once.
  assert.ok(slow.peak() <= 2 * (1 << 20) + 16, `peak queue ${slow.peak()} bytes`);
});

test('writeOut stops when its reader went away', async () => {
  const stream = new Writable({
    write: (_c, _e, done) => done(Object.assign(new Error('broken pipe'), { code: 'EPIPE' })),
  });
  stream.on('error', () => undefined);
  await writeOut(stream, 'x'.repeat(3 << 20)); // resolves instead of hanging or throwing
  assert.equal(stream.destroyed, true);
});

test('PairedOutput keeps the order across stdout and stderr and waits for a slow reader', async () => {
  const order: string[] = [];
  const out = slowStream(1);
  const err = new Writable({
    write: (c: Buffer, _e, done) => {
      order.push(`err:${c}`);
      done();
    },
  });
  const origWrite = out.stream.write.bind(out.stream);
  out.stream.write = ((chunk: Buffer) => {
    order.push(`out:${chunk}`);
    return origWrite(chunk);
  }) as typeof out.stream.write;
  const paired = new PairedOutput({ stdout: out.stream, stderr: err }, 8);
  paired.write('stdout', Buffer.from('ab'));
  paired.write('stdout', Buffer.from('cd'));
  paired.write('stderr', Buffer.from('E1'));
  paired.write('stdout', Buffer.from('0123456789'));
  await paired.flush();
  assert.deepEqual(order, ['out:abcd', 'err:E1', 'out:01234567', 'out:89']);
  const blocks = new PairedOutput({ stdout: out.stream, stderr: err });
  const big = Buffer.alloc(1 << 20, 'z');
  let queued = 0;
  for (let i = 0; i < 8; i++) {
    blocks.write('stdout', big);
    await blocks.flush();
    queued = Math.max(queued, out.stream.writableLength);
  }
  out.stop();
  // flush() returns once the queue is below the high-water mark: never 8 MiB piled up.
  assert.ok(queued <= 16 * 1024, `${queued} bytes still queued after flush()`);
});
