import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indentJson } from '../../src/output/json-indent.js';

test('indents like Go json.Indent, keeping numbers and key order exactly', () => {
  const text = '{"b":1,"a":[1,2],"big":9223372036854775807,"e":{},"l":[],"s":"x, {y}: \\"z\\""}';
  assert.equal(
    indentJson(text),
    '{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ],\n  "big": 9223372036854775807,\n  "e": {},\n  "l": [],\n  "s": "x, {y}: \\"z\\""\n}',
  );
});

test('re-indenting indented JSON is stable', () => {
  const once = indentJson('{"a":{"b":[{"c":null}]}}');
  assert.equal(indentJson(once), once);
});

test('malformed input throws', () => {
  assert.throws(() => indentJson('{"a":'), /unbalanced/);
  assert.throws(() => indentJson('{"a'), /unterminated/);
});
