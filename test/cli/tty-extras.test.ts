// What a terminal gets and a pipe does not: bulk work shows done/total on a terminal's stderr
// (and clears it around other lines), and `stats --watch` clears the screen only on a terminal.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runBulk } from '../../src/cli/bulk.js';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import { startCli } from './child.js';

/** A stream that keeps what is written; `isTTY` as a terminal's stderr has it. */
function sink(isTTY: boolean): Writable & { text: () => string; isTTY: boolean } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(w, { isTTY, text: () => chunks.join('') });
}

describe('bulk progress', () => {
  const items = ['a', 'b', 'bad', 'c'];
  const op = async (item: string) => {
    if (item === 'bad') throw new Error('no such thing');
    return `removed ${item}`;
  };

  test('on a terminal: done/total on stderr, cleared before each other line and at the end', async () => {
    const out = sink(false);
    const err = sink(true);
    const r = await runBulk(items, 1, op, out, err, (i) => i);
    assert.equal(r.done, 3);
    assert.equal(out.text(), 'removed a\nremoved b\nremoved c\n');
    const text = err.text();
    assert.match(text, /\r\x1b\[K1\/4 done/);
    assert.match(text, /\r\x1b\[K3\/4 done \(1 failed\)/);
    assert.match(text, /\r\x1b\[Kcrictl: bad: no such thing\n/);
    assert.ok(text.endsWith('4/4 done (1 failed)\r\x1b[K'), JSON.stringify(text));
  });

  test('piped: nothing but the failures', async () => {
    const err = sink(false);
    await runBulk(items, 1, op, sink(false), err, (i) => i);
    assert.equal(err.text(), 'crictl: bad: no such thing\n');
  });
});

describe('stats --watch into a pipe', () => {
  let fake: FakeCri;
  before(async () => {
    fake = await startFakeCri();
    const stats = (usage: string) => ({
      stats: [
        {
          attributes: { id: 'c'.repeat(64), metadata: { name: 'web' } },
          cpu: { timestamp: String(BigInt(Date.now()) * 1_000_000n), usageCoreNanoSeconds: { value: usage } },
          memory: { timestamp: '1', workingSetBytes: { value: '4096' } },
        },
      ],
    });
    let n = 0;
    fake.on('ListContainerStats', () => stats(String(1e9 * ++n)));
  });
  after(() => fake.close());

  test('writes tables without clear-screen codes', async () => {
    const { child, done } = startCli(['-r', fake.endpoint, 'stats', '--watch', '-s', '1']);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    for (const end = Date.now() + 30_000; (stdout.match(/^CONTAINER/gm) ?? []).length < 2; ) {
      if (Date.now() > end) throw new Error(`no two tables: ${JSON.stringify(stdout)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    await done;
    assert.ok(!stdout.includes('\x1b'), JSON.stringify(stdout));
  });
});
