import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMessage, parseSpecText } from '../../src/spec/load.js';

const POD = 'runtime.v1.PodSandboxConfig';

test('snake_case and lowerCamelCase fields both load, as camelCase', () => {
  const snake = checkMessage(POD, { metadata: { name: 'a', attempt: 1 }, log_directory: '/tmp', linux: { cgroup_parent: '/x' } }, 'p.json');
  const camel = checkMessage(POD, { metadata: { name: 'a', attempt: 1 }, logDirectory: '/tmp', linux: { cgroupParent: '/x' } }, 'p.json');
  assert.deepEqual(snake, camel);
  assert.deepEqual(snake, { metadata: { name: 'a', attempt: 1 }, logDirectory: '/tmp', linux: { cgroupParent: '/x' } });
});

test('unknown fields name the path and suggest the right one', () => {
  assert.throws(() => checkMessage(POD, { linux: { security_contxt: {} } }, 'pod-config.json'), {
    message: 'pod-config.json: linux.security_contxt: unknown field (did you mean security_context?)',
  });
  assert.throws(() => checkMessage(POD, { metadata: { nmae: 'x' } }, 'p.yaml'), { message: 'p.yaml: metadata.nmae: unknown field (did you mean name?)' });
});

test('wrong types are errors, with the offending value', () => {
  assert.throws(() => checkMessage(POD, { metadata: { attempt: '1' } }, 'p.json'), { message: 'p.json: metadata.attempt: expected a non-negative integer, got "1"' });
  assert.throws(() => checkMessage(POD, { labels: ['a'] }, 'p.json'), { message: 'p.json: labels: expected an object of key: value, got a list' });
  assert.throws(() => checkMessage(POD, { port_mappings: [{ protocol: 'HTTP' }] }, 'p.json'), /port_mappings\[0\]\.protocol: expected one of TCP, UDP, SCTP, got "HTTP"/);
  assert.throws(() => checkMessage(POD, 'x', 'p.json'), { message: 'p.json: (top level): expected an object, got "x"' });
});

test('JSON and YAML errors carry positions', async () => {
  await assert.rejects(parseSpecText('{"metadata": {', 'p.json'), /p\.json: invalid JSON: line 1 column 15: /);
  await assert.rejects(parseSpecText('metadata:\n  name: [\n', 'p.yaml'), /p\.yaml:\d+:\d+: invalid YAML: Flow sequence/);
  await assert.rejects(parseSpecText('  \n', 'p.yaml'), { message: 'p.yaml: file is empty; expected a JSON or YAML object' });
  assert.deepEqual(await parseSpecText('metadata:\n  name: x\n', 'p.conf'), { metadata: { name: 'x' } });
});

test('cgroup_parent is checked against the runtime\'s cgroup driver', async () => {
  const { cgroupParentWarning } = await import('../../src/spec/cgroup.js');
  assert.equal(cgroupParentWarning('p.json', '/kubepods/pod1', 'cgroupfs'), undefined);
  assert.equal(cgroupParentWarning('p.json', 'kubepods-pod1.slice', 'systemd'), undefined);
  assert.match(cgroupParentWarning('p.json', '/kubepods/pod1', 'systemd') ?? '', /^WARN: p\.json: linux\.cgroup_parent "\/kubepods\/pod1" is a cgroupfs path, but the runtime uses the systemd cgroup driver/);
  assert.match(cgroupParentWarning('p.json', 'kubepods.slice', 'cgroupfs') ?? '', /is a systemd slice, but the runtime uses the cgroupfs driver/);
  assert.equal(cgroupParentWarning('p.json', undefined, 'systemd'), undefined);
});
