// docs/validate.md lists every check with its critest spec: the table there must be the one the
// code has. On a difference, UPDATE_DOCS=1 rewrites it from the code.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECKS } from '../../src/validate/checks.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'validate.md');
const BEGIN = '<!-- checks:begin (generated from src/validate/checks; test/unit/validate-docs.test.ts) -->';
const END = '<!-- checks:end -->';

function table(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = CHECKS.map(
    (c) =>
      `| \`${c.name}\` | ${(c.needs ?? []).join(', ') || '-'} | ${c.critest ? cell(c.critest) : '(none: crictl-ts only)'} |`,
  );
  return [BEGIN, '| check | needs | critest spec |', '| --- | --- | --- |', ...rows, END].join('\n');
}

test('docs/validate.md has the check table of the code', () => {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, `${DOC}: no ${BEGIN} ... ${END} section`);
  const current = doc.slice(start, end + END.length);
  if (process.env.UPDATE_DOCS) writeFileSync(DOC, doc.replace(current, table()));
  else
    assert.equal(
      current,
      table(),
      'the check table is out of date: run UPDATE_DOCS=1 node --import tsx --test test/unit/validate-docs.test.ts',
    );
});

test('check names are unique and every critest spec is matched by one check at most', () => {
  const names = CHECKS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  const specs = CHECKS.flatMap((c) => (c.critest ? [c.critest] : []));
  assert.equal(new Set(specs).size, specs.length);
  for (const c of CHECKS) assert.ok(c.name.startsWith(`${c.group}/`), c.name);
});
