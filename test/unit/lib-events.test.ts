// cri.events(): the GetContainerEvents path and the switch to polling against the fake CRI
// server, and the polling diff on its own (the real containerd's fallback is in e2e/library).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { diffContainers } from '../../src/lib/events.js';
import { connect, GrpcCode, type Container, type ContainerEvent, type ContainerState } from '../../src/lib/index.js';
import { startFakeCri, type FakeCri } from '../fake-cri.js';

const container = (id: string, state: ContainerState, podSandboxId = 'pod1'): Container => ({
  id,
  podSandboxId,
  state,
  imageRef: '',
  imageId: '',
  createdAt: '0',
  labels: {},
  annotations: {},
});

const kinds = (events: ContainerEvent[]) => events.map((e) => `${e.type} ${e.containerId}`);

test('the polling diff: each step a container took between two polls, once, in order', () => {
  const t = new Date(5000);
  const before = new Map([
    ['created', container('created', 'CONTAINER_CREATED')],
    ['running', container('running', 'CONTAINER_RUNNING')],
    ['exited', container('exited', 'CONTAINER_EXITED')],
    ['gone-running', container('gone-running', 'CONTAINER_RUNNING')],
    ['gone-exited', container('gone-exited', 'CONTAINER_EXITED')],
    ['steady', container('steady', 'CONTAINER_RUNNING')],
  ]);
  const now = [
    container('created', 'CONTAINER_EXITED'), // started and stopped between polls
    container('running', 'CONTAINER_EXITED'),
    container('exited', 'CONTAINER_EXITED'),
    container('steady', 'CONTAINER_RUNNING'),
    container('new-created', 'CONTAINER_CREATED'),
    container('new-running', 'CONTAINER_RUNNING', 'pod2'),
    container('new-exited', 'CONTAINER_EXITED'),
  ];
  const { events, seen } = diffContainers(before, now, t);
  assert.deepEqual(kinds(events), [
    'STARTED created',
    'STOPPED created',
    'STOPPED running',
    'CREATED new-created',
    'CREATED new-running',
    'STARTED new-running',
    'CREATED new-exited',
    'STARTED new-exited',
    'STOPPED new-exited',
    'STOPPED gone-running',
    'DELETED gone-running',
    'DELETED gone-exited',
  ]);
  assert.ok(events.every((e) => e.polled && e.time === t));
  assert.equal(events.find((e) => e.containerId === 'new-running')?.podSandboxId, 'pod2');
  assert.deepEqual([...seen.keys()].sort(), now.map((c) => c.id).sort());
  // Nothing changed: nothing to say.
  assert.deepEqual(diffContainers(seen, now, t).events, []);
});

test('the polling diff: an UNKNOWN state repeats nothing; a new UNKNOWN container was CREATED', () => {
  const t = new Date();
  const running = new Map([['a', container('a', 'CONTAINER_RUNNING')]]);
  const flicker = diffContainers(
    running,
    [container('a', 'CONTAINER_UNKNOWN'), container('b', 'CONTAINER_UNKNOWN')],
    t,
  );
  assert.deepEqual(kinds(flicker.events), ['CREATED b']);
  const back = diffContainers(
    flicker.seen,
    [container('a', 'CONTAINER_RUNNING'), container('b', 'CONTAINER_RUNNING')],
    t,
  );
  assert.deepEqual(kinds(back.events), ['STARTED b']);
});

const fakes: FakeCri[] = [];
after(async () => {
  for (const f of fakes) await f.close();
});

test('GetContainerEvents: events come from the rpc, not polled; break cancels the stream', async () => {
  const fake = await startFakeCri();
  fakes.push(fake);
  fake.onStream(
    'GetContainerEvents',
    [
      {
        containerId: 'c1',
        containerEventType: 'CONTAINER_CREATED_EVENT',
        createdAt: '1700000000123456789',
        podSandboxStatus: { id: 'p1' },
      },
      { containerId: 'c1', containerEventType: 'CONTAINER_STARTED_EVENT', createdAt: '1700000001000000000' },
      { containerId: 'c1', containerEventType: 'CONTAINER_STOPPED_EVENT', createdAt: '1700000002000000000' },
    ],
    { hang: true },
  );
  const cri = connect(fake.endpoint);
  try {
    const seen: ContainerEvent[] = [];
    for await (const e of cri.events()) {
      seen.push(e);
      if (seen.length === 2) break; // the stream hangs open: only break ends this loop
    }
    assert.deepEqual(
      seen.map((e) => [e.type, e.containerId, e.podSandboxId, e.time.toISOString(), e.polled]),
      [
        ['CREATED', 'c1', 'p1', '2023-11-14T22:13:20.123Z', false],
        ['STARTED', 'c1', '', '2023-11-14T22:13:21.000Z', false],
      ],
    );
    assert.equal(seen[0].raw?.containerEventType, 'CONTAINER_CREATED_EVENT');
    assert.ok(!fake.calls.includes('ListContainers'), 'no polling while the rpc works');
  } finally {
    cri.close();
  }
});

test('UNIMPLEMENTED GetContainerEvents: falls back to polling ListContainers; abort ends it', async () => {
  const fake = await startFakeCri();
  fakes.push(fake);
  // As containerd 1.6 answers.
  fake.onStream('GetContainerEvents', [], { failAfter: GrpcCode.UNIMPLEMENTED });
  let containers: Container[] = [container('old', 'CONTAINER_RUNNING')];
  const cri = connect(fake.endpoint);
  const abort = new AbortController();
  try {
    const seen: ContainerEvent[] = [];
    const started = Date.now();
    let polls = 0;
    fake.on('ListContainers', () => {
      polls++;
      if (polls === 2) containers = [container('new', 'CONTAINER_RUNNING')];
      return { containers };
    });
    for await (const e of cri.events({ signal: abort.signal, pollIntervalMs: 50 })) {
      seen.push(e);
      if (seen.length === 4) abort.abort();
    }
    assert.deepEqual(kinds(seen), ['CREATED new', 'STARTED new', 'STOPPED old', 'DELETED old']);
    assert.ok(seen.every((e) => e.polled));
    assert.equal(fake.calls[0], 'GetContainerEvents');
    assert.ok(Date.now() - started < 10_000);
  } finally {
    cri.close();
  }
});
