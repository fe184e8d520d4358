import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable } from '../../src/output/table.js';

test('columns pad to max(width + 3, 20) like crictl tabwriter; last column unpadded', () => {
  const out = formatTable([
    ['POD ID', 'CREATED', 'NAME'],
    ['abc', '2 minutes ago', 'a-very-long-pod-name-here'],
  ]);
  assert.equal(
    out,
    'POD ID              CREATED             NAME\nabc                 2 minutes ago       a-very-long-pod-name-here\n',
  );
});

test('a wide cell widens its column for every row', () => {
  const out = formatTable([
    ['A', 'B'],
    ['x'.repeat(25), 'y'],
  ]);
  const lines = out.split('\n');
  assert.equal(lines[0], `A${' '.repeat(27)}B`);
  assert.equal(lines[1], `${'x'.repeat(25)}   y`);
});

test('width counts code points, not UTF-16 units', () => {
  const out = formatTable([['😀', 'z']]);
  assert.equal(out, `😀${' '.repeat(19)}z\n`);
});
