// The built library must leave other code in the process alone: protobufjs is external to
// dist/lib/index.js, so a patched prototype there would change protobufjs for its importer too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { fakeContainers, serveContainers, startFakeCri } from '../fake-cri.js';

const CHILD = `
import protobuf from 'protobufjs';
const protos = {
  'Long.prototype': protobuf.util.Long.prototype,
  'Reader.prototype': protobuf.Reader.prototype,
  'BufferReader.prototype': protobuf.BufferReader.prototype,
  'Writer.prototype': protobuf.Writer.prototype,
  'BufferWriter.prototype': protobuf.BufferWriter.prototype,
  'Type.prototype': protobuf.Type.prototype,
  'Buffer.prototype': Buffer.prototype,
  'String.prototype': String.prototype,
  'Object.prototype': Object.prototype,
};
const snapshot = () =>
  Object.fromEntries(Object.entries(protos).map(([k, p]) => [k, Object.getOwnPropertyNames(p).map((n) => [n, Object.getOwnPropertyDescriptor(p, n).value])]));
const before = snapshot();
const { connect } = await import(process.argv[1]);
const cri = connect(process.argv[2], undefined, { timeoutMs: 60000 });
const { containers } = await cri.runtime.listContainers({});
cri.close();
const after = snapshot();
const changed = [];
for (const [k, props] of Object.entries(before)) {
  const now = new Map(after[k]);
  for (const [n, v] of props) if (now.get(n) !== v) changed.push(k + '.' + n);
  if (after[k].length !== props.length) changed.push(k + ' (properties added)');
}
console.log(JSON.stringify({ changed, listed: containers.length, createdAt: containers[0].createdAt }));
`;

test('importing and using the built library patches no prototype of protobufjs (or of Node)', async () => {
  const fake = await startFakeCri();
  try {
    serveContainers(fake, fakeContainers(3));
    const lib = new URL('../../dist/lib/index.js', import.meta.url).pathname;
    // Asynchronously: the fake server answers from this process.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', CHILD, lib, fake.endpoint],
      { cwd: new URL('../..', import.meta.url).pathname },
    );
    assert.deepEqual(JSON.parse(stdout), { changed: [], listed: 3, createdAt: '1700000000000000000' });
  } finally {
    await fake.close();
  }
});
