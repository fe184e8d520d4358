// doctor's verdicts on canned facts: each check's OK / WARN / FAIL / SKIP, the exit code and the
// report formats. The e2e test breaks a real containerd; these pin the edges.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Container, ContainerStatus, PodSandbox, StatusResponse } from '../../src/cri/generated/types.js';
import {
  checkCgroups,
  checkCni,
  checkEndpoint,
  checkImageFs,
  checkRuntime,
  checkSandboxImage,
  checkWorkloads,
  type EndpointFacts,
  type HostFacts,
  type RuntimeFacts,
} from '../../src/doctor/checks.js';
import { exitCode, reportJson, reportTable } from '../../src/doctor/report.js';

const MS = 1_000_000n;
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const nanos = (ms: number) => String(BigInt(ms) * MS);

function endpoint(extra: Partial<EndpointFacts> = {}): EndpointFacts {
  return {
    endpoint: 'unix:///run/containerd/containerd.sock',
    source: 'configured',
    configPath: '/etc/crictl.yaml',
    configExists: true,
    configWarnings: [],
    version: { ok: true, ms: 3, runtimeName: 'containerd', runtimeVersion: '1.7.0', runtimeApiVersion: 'v1' },
    defaults: [{ endpoint: 'unix:///run/containerd/containerd.sock', state: 'answers' }],
    ...extra,
  };
}

function status(runtimeReady: boolean, networkReady: boolean, reason = ''): StatusResponse {
  return {
    status: {
      conditions: [
        { type: 'RuntimeReady', status: runtimeReady, reason: '', message: '' },
        { type: 'NetworkReady', status: networkReady, reason, message: networkReady ? '' : 'cni config uninitialized' },
      ],
    },
    info: {},
    runtimeHandlers: [{ name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: false } }],
    features: null,
  };
}

function runtime(extra: Partial<RuntimeFacts> = {}): RuntimeFacts {
  return {
    status: status(true, true),
    config: undefined,
    cgroupDriver: 'systemd',
    cniConfDir: '/etc/cni/net.d',
    cniBinDirs: ['/opt/cni/bin'],
    sandboxImage: 'registry.k8s.io/pause:3.10',
    sandboxImagePresent: true,
    imageFs: [
      {
        timestamp: '0',
        fsId: { mountpoint: '/var/lib/containerd' },
        usedBytes: { value: '1000' },
        inodesUsed: { value: '10' },
      },
    ],
    pods: [],
    containers: [],
    podCgroupParents: new Map(),
    exited: [],
    errors: new Map(),
    ...extra,
  };
}

function host(extra: Partial<HostFacts> = {}): HostFacts {
  return {
    cgroupVersion: 2,
    init: 'systemd',
    cniConfFiles: ['10-bridge.conflist'],
    cniPluginTypes: ['bridge', 'portmap'],
    cniMissingPlugins: [],
    fsSize: new Map([['/var/lib/containerd', { bytes: 100, free: 50, inodes: 100, freeInodes: 90 }]]),
    ...extra,
  };
}

function pod(id: string, state: PodSandbox['state'] = 'SANDBOX_READY'): PodSandbox {
  return {
    id,
    metadata: { name: `pod-${id}`, uid: id, namespace: 'default', attempt: 0 },
    state,
    createdAt: nanos(NOW - 3_600_000),
    labels: {},
    annotations: {},
    runtimeHandler: '',
  };
}

function container(
  id: string,
  podId: string,
  name: string,
  attempt: number,
  state: Container['state'],
  createdMsAgo = 1000,
): Container {
  return {
    id,
    podSandboxId: podId,
    metadata: { name, attempt },
    image: null,
    imageRef: '',
    state,
    createdAt: nanos(NOW - createdMsAgo),
    labels: {},
    annotations: {},
    imageId: '',
  } as Container;
}

