// Faults a real runtime cannot be made to show on demand, against the fake CRI server: slow
// calls and --timeout, wrong endpoints, surprising replies, broken streams, secrets in --debug.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import { CLI } from '../e2e/harness.js';
import { runCli, startCli } from './child.js';
import { NO_CONFIG, tempDir } from '../tmp.js';

const run = runCli;

const VERSION = { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const oneLine = (s: string) => s.split('\n').filter(Boolean).length === 1;

describe('faults', () => {
  let fake: FakeCri;
  before(async () => {
    fake = await startFakeCri();
  });
  after(async () => {
    await fake.close();
  });

  test('a slow runtime: --timeout is honoured within 10% and the message names the call', async () => {
    fake.on('Version', () => VERSION);
    const fast = await run(['-r', fake.endpoint, 'version']);
    assert.equal(fast.code, 0, fast.stderr);
    // Measured from the fake server's receipt of the request, so start-up time on a loaded machine
    // does not count; the CLI's exit after the deadline is given room.
    let receivedAt = 0;
    fake.on('Version', async () => {
      receivedAt = Date.now();
      await sleep(5000);
      return VERSION;
    });
    const slow = await run(['-r', fake.endpoint, '-t', '2s', 'version']);
    assert.equal(slow.code, 1);
    assert.equal(
      slow.stderr,
      `crictl: Version: deadline exceeded after 2s talking to ${fake.endpoint} (raise --timeout?)\n`,
    );
    const waited = slow.endedAt - receivedAt;
    assert.ok(waited >= 1800 && waited <= 2600, `waited ${waited} ms after the request arrived for a 2 s timeout`);
  });

  test('--timeout 0 waits as long as it takes', async () => {
    fake.on('Version', async () => {
      await sleep(2500);
      return VERSION;
    });
    const r = await run(['-r', fake.endpoint, '-t', '0', 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RuntimeName: {2}fake/);
  });

  test('endpoints that are not a CRI socket fail in one line, within the timeout', async () => {
    const dir = tempDir('crictl-faults-');
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    // connect() to a plain file says ECONNREFUSED, as a restarting runtime's socket does: no retries here.
    const notSock = await run(['-r', `unix://${file}`, '--max-retries', '0', 'version']);
    assert.equal(notSock.code, 1);
    assert.ok(oneLine(notSock.stderr), notSock.stderr);
    assert.match(notSock.stderr, new RegExp(`^crictl: connect unix://${file}: `));
    assert.ok(notSock.ms < 2000 + 1500);

    // Something that accepts connections but speaks HTTP/1.1, not gRPC.
    const http = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    const httpSock = join(dir, 'http.sock');
    await new Promise<void>((r) => http.listen(httpSock, r));
    const notGrpc = await run(['-r', `unix://${httpSock}`, '-t', '2s', 'version']);
    http.close();
    assert.equal(notGrpc.code, 1);
    assert.ok(oneLine(notGrpc.stderr), notGrpc.stderr);
    assert.match(
      notGrpc.stderr,
      /^crictl: (connect unix:\/\/.*: the endpoint does not speak gRPC|Version: deadline exceeded)/,
    );
    assert.ok(notGrpc.ms < 2000 + 1500);

    const npipe = await run(['-r', 'npipe:////./pipe/containerd-containerd', 'version']);
    assert.equal(
      npipe.stderr,
      'crictl: endpoint npipe:////./pipe/containerd-containerd: npipe:// endpoints are Windows named pipes and do not exist on this platform; use unix:///path/to/socket\n',
    );
  });

  test('permission denied for an unprivileged user', {
    skip: process.getuid?.() !== 0 && 'needs root to switch user',
  }, () => {
    const dir = tempDir('crictl-perm-');
    chmodSync(dir, 0o700);
    const sockDir = join(dir, 'run');
    const r0 = spawnSync('mkdir', ['-p', sockDir]);
    assert.equal(r0.status, 0);
    // The fake's own socket, reached through a root-only directory.
    spawnSync('ln', ['-s', fake.socket, join(sockDir, 'cri.sock')]);
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', CLI, '-r', `unix://${join(sockDir, 'cri.sock')}`, 'version'],
      {
        encoding: 'utf8',
        env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `crictl: connect unix://${join(sockDir, 'cri.sock')}: permission denied (are you root?)\n`);
  });

  test('unknown enum values and missing fields print sensibly', async () => {
    fake.on('ListContainers', () => ({
      containers: [
        { id: 'a'.repeat(64), podSandboxId: 'b'.repeat(64), state: 99, createdAt: '0' },
        { id: 'c'.repeat(64) },
      ],
    }));
    fake.on('ListPodSandbox', () => ({ items: [] }));
    const table = await run(['-r', fake.endpoint, 'ps', '-a']);
    assert.equal(table.code, 0, table.stderr);
    const rows = table.stdout.split('\n').filter(Boolean);
    assert.equal(rows.length, 3);
    assert.match(rows[1], /^aaaaaaaaaaaaa\s+\S*\s*\d+ years ago\s+Unknown\s+0\s+bbbbbbbbbbbbb\s+unknown\s+unknown$/);
    const json = JSON.parse((await run(['-r', fake.endpoint, 'ps', '-a', '-o', 'json'])).stdout);
    assert.equal(json.containers[0].state, 99);
    assert.equal('metadata' in json.containers[0], false, 'crictl master (protojson) leaves an unset message out');
    assert.equal(json.containers[1].state, 'CONTAINER_CREATED');
  });

  test('large replies up to 16 MiB are read; larger ones fail in one line', async () => {
    const label = 'x'.repeat(1000);
    const many = (n: number) => ({
      containers: Array.from({ length: n }, (_, i) => ({
        id: String(i).padStart(64, '0'),
        labels: { l: label },
        state: 1,
        createdAt: '1',
      })),
    });
    fake.on('ListContainers', () => many(12_000)); // ~12.5 MB
    // A generous deadline: this is about size, and a loaded machine encodes 12 MB slowly.
    const ok = await run(['-r', fake.endpoint, '-t', '60s', 'ps', '-q']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.split('\n').filter(Boolean).length, 12_000);
    fake.on('ListContainers', () => many(20_000)); // ~21 MB
    const big = await run(['-r', fake.endpoint, '-t', '60s', 'ps', '-q']);
    assert.equal(big.code, 1);
    assert.ok(oneLine(big.stderr), big.stderr);
    assert.match(big.stderr, /^crictl: ListContainers: RESOURCE_EXHAUSTED: /);
  });

  test('an event stream that dies mid-way ends with one line and exit 1', async () => {
    fake.onStream(
      'GetContainerEvents',
      [{ containerId: 'x', containerEventType: 'CONTAINER_STARTED_EVENT', createdAt: '1' }],
      { failAfter: 14 },
    );
    const r = await run(['-r', fake.endpoint, 'events']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /"containerEventType": "CONTAINER_STARTED_EVENT"/);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /^crictl: GetContainerEvents: UNAVAILABLE: runtime went away\n$/);
  });

  test('SIGINT ends a hanging event stream promptly, exiting 130', async () => {
    fake.onStream('GetContainerEvents', [], { hang: true });
    fake.calls.length = 0;
    const { child, done } = startCli(['-r', fake.endpoint, 'events']);
    // Once the stream is open (start-up on a loaded machine is not what is measured).
    while (!fake.calls.includes('GetContainerEvents')) await sleep(20);
    const interruptedAt = Date.now();
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.ok(r.endedAt - interruptedAt < 2500, `took ${r.endedAt - interruptedAt} ms`);
  });

  test('--debug never shows credentials', async () => {
    fake.on('PullImage', () => ({ imageRef: 'sha256:abc' }));
    const secret = 'S3cr3t-Passw0rd';
    const r = await run(['-r', fake.endpoint, '-D', 'pull', '--creds', `admin:${secret}`, 'registry.example/app:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /request PullImage: .*"password":"<redacted>"/);
    const b64 = Buffer.from(`admin:${secret}`).toString('base64');
    const r2 = await run(['-r', fake.endpoint, '--debug', 'pull', '--auth', b64, 'registry.example/app:1']);
    for (const out of [r.stdout + r.stderr, r2.stdout + r2.stderr]) {
      assert.ok(!out.includes(secret) && !out.includes(b64), out);
    }
  });
});

describe('bulk operations against injected failures', () => {
  let fake: FakeCri;
  const ids = Array.from({ length: 20 }, (_, i) => String(i).padStart(64, 'c'));
  before(async () => {
    fake = await startFakeCri();
    fake.on('ListContainers', () => ({
      containers: ids.map((id) => ({ id, state: 'CONTAINER_EXITED', createdAt: '1' })),
    }));
    // rm reads each container's log path (to remove its logs) before removing it.
    fake.on('ContainerStatus', (req) => ({ status: { id: req.containerId, logPath: '' } }));
  });
  after(async () => {
    await fake.close();
  });

  test('rm -a removes all others, lists each failure, exits 1', async () => {
    const bad = new Set([ids[3], ids[11]]);
    const removed: string[] = [];
    fake.on('RemoveContainer', (req) => {
      if (bad.has(String(req.containerId))) throw Object.assign(new Error('device or resource busy'), { code: 13 });
      removed.push(String(req.containerId));
      return {};
    });
    const r = await run(['-r', fake.endpoint, 'rm', '-a']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), ids.filter((id) => !bad.has(id)).sort());
    assert.deepEqual(removed.sort(), ids.filter((id) => !bad.has(id)).sort());
    const errors = r.stderr.split('\n').filter(Boolean).sort();
    assert.deepEqual(
      errors,
      [...bad]
        .sort()
        .map((id) => `crictl: removing container ${id}: RemoveContainer: INTERNAL: device or resource busy`),
    );
  });

  test('SIGINT stops new work, finishes calls in flight, and reports how far it got', async () => {
    let started = 0;
    fake.on('RemoveContainer', async () => {
      started++;
      await sleep(1000);
      return {};
    });
    const { child, done } = startCli(['-r', fake.endpoint, 'rm', '-a']);
    // Interrupt once the first batch (8 at a time) is in flight.
    while (started < 8) await sleep(20);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130);
    const removed = r.stdout.split('\n').filter(Boolean).length;
    assert.equal(removed, started, 'every call started was finished and reported');
    assert.equal(removed, 8);
    assert.equal(r.stderr, 'crictl: interrupted: 8 done, 0 failed, 12 not attempted of 20\n');
  });
});
