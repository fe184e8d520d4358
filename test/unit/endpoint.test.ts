import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEndpoint } from '../../src/cri/endpoint.js';

test('unix endpoints in every spelling crictl accepts', () => {
  assert.equal(
    parseEndpoint('unix:///run/containerd/containerd.sock').target,
    'unix:///run/containerd/containerd.sock',
  );
  assert.equal(parseEndpoint('/run/crio/crio.sock').target, 'unix:///run/crio/crio.sock');
  assert.equal(parseEndpoint('unix:/run/x.sock').socketPath, '/run/x.sock');
  assert.equal(parseEndpoint('relative.sock').target, 'unix:relative.sock');
});

test('npipe and tcp endpoints are rejected with a reason', () => {
  assert.throws(
    () => parseEndpoint('npipe:////./pipe/containerd-containerd'),
    /npipe:\/\/ endpoints are Windows named pipes/,
  );
  assert.throws(() => parseEndpoint('tcp://127.0.0.1:1234'), /only unix socket endpoints are supported/);
  assert.throws(() => parseEndpoint(''), /endpoint is empty/);
  assert.throws(() => parseEndpoint('unix://'), /no socket path/);
});
