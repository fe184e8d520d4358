import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact, secretFields } from '../../src/cri/redact.js';

test('the schema marks exactly the credential fields secret', () => {
  assert.deepEqual([...secretFields()].sort(), ['auth', 'identityToken', 'password', 'registryToken']);
});

test('secrets are masked at any depth; other fields and empty secrets stay', () => {
  const req = { image: { image: 'r/x' }, auth: { username: 'u', password: 'hunter2', auth: 'dTpodW50ZXIy', registryToken: '', identityToken: 'tok' } };
  const text = JSON.stringify(redact(req));
  assert.ok(!text.includes('hunter2') && !text.includes('dTpodW50ZXIy') && !text.includes('tok"'));
  assert.deepEqual(redact(req), { image: { image: 'r/x' }, auth: { username: 'u', password: '<redacted>', auth: '<redacted>', registryToken: '', identityToken: '<redacted>' } });
});
