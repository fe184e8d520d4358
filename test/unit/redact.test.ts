import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact, redactStreamingUrl, secretFields } from '../../src/cri/redact.js';

test('the schema marks exactly the credential fields secret', () => {
  assert.deepEqual([...secretFields()].sort(), ['auth', 'identityToken', 'password', 'registryToken']);
});

test('secrets are masked at any depth; other fields and empty secrets stay', () => {
  const req = {
    image: { image: 'r/x' },
    auth: { username: 'u', password: 'hunter2', auth: 'dTpodW50ZXIy', registryToken: '', identityToken: 'tok' },
  };
  const text = JSON.stringify(redact(req));
  assert.ok(!text.includes('hunter2') && !text.includes('dTpodW50ZXIy') && !text.includes('tok"'));
  assert.deepEqual(redact(req), {
    image: { image: 'r/x' },
    auth: { username: 'u', password: '<redacted>', auth: '<redacted>', registryToken: '', identityToken: '<redacted>' },
  });
});

test('streaming URLs (Exec/Attach/PortForward responses) lose their one-time token', () => {
  assert.deepEqual(redact({ url: 'http://127.0.0.1:35453/exec/AbC-dEf_123' }), {
    url: 'http://127.0.0.1:35453/exec/…',
  });
  assert.equal(redactStreamingUrl('https://[::1]:10010/portforward/tok?x=1'), 'https://[::1]:10010/portforward/…');
  // Not a URL: still nothing after the last slash survives.
  assert.equal(redactStreamingUrl('::bad::/attach/secret'), '::bad::/attach/…');
  assert.equal(redactStreamingUrl('secret'), '…');
});
