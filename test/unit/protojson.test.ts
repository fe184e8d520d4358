import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFloat, goJsonString, messageToJson } from '../../src/output/protojson.js';

test('ListContainersResponse prints like crictl: camelCase, defaults, int64 strings, enum names', () => {
  const json = messageToJson('runtime.v1.ListContainersResponse', {
    containers: [
      {
        id: 'c1',
        podSandboxId: 'p1',
        metadata: { name: 'busybox', attempt: 0 },
        image: null,
        imageRef: 'sha256:abc',
        state: 'CONTAINER_RUNNING',
        createdAt: '1700000000000000000',
        labels: { b: '2', a: '1' },
        annotations: {},
      },
    ],
  });
  const parsed = JSON.parse(json);
  const c = parsed.containers[0];
  assert.equal(c.createdAt, '1700000000000000000');
  assert.equal(c.state, 'CONTAINER_RUNNING');
  assert.equal(c.image, null);
  assert.deepEqual(Object.keys(c.labels), ['a', 'b']);
  assert.deepEqual(c.annotations, {});
  // Declaration order, two-space indent, empty map inline.
  assert.match(json, /^\{\n {2}"containers": \[\n {4}\{\n {6}"id": "c1",\n {6}"podSandboxId": "p1",\n {6}"metadata": \{\n {8}"name": "busybox",\n {8}"attempt": 0\n {6}\},/);
  // jsonpb writes an empty map or list across two lines.
  assert.match(json, /"annotations": \{\n {6}\}/);
});

test('empties and escapes are byte-identical to crictl (Go jsonpb)', () => {
  assert.equal(messageToJson('runtime.v1.ListContainersResponse', { containers: [] }), '{\n  "containers": [\n  ]\n}');
  assert.equal(messageToJson('runtime.v1.StopPodSandboxResponse', {}), '{\n\n}');
  assert.equal(goJsonString('a"\\\n\b\u0001é'), '"a\\"\\\\\\n\\u0008\\u0001é"');
  assert.equal(formatFloat(1e21), '1e+21');
  assert.equal(formatFloat(0.5), '0.5');
  const json = messageToJson('runtime.v1.VersionResponse', { version: '<a&b>', runtimeName: '', runtimeVersion: '', runtimeApiVersion: '' });
  assert.match(json, /"version": "\\u003ca\\u0026b\\u003e"/);
});
