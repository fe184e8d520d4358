// validate's probing against the fake CRI server: what a runtime reports (or does not implement)
// becomes skip reasons, and real checks turn an UNIMPLEMENTED rpc into a skip that says so.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, type Cri } from '../../src/lib/index.js';
import { CHECKS } from '../../src/validate/checks.js';
import { handlerProblem, probeRuntime } from '../../src/validate/probe.js';
import { runChecks } from '../../src/validate/runner.js';
import type { Check } from '../../src/validate/types.js';
import { type FakeCri, startFakeCri } from '../fake-cri.js';
import { tempDir } from '../tmp.js';

const VERSION = { version: '0.1.0', runtimeName: 'fakerun', runtimeVersion: '9.9', runtimeApiVersion: 'v1' };
const READY = {
  conditions: [
    { type: 'RuntimeReady', status: true },
    { type: 'NetworkReady', status: true },
  ],
};

let fake: FakeCri;
let cri: Cri;
before(async () => {
  fake = await startFakeCri();
  cri = connect(fake.endpoint);
});
after(async () => {
  cri.close();
  await fake.close();
});

const opts = { images: { test: 'busybox:1', pull: undefined }, runtimeHandler: '', local: true };

describe('probeRuntime', () => {
  test('an image missing, nothing to pull: each unmet need says why', async () => {
    fake.on('Version', () => VERSION);
    fake.on('Status', () => ({ status: READY, info: {} }));
    fake.on('ImageStatus', () => ({}));
    const probe = await probeRuntime(cri, opts);
    assert.equal(probe.runtimeName, 'fakerun');
    assert.match(probe.unmet.testImage ?? '', /test image busybox:1 is not on the node .*--images-from/);
    assert.match(probe.unmet.pullImage ?? '', /--registry HOST:PORT or --pull-image REF/);
    assert.equal(probe.unmet.hostFiles, undefined);
  });

  test('RuntimeConfig answered UNIMPLEMENTED: the cgroup driver comes from the verbose info', async () => {
    fake.on('Status', () => ({
      status: READY,
      info: { config: JSON.stringify({ containerd: { runtimes: { runc: { options: { SystemdCgroup: true } } } } }) },
      runtimeHandlers: [{ name: '' }, { name: 'kata', features: { userNamespaces: true } }],
    }));
    fake.on('ImageStatus', () => ({ image: { id: 'sha256:1', repoTags: ['busybox:1'] } }));
    const probe = await probeRuntime(cri, {
      ...opts,
      runtimeHandler: 'kata',
      images: { test: 'busybox:1', pull: 'busybox:1' },
    });
    assert.ok(fake.calls.includes('RuntimeConfig'));
    assert.equal(probe.cgroupDriver, 'systemd');
    assert.deepEqual(probe.handlers, ['', 'kata']);
    assert.equal(probe.userNamespaces, true);
    assert.equal(probe.unmet.testImage, undefined);
    assert.match(probe.unmet.pullImage ?? '', /is the test image/);
    assert.equal(handlerProblem(probe), undefined);
    assert.equal(
      handlerProblem({ ...probe, runtimeHandler: 'gvisor' }),
      'runtime handler "gvisor" is not one the runtime reports (, kata)',
    );
  });
});

describe('checks on a runtime that implements little', () => {
  test('an rpc answered UNIMPLEMENTED skips the check with the rpc named; a runtime that lists no handlers skips that check', async () => {
    fake.on('Status', () => ({ status: READY, info: {} }));
    fake.on('ImageStatus', () => ({}));
    const probe = await probeRuntime(cri, opts);
    const wanted = ['image/remove-idempotent', 'runtime/handlers', 'runtime/conditions', 'pod/run'];
    const checks = CHECKS.filter((c) => wanted.includes(c.name));
    const { results } = await runChecks(checks, {
      cri,
      probe,
      runId: 'probe-test',
      parallel: 2,
      flakeAttempts: 1,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
    });
    const byName = Object.fromEntries(results.map((r) => [r.name, [r.status, r.reason]]));
    assert.deepEqual(byName, {
      'runtime/conditions': ['passed', undefined],
      'runtime/handlers': ['skipped', 'Status reports no runtime handlers (an older CRI)'],
      'image/remove-idempotent': ['skipped', 'the runtime answers UNIMPLEMENTED to RemoveImage'],
      'pod/run': ['skipped', 'the runtime answers UNIMPLEMENTED to RunPodSandbox'],
    });
  });

  test('a runtime that is not ready fails the conditions check with its reason', async () => {
    fake.on('Status', () => ({
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true },
          { type: 'NetworkReady', status: false, reason: 'NoCNI', message: 'cni config uninitialized' },
        ],
      },
      info: {},
    }));
    const probe = await probeRuntime(cri, opts);
    const { results } = await runChecks(
      CHECKS.filter((c) => c.name === 'runtime/conditions'),
      {
        cri,
        probe,
        runId: 'probe-test',
        parallel: 1,
        flakeAttempts: 1,
        timeoutMs: 10_000,
        signal: new AbortController().signal,
      },
    );
    assert.equal(results[0].status, 'failed');
    assert.equal(results[0].reason, 'Status: NetworkReady is false: NoCNI cni config uninitialized');
  });
});

describe("failures show the runtime's side", () => {
  test("a failed check's containers: state, exit code, reason and the last log lines", async () => {
    const log = join(tempDir('validate-log-'), 'c.log');
    writeFileSync(log, Array.from({ length: 8 }, (_, i) => `2026-12-02T00:00:0${i}Z stdout F line ${i}`).join('\n'));
    fake.on('ContainerStatus', () => ({
      status: {
        id: 'c0ffee0123456789',
        metadata: { name: 'web' },
        state: 'CONTAINER_EXITED',
        exitCode: 127,
        reason: 'Error',
        message: 'httpd: not found',
        logPath: log,
      },
      info: {},
    }));
    fake.on('Status', () => ({ status: READY, info: {} }));
    fake.on('ImageStatus', () => ({}));
    const probe = await probeRuntime(cri, opts);
    const failing: Check = {
      name: 'g/fails',
      group: 'g',
      critest: null,
      async run(t) {
        t.noteContainer('c0ffee0123456789');
        throw new Error('no page');
      },
    };
    const { results } = await runChecks([failing], {
      cri,
      probe,
      runId: 'probe-test',
      parallel: 1,
      flakeAttempts: 1,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(results[0].logs, [
      'container web c0ffee0123456: CONTAINER_EXITED, exit code 127, Error: httpd: not found',
      ...[3, 4, 5, 6, 7].map((i) => `  log: 2026-12-02T00:00:0${i}Z stdout F line ${i}`),
    ]);
  });
});
