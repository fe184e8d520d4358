// Lists past gRPC's 16 MiB message limit: the Stream* list rpcs, the List* fallback for runtimes
// without them (containerd 1.x, so e2e covers that path), against the fake CRI server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from '../../src/cri/client.js';
import { listContainers, listPodSandboxes } from '../../src/cri/lists.js';
import { fakeContainers, serveContainers, startFakeCri, type FakeCri } from '../fake-cri.js';
import { runCli } from './child.js';

/** Runs the CLI without blocking this process (the fake server lives here). */
const run = (endpoint: string, args: string[]) => runCli(['-r', endpoint, '-t', '120s', ...args]);

const N = 50_000;
const containers = fakeContainers(N);
/** Container i is i seconds newer than container 0: newest first is c-49999 down to c-0. */
const newestFirst = containers.map((c) => c.id as string).reverse();

describe('lists bigger than one gRPC message (50 000 containers)', () => {
  let streaming: FakeCri;
  let listOnly: FakeCri;
  before(async () => {
    streaming = await startFakeCri();
    serveContainers(streaming, containers);
    listOnly = await startFakeCri();
    serveContainers(listOnly, containers, { stream: false });
  });
  after(async () => {
    await streaming.close();
    await listOnly.close();
  });

  test('without Stream* rpcs the List reply is over the limit and fails with a clear error', async () => {
    const r = await run(listOnly.endpoint, ['ps', '-a', '-q']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ListContainers: .*RESOURCE_EXHAUSTED/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  });

  test('ps -a -q: every ID, newest first, from StreamContainers', async () => {
    streaming.calls.length = 0;
    const r = await run(streaming.endpoint, ['ps', '-a', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, newestFirst.map((id) => `${id}\n`).join(''));
    assert.deepEqual(streaming.calls, ['StreamContainers']);
  });

  test('ps -a: the table has every container, newest first', async () => {
    const r = await run(streaming.endpoint, ['ps', '-a']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, N + 1);
    assert.match(lines[0], /^CONTAINER\s+IMAGE\s+CREATED\s+STATE\s+NAME\s+ATTEMPT\s+POD ID\s+POD\s+NAMESPACE$/);
    assert.deepEqual(lines[1].split(/\s{2,}/), [
      newestFirst[0].slice(0, 13),
      (containers[0].imageRef as string).slice(7, 20),
      lines[1].split(/\s{2,}/)[2],
      'Running',
      `c-${N - 1}`,
      String((N - 1) % 3),
      (containers[N - 1].podSandboxId as string).slice(0, 13),
      `pod-${(N - 1) % 5000}`,
      `ns-${((N - 1) % 5000) % 5}`,
    ]);
    assert.match(lines[1], /years? ago/);
    assert.equal(lines.filter((l) => /\sExited\s/.test(l)).length, Math.floor(N / 7));
  });

  test('ps -a -o json: crictl JSON with every container, the same bytes as from one List reply', async () => {
    const r = await run(streaming.endpoint, ['ps', '-a', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const parsed = JSON.parse(r.stdout) as { containers: { id: string; createdAt: string }[] };
    assert.deepEqual(
      parsed.containers.map((c) => c.id),
      newestFirst,
    );
    assert.equal(parsed.containers[0].createdAt, '1700049999000000000');
    // The shape is the List path's: compare with a list small enough for one message.
    const small = await startFakeCri();
    const bothWays = await startFakeCri();
    try {
      serveContainers(small, containers.slice(0, 2000), { stream: false });
      serveContainers(bothWays, containers.slice(0, 2000));
      const [viaList, viaStream] = await Promise.all([
        run(small.endpoint, ['ps', '-a', '-o', 'json']),
        run(bothWays.endpoint, ['ps', '-a', '-o', 'json']),
      ]);
      assert.equal(viaList.code, 0, viaList.stderr);
      assert.equal(viaStream.stdout, viaList.stdout);
      assert.ok(r.stdout.endsWith(viaList.stdout.slice(viaList.stdout.lastIndexOf('    {\n      "id"'))));
      assert.deepEqual(small.calls, ['StreamContainers', 'ListContainers']);
      assert.deepEqual(bothWays.calls, ['StreamContainers']);
    } finally {
      await small.close();
      await bothWays.close();
    }
  });

  test('filters: state and labels go to the runtime, --name and --namespace are matched here', async () => {
    const exited = await run(streaming.endpoint, ['ps', '--state', 'exited', '-q']);
    assert.equal(exited.code, 0, exited.stderr);
    const expected = newestFirst.filter((_, k) => (N - 1 - k) % 7 === 6);
    assert.equal(exited.stdout, expected.map((id) => `${id}\n`).join(''));
    const named = await run(streaming.endpoint, [
      'ps',
      '-a',
      '--name',
      '^c-4999[0-9]$',
      '--namespace',
      'ns-[34]',
      '-q',
    ]);
    assert.equal(named.code, 0, named.stderr);
    // c-49990..c-49999 live in pods 4990..4999; their namespaces are ns-0..ns-4.
    const wanted = [49999, 49998, 49994, 49993].map((i) => `${containers[i].id}\n`);
    assert.equal(named.stdout, wanted.join(''));
    const labelled = await run(streaming.endpoint, ['ps', '-a', '--label', 'io.kubernetes.pod.name=pod-7', '-q']);
    assert.equal(labelled.stdout.trim().split('\n').length, N / 5000);
  });
});

test('a runtime without Stream* rpcs is asked once; List* serves the rest of the run', async () => {
  const fake = await startFakeCri();
  // A loaded machine must not turn into a deadline failure.
  const cri = connect(fake.endpoint, undefined, { timeoutMs: 60_000 });
  try {
    serveContainers(fake, fakeContainers(3), { stream: false });
    fake.on('ListPodSandbox', () => ({ items: [{ id: 'p1' }] }));
    assert.equal((await listContainers(cri.runtime)).length, 3);
    assert.equal((await listContainers(cri.runtime, { state: { state: 'CONTAINER_EXITED' } })).length, 0);
    assert.deepEqual(
      (await listPodSandboxes(cri.runtime)).map((p) => p.id),
      ['p1'],
    );
    assert.deepEqual(fake.calls, ['StreamContainers', 'ListContainers', 'ListContainers', 'ListPodSandbox']);
  } finally {
    cri.close();
    await fake.close();
  }
});

test('a Stream* rpc failing after its first page fails the list (no silent half list)', async () => {
  const fake = await startFakeCri();
  // A loaded machine must not turn into a deadline failure.
  const cri = connect(fake.endpoint, undefined, { timeoutMs: 60_000 });
  try {
    fake.onStream('StreamContainers', [{ containers: fakeContainers(2) }], { failAfter: 13 });
    await assert.rejects(listContainers(cri.runtime), /StreamContainers: .*INTERNAL/);
    assert.deepEqual(fake.calls, ['StreamContainers']);
  } finally {
    cri.close();
    await fake.close();
  }
});
