// `crictl __complete`: what it offers for names the runtime reports (in-process, fake clients).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { complete } from '../../src/cli/complete.js';
import type { CriClients } from '../../src/cri/client.js';

async function completeWith(words: string[], names: string[]): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  const containers = names.map((name, i) => ({
    id: `${String(i).padStart(2, '0')}${'a'.repeat(62)}`,
    metadata: { name },
  }));
  const clients = {
    runtime: { listContainers: async () => ({ containers }) },
    close: () => undefined,
  } as unknown as CriClients;
  await complete(words, { stdout, env: {}, connect: async () => clients });
  return text;
}

test('runtime names with control characters are not offered; descriptions are one plain line', async () => {
  const out = await completeWith(['stop', ''], ['web', 'evil\x1b]0;owned\x07', 'two\nlines']);
  assert.equal(
    out,
    [
      `00${'a'.repeat(62)}\tweb`,
      'web\t00aaaaaaaaaaa',
      `01${'a'.repeat(62)}\tevil ]0;owned `,
      `02${'a'.repeat(62)}\ttwo lines`,
      '',
    ].join('\n'),
  );
});

test('a runtime that never answers: nothing, after the short wait', async () => {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  const clients = {
    runtime: { listContainers: () => new Promise(() => undefined) },
    close: () => undefined,
  } as unknown as CriClients;
  const started = Date.now();
  await complete(['logs', ''], { stdout, env: {}, connect: async () => clients });
  assert.equal(text, '');
  assert.ok(Date.now() - started < 5000);
});

test('a runtime with StreamContainers is asked with it, page by page (a List reply may be too big)', async () => {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  const page = (name: string, i: number) => ({ containers: [{ id: `${i}${'b'.repeat(63)}`, metadata: { name } }] });
  const clients = {
    runtime: {
      listContainers: async () => {
        throw new Error('ListContainers: message larger than max');
      },
      streamContainers: () =>
        (async function* () {
          yield page('first', 1);
          yield page('second', 2);
        })(),
    },
    close: () => undefined,
  } as unknown as CriClients;
  await complete(['logs', ''], { stdout, env: {}, connect: async () => clients });
  assert.equal(
    text,
    [
      `1${'b'.repeat(63)}\tfirst`,
      'first\t1bbbbbbbbbbbb',
      `2${'b'.repeat(63)}\tsecond`,
      'second\t2bbbbbbbbbbbb',
      '',
    ].join('\n'),
  );
});