describe('doctor: endpoint', () => {
  test('a configured endpoint that answers is OK; one picked by default is a warning', () => {
    assert.equal(checkEndpoint(endpoint())[0].status, 'OK');
    const picked = checkEndpoint(endpoint({ source: 'default' }))[0];
    assert.equal(picked.status, 'WARN');
    assert.match(
      picked.next ?? '',
      /crictl config --set runtime-endpoint=unix:\/\/\/run\/containerd\/containerd\.sock/,
    );
  });

  test('an endpoint that does not answer fails and says how to fix it; permission errors say root', () => {
    const down = checkEndpoint(endpoint({ version: { ok: false, error: 'connect unix:///x: connection refused' } }))[0];
    assert.equal(down.status, 'FAIL');
    assert.match(down.evidence[0], /connection refused/);
    const denied = checkEndpoint(
      endpoint({ version: { ok: false, error: 'connect unix:///x: permission denied (are you root?)' } }),
    )[0];
    assert.match(denied.next ?? '', /root/);
  });

  test('ignored config keys and stale sockets of other runtimes are warnings', () => {
    const f = checkEndpoint(
      endpoint({
        configWarnings: ['/etc/crictl.yaml:3: unknown key "timeot" (did you mean timeout?); ignored'],
        defaults: [{ endpoint: 'unix:///run/crio/crio.sock', state: 'refused' }],
      }),
    );
    assert.equal(f[0].status, 'WARN');
    assert.ok(f[0].evidence.some((e) => e.includes('timeot')));
    assert.equal(f[1].status, 'WARN');
    assert.match(f[1].evidence[0], /crio\.sock: a socket, but nobody listens/);
  });
});

describe('doctor: runtime, cgroups, CNI, sandbox image, image filesystem', () => {
  test('RuntimeReady or NetworkReady false fails, naming the reason', () => {
    assert.equal(checkRuntime(runtime())[0].status, 'OK');
    const net = checkRuntime(runtime({ status: status(true, false, 'NetworkPluginNotReady') }))[0];
    assert.equal(net.status, 'FAIL');
    assert.match(net.summary, /NetworkReady is false \(NetworkPluginNotReady\)/);
    assert.ok(
      net.evidence.includes('NetworkReady=false reason=NetworkPluginNotReady message=cni config uninitialized'),
    );
    assert.ok(net.evidence.includes('runtime handlers: runc [recursiveReadOnlyMounts]'));
    assert.equal(checkRuntime(runtime({ status: status(false, true) }))[0].status, 'FAIL');
    assert.equal(checkRuntime(runtime({ status: undefined, errors: new Map([['Status', 'boom']]) }))[0].status, 'SKIP');
  });

  test('the cgroup driver must fit PID 1; pods with a cgroup_parent for the other driver are named', () => {
    assert.equal(checkCgroups(runtime(), host())[0].status, 'OK');
    assert.equal(checkCgroups(runtime(), host({ init: 'tini' }))[0].status, 'FAIL');
    assert.equal(checkCgroups(runtime({ cgroupDriver: 'cgroupfs' }), host())[0].status, 'WARN');
    const misfit = checkCgroups(
      runtime({ pods: [pod('p1')], podCgroupParents: new Map([['p1', '/kubepods/p1']]) }),
      host(),
    );
    assert.equal(misfit[1].status, 'WARN');
    assert.match(misfit[1].evidence[0], /default\/pod-p1 \(p1\): cgroup_parent "\/kubepods\/p1"/);
    assert.equal(checkCgroups(runtime({ cgroupDriver: undefined }), host())[0].status, 'SKIP');
  });

  test('CNI: a missing conf dir, no config, or a missing plugin fail', () => {
    assert.equal(checkCni(runtime(), host())[0].status, 'OK');
    assert.match(checkCni(runtime(), host({ cniConfFiles: undefined }))[0].summary, /does not exist/);
    const none = checkCni(runtime({ status: status(true, false) }), host({ cniConfFiles: ['README'] }))[0];
    assert.equal(none.status, 'FAIL');
    assert.match(none.summary, /no CNI config in \/etc\/cni\/net\.d/);
    const missing = checkCni(runtime(), host({ cniMissingPlugins: ['portmap'] }))[0];
    assert.equal(missing.status, 'FAIL');
    assert.match(missing.summary, /plugin portmap not found/);
    assert.equal(checkCni(runtime({ cniConfDir: undefined }), host())[0].status, 'SKIP');
  });

  test('a missing sandbox image fails', () => {
    assert.equal(checkSandboxImage(runtime())[0].status, 'OK');
    const gone = checkSandboxImage(runtime({ sandboxImagePresent: false }))[0];
    assert.equal(gone.status, 'FAIL');
    assert.match(gone.next ?? '', /crictl pull registry\.k8s\.io\/pause:3\.10/);
  });

  test('image filesystem: warn at 85%, fail at 95%, bytes or inodes', () => {
    const at = (free: number, freeInodes = 90) =>
      checkImageFs(
        runtime(),
        host({ fsSize: new Map([['/var/lib/containerd', { bytes: 100, free, inodes: 100, freeInodes }]]) }),
      )[0];
    assert.equal(at(16).status, 'OK');
    assert.equal(at(15).status, 'WARN');
    assert.equal(at(5).status, 'FAIL');
    const inodes = at(50, 4);
    assert.equal(inodes.status, 'FAIL');
    assert.match(inodes.summary, /96% full \(inodes\)/);
    assert.equal(checkImageFs(runtime(), host({ fsSize: new Map() }))[0].status, 'SKIP');
  });
});

