// Go's own text/template is the reference: test/go-template/golden.go renders every case of
// corpus.json as crictl does, its output is committed as golden.json, and here crictl-ts's engine
// must produce the same bytes, or the same error text, for each case.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderJsonText } from '../../src/output/render.js';

const dir = join(import.meta.dirname, '../go-template');
interface Corpus {
  data: string;
  cases: { template: string; data?: string }[];
}
interface Golden {
  output?: string;
  error?: string;
}
const corpusText = readFileSync(join(dir, 'corpus.json'), 'utf8');
const corpus = JSON.parse(corpusText) as Corpus;
const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden[];

/** What crictl-ts prints for a case, or its error message. */
async function render(template: string, data: string): Promise<Golden> {
  try {
    return { output: await renderJsonText(data, 'go-template', template) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('go-template against Go text/template (golden corpus)', () => {
  it('has one golden result per case', () => {
    assert.equal(golden.length, corpus.cases.length);
  });

  corpus.cases.forEach((c, i) => {
    it(`case ${i}: ${JSON.stringify(c.template).slice(0, 70)}`, async () => {
      assert.deepEqual(await render(c.template, c.data ?? corpus.data), golden[i]);
    });
  });

  // The committed results must be what Go prints today: regenerate them where Go is installed.
  const gopath = '/usr/share/gocode';
  const haveGo = spawnSync('go', ['version']).status === 0 && existsSync(join(gopath, 'src/golang.org/x/text/cases'));
  it('golden.json is what Go renders for corpus.json', {
    skip: haveGo ? false : 'needs go and golang-golang-x-text-dev',
  }, () => {
    const r = spawnSync('go', ['run', join(dir, 'golden.go')], {
      input: corpusText,
      encoding: 'utf8',
      env: { ...process.env, GO111MODULE: 'off', GOPATH: gopath },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(dir, 'golden.json'), 'utf8'));
  });
});
