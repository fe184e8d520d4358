// The streaming tar reader and writer behind load and save: what GNU tar writes is read, what is
// written GNU tar reads, and bad input is one clear error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readTar, TAR_END, tarHeader, tarPadding } from '../../src/archive/tar.js';
import { tempDir } from '../tmp.js';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function entries(buf: Buffer, chunk = 7): Promise<[string, string, string][]> {
  const out: [string, string, string][] = [];
  for await (const e of readTar(chunked(buf, chunk), 'test.tar')) {
    const parts: Buffer[] = [];
    for await (const c of e.body) parts.push(c);
    out.push([e.type, e.name, Buffer.concat(parts).toString()]);
  }
  return out;
}

describe('tar', () => {
  const dir = tempDir('crictl-tar-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const long = `${'d'.repeat(120)}/${'f'.repeat(130)}`;

  test('reads GNU tar output (long names, directories, symlinks), in any chunking', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'd'.repeat(120)), { recursive: true });
    writeFileSync(join(root, long), 'long name\n');
    writeFileSync(join(root, 'a.txt'), 'x'.repeat(1000));
    execFileSync('ln', ['-s', 'a.txt', join(root, 'link')]);
    for (const format of ['gnu', 'pax', 'ustar']) {
      if (format === 'ustar') rmSync(join(root, 'd'.repeat(120)), { recursive: true });
      const tarPath = join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '--sort=name', '-C', root, '-cf', tarPath, '.']);
      for (const chunk of [1, 513, 65536]) {
        const got = await entries(readFileSync(tarPath), chunk);
        assert.deepEqual(
          got.find(([, n]) => n === 'a.txt'),
          ['0', 'a.txt', 'x'.repeat(1000)],
          format,
        );
        assert.ok(
          got.some(([t, n]) => t === '2' && n === 'link'),
          format,
        );
        if (format !== 'ustar')
          assert.deepEqual(
            got.find(([, n]) => n === long),
            ['0', long, 'long name\n'],
            format,
          );
      }
    }
  });

  test('what tarHeader writes, GNU tar reads (long names via pax)', () => {
    const body = Buffer.from('hello\n');
    const tarPath = join(dir, 'ours.tar');
    writeFileSync(
      tarPath,
      Buffer.concat([
        tarHeader('blobs', 0, '5'),
        tarHeader(`blobs/${long}`, body.length),
        body,
        tarPadding(body.length),
        TAR_END,
      ]),
    );
    assert.equal(execFileSync('tar', ['tf', tarPath], { encoding: 'utf8' }), `blobs/\nblobs/${long}\n`);
    assert.equal(execFileSync('tar', ['xOf', tarPath, `blobs/${long}`], { encoding: 'utf8' }), 'hello\n');
    // Over ustar's 8 GiB: the size goes in a pax record.
    assert.match(tarHeader('big', 9_000_000_000).toString('latin1'), /\d+ size=9000000000\n/);
  });

  test('bad input: truncated, not a tar, empty; hostile names are escaped', async () => {
    const body = Buffer.alloc(2000, 1);
    const good = Buffer.concat([tarHeader('x\u001b[2Jy', body.length), body, tarPadding(body.length), TAR_END]);
    await assert.rejects(entries(good.subarray(0, 1500)), {
      message: 'test.tar: truncated tar archive (x\\x1b[2Jy ends after 988 of 2000 bytes)',
    });
    await assert.rejects(entries(Buffer.from('hello world')), {
      message: 'test.tar: not a tar archive (only 11 bytes)',
    });
    await assert.rejects(entries(Buffer.alloc(1024, 65)), {
      message: 'test.tar: not a tar archive (bad header checksum at byte 0)',
    });
    await assert.rejects(entries(Buffer.alloc(0)), { message: 'test.tar: empty input, expected a tar archive' });
  });
});