describe('doctor: workloads', () => {
  const opts = { sinceMs: NOW - 3_600_000, now: NOW };
  test('exited containers, restarts, NOTREADY pods and never-started containers', () => {
    const exitedStatus = {
      id: 'c1aaaaaaaaaaaaaa',
      metadata: { name: 'web', attempt: 1 },
      exitCode: 3,
      reason: 'Error',
      message: '',
      finishedAt: nanos(NOW - 60_000),
    } as ContainerStatus;
    const f = checkWorkloads(
      runtime({
        pods: [pod('p1'), pod('p2', 'SANDBOX_NOTREADY')],
        containers: [
          container('c0', 'p1', 'web', 0, 'CONTAINER_EXITED'),
          container('c1', 'p1', 'web', 1, 'CONTAINER_EXITED'),
          container('c2', 'p1', 'idle', 0, 'CONTAINER_CREATED', 5 * 60_000),
        ],
        exited: [
          {
            container: container('c1', 'p1', 'web', 1, 'CONTAINER_EXITED'),
            status: exitedStatus,
            podName: 'default/pod-p1',
            lastLines: ['boom'],
          },
        ],
      }),
      opts,
    );
    assert.deepEqual(
      f.map((x) => x.status),
      ['FAIL', 'WARN', 'WARN', 'WARN'],
    );
    assert.match(f[0].summary, /container web in default\/pod-p1 exited with code 3 \(Error\)/);
    assert.ok(f[0].evidence.includes('log: boom'));
    assert.match(f[1].summary, /web in default\/pod-p1 has restarted \(attempt 1\)/);
    assert.match(f[2].summary, /pod default\/pod-p2 is NOTREADY/);
    assert.match(f[3].summary, /idle .* created 5 min ago and never started/);
  });

  test('a quiet node is OK', () => {
    assert.deepEqual(
      checkWorkloads(
        runtime({ pods: [pod('p1')], containers: [container('c0', 'p1', 'web', 0, 'CONTAINER_RUNNING')] }),
        opts,
      ).map((x) => x.status),
      ['OK'],
    );
  });
});

describe('doctor: report', () => {
  const findings = [...checkRuntime(runtime()), ...checkSandboxImage(runtime({ sandboxImagePresent: false }))];
  test('exit code: 0 all OK, 2 warnings only, 1 any FAIL; SKIP counts as neither', () => {
    assert.equal(exitCode(checkRuntime(runtime())), 0);
    assert.equal(
      exitCode([...checkRuntime(runtime()), { check: 'cni', status: 'SKIP', summary: '', evidence: [] }]),
      0,
    );
    assert.equal(exitCode(checkCgroups(runtime({ cgroupDriver: 'cgroupfs' }), host())), 2);
    assert.equal(exitCode(findings), 1);
  });

  test('JSON has stable field names and counts', () => {
    const doc = JSON.parse(reportJson(findings)) as {
      checks: Record<string, unknown>[];
      counts: Record<string, number>;
      exitCode: number;
    };
    assert.deepEqual(Object.keys(doc.checks[0]), ['check', 'status', 'summary', 'evidence', 'next']);
    assert.equal(doc.checks[0].next, null);
    assert.deepEqual(doc.counts, { OK: 1, WARN: 0, FAIL: 1, SKIP: 0 });
    assert.equal(doc.exitCode, 1);
  });

  test('the table has no colour off a terminal and shows control characters escaped', () => {
    const evil = [
      {
        check: 'workloads' as const,
        status: 'FAIL' as const,
        summary: 'container \x1b]0;pwned\x07x exited',
        evidence: ['log: \x1b[2Jclear'],
      },
    ];
    const text = reportTable(evil, { colour: false, width: 100 });
    assert.ok(!text.includes('\x1b'), text);
    assert.match(text, /\\x1b\]0;pwned\\ax/);
    assert.match(reportTable(evil, { colour: true, width: 100 }), /\x1b\[31mFAIL\x1b\[0m/);
  });
});
