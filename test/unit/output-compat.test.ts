// Exact text and JSON shapes of crictl master (kubernetes-sigs/cri-tools cmd/crictl); each test
// names the Go function whose output it pins.
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { listedValue } from '../../src/cli/config.js';
import { containerStatusItem, containerStatusTable, shownImage, verboseContainer } from '../../src/cli/containers.js';
import {
  compareImages,
  imageFsInfoTable,
  imageStatusTable,
  repoAndDigest,
  repoTagPairs,
  sortImages,
  verboseImage,
} from '../../src/cli/images.js';
import { goStructJson, printStatusInfo, statusInfoValue } from '../../src/cli/inspect-output.js';
import { podStatusItem, podStatusTable, verbosePod } from '../../src/cli/pods.js';
import { cpuPercent, sortById } from '../../src/cli/stats.js';
import type {
  Container,
  ContainerStatusResponse,
  Image,
  ImageFsInfoResponse,
  PodSandbox,
  PodSandboxStatusResponse,
} from '../../src/cri/client.js';
import { goJsonIndent, goJsonQuote, goStringCompare } from '../../src/output/go-json.js';
import { goMapString, goTimeString, rfc3339Nano } from '../../src/output/human.js';
import { goYamlKeyCompare, toGoYaml } from '../../src/output/render.js';

const NOW = Date.parse('2026-12-01T22:10:00Z');
const CREATED = '1796162701458875584'; // 2026-12-01T22:05:01.458875584Z

function capture(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return { stream, text: () => out };
}

function containerStatus(over: Record<string, unknown> = {}): ContainerStatusResponse {
  const status = {
    id: 'c1',
    metadata: { name: 'web', attempt: 1 },
    state: 'CONTAINER_EXITED',
    createdAt: CREATED,
    startedAt: '1796162704146043000',
    finishedAt: '1796162705000000000',
    exitCode: 2,
    image: { image: 'busybox', annotations: {}, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' },
    imageRef: 'sha256:ab',
    reason: 'Error',
    message: 'a<b\f',
    labels: { b: '2', a: '1' },
    annotations: {},
    mounts: [],
    logPath: '',
    resources: null,
    imageId: '',
    user: null,
    stopSignal: 'SIGNAL_RUNTIME_DEFAULT',
    ...over,
  };
  return {
    status,
    info: {
      info: '{"pid":12,"9":{"z":1,"a":[]},"10":"x","big":18446744073709551615}',
      sandboxID: '"abc"',
      list: '[1,2]',
    },
  } as unknown as ContainerStatusResponse;
}

test('inspect JSON: outputStatusData re-marshals a map, so every level is sorted; marshalContainerStatus times', async () => {
  const out = capture();
  await printStatusInfo(out.stream, 'runtime.v1.ContainerStatus', [containerStatusItem(containerStatus())], 'json');
  assert.equal(
    out.text(),
    `{
  "info": {
    "10": "x",
    "9": {
      "a": [],
      "z": 1
    },
    "big": 18446744073709552000,
    "pid": 12
  },
  "list": "[1,2]",
  "sandboxID": "abc",
  "status": {
    "annotations": {},
    "createdAt": "2026-12-01T22:05:01.458875584Z",
    "exitCode": 2,
    "finishedAt": "2026-12-01T22:05:05Z",
    "id": "c1",
    "image": {
      "annotations": {},
      "image": "busybox",
      "imageRef": "",
      "runtimeHandler": "",
      "userSpecifiedImage": ""
    },
    "imageId": "",
    "imageRef": "sha256:ab",
    "labels": {
      "a": "1",
      "b": "2"
    },
    "logPath": "",
    "message": "a\\u003cb\\f",
    "metadata": {
      "attempt": 1,
      "name": "web"
    },
    "mounts": [],
    "reason": "Error",
    "resources": null,
    "startedAt": "2026-12-01T22:05:04.146043Z",
    "state": "CONTAINER_EXITED",
    "stopSignal": "SIGNAL_RUNTIME_DEFAULT",
    "user": null
  }
}
`,
  );
});

test('marshalContainerStatus: startedAt/finishedAt are Go zero times until they happened', async () => {
  const times = async (over: Record<string, unknown>) => {
    const doc = await statusInfoValue('runtime.v1.ContainerStatus', containerStatusItem(containerStatus(over)));
    const s = doc.get('status') as Record<string, unknown>;
    return [s.createdAt, s.startedAt, s.finishedAt];
  };
  assert.deepEqual(await times({ state: 'CONTAINER_CREATED', startedAt: '0', finishedAt: '0' }), [
    '2026-12-01T22:05:01.458875584Z',
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
  ]);
  assert.deepEqual(await times({ state: 'CONTAINER_RUNNING', finishedAt: '0' }), [
    '2026-12-01T22:05:01.458875584Z',
    '2026-12-01T22:05:04.146043Z',
    '0001-01-01T00:00:00Z',
  ]);
  assert.deepEqual((await times({ state: 'CONTAINER_UNKNOWN', finishedAt: '0' }))[2], '0001-01-01T00:00:00Z');
  assert.deepEqual((await times({ state: 'CONTAINER_UNKNOWN' }))[2], '2026-12-01T22:05:05Z');
  assert.deepEqual((await times({ createdAt: '0' }))[0], '1970-01-01T00:00:00Z');
});

test('marshalPodSandboxStatus: createdAt as RFC 3339, unset nested messages left out (protojson EmitDefaultValues)', async () => {
  const r = {
    status: {
      id: 'p1',
      metadata: { name: 'pod', uid: 'u', namespace: 'ns', attempt: 0 },
      state: 'SANDBOX_READY',
      createdAt: CREATED,
      network: { ip: '10.0.0.2', additionalIps: [] },
      linux: { namespaces: { options: null } },
      labels: {},
      annotations: {},
      runtimeHandler: '',
    },
    info: {},
  } as unknown as PodSandboxStatusResponse;
  const doc = await statusInfoValue('runtime.v1.PodSandboxStatus', podStatusItem(r));
  const s = doc.get('status') as Record<string, unknown>;
  assert.equal(s.createdAt, '2026-12-01T22:05:01.458875584Z');
  assert.deepEqual(s.linux, { namespaces: {} });
  assert.deepEqual([...doc.keys()], ['status']);
});

test('inspecti status is plain protojson: unset top-level messages are absent, not null', async () => {
  const image = {
    id: 'sha256:1',
    repoTags: [],
    repoDigests: [],
    size: '5',
    uid: null,
    username: '',
    spec: null,
    pinned: false,
  };
  const doc = await statusInfoValue('runtime.v1.Image', { status: image, info: {} });
  const s = doc.get('status') as Record<string, unknown>;
  assert.equal('uid' in s, false);
  assert.equal('spec' in s, false);
  assert.equal(s.size, '5');
});

test('outputStatusData: several items are one array; go-template runs once over it', async () => {
  const items = [containerStatusItem(containerStatus()), containerStatusItem(containerStatus({ id: 'c2' }))];
  const json = capture();
  await printStatusInfo(json.stream, 'runtime.v1.ContainerStatus', items, 'json');
  assert.match(json.text(), /^\[\n {2}\{\n {4}"info": \{/);
  const tmpl = capture();
  await printStatusInfo(
    tmpl.stream,
    'runtime.v1.ContainerStatus',
    items,
    'go-template',
    '{{range .}}{{.status.id}} {{end}}',
  );
  assert.equal(tmpl.text(), 'c1 c2 \n');
});

test('Go json.Marshal spellings: bytewise key order, escapes, numbers, empty containers', () => {
  assert.equal(
    goJsonIndent({ b: [], a: {}, '\u{1F600}': 1, '\uFFFD': 2 }),
    '{\n  "a": {},\n  "b": [],\n  "\uFFFD": 2,\n  "\u{1F600}": 1\n}',
  );
  assert.equal(goJsonQuote('<&>\u2028\b\u0001\ud800'), '"\\u003c\\u0026\\u003e\\u2028\\b\\u0001\uFFFD"');
  assert.equal(goJsonIndent([1e21, 1e-7, 0.5, -0, 100]), '[\n  1e+21,\n  1e-7,\n  0.5,\n  -0,\n  100\n]');
  assert.ok(goStringCompare('\uFFFD', '\u{1F600}') < 0); // UTF-16 order would say the opposite
});

test('times: RFC3339Nano and time.Time.String trim trailing zeros of the fraction', () => {
  assert.equal(rfc3339Nano('1796162704146043000'), '2026-12-01T22:05:04.146043Z');
  assert.equal(goTimeString(CREATED), '2026-12-01 22:05:01.458875584 +0000 UTC');
  assert.equal(goTimeString('1796162705000000000'), '2026-12-01 22:05:05 +0000 UTC');
  assert.equal(goMapString({ b: '{"x":1}', a: 'y' }), 'map[a:y b:{"x":1}]');
  assert.equal(goMapString({}), 'map[]');
});

test('outputContainerStatusTable: enum state name, exit code when exited, Info line unless -q', () => {
  const r = containerStatus({ state: 'CONTAINER_EXITED' });
  assert.equal(
    containerStatusTable(r, true, NOW),
    [
      'ID: c1',
      'Name: web',
      'Attempt: 1',
      'State: CONTAINER_EXITED',
      'Created: 4 minutes ago',
      'Started: 4 minutes ago',
      'Finished: 4 minutes ago',
      'Exit Code: 2',
      'Labels:',
      '\ta -> 1',
      '\tb -> 2',
      'Info: map[info:{"pid":12,"9":{"z":1,"a":[]},"10":"x","big":18446744073709551615} list:[1,2] sandboxID:"abc"]',
      '',
    ].join('\n'),
  );
  const created = containerStatus({ state: 'CONTAINER_CREATED', metadata: { name: 'web', attempt: 0 }, labels: {} });
  assert.equal(
    containerStatusTable(created, false, NOW),
    'ID: c1\nName: web\nState: CONTAINER_CREATED\nCreated: 4 minutes ago\n',
  );
});

test('outputPodSandboxStatusTable and OutputPodSandboxes -v', () => {
  const r = {
    status: {
      id: 'p1',
      metadata: { name: 'pod', uid: 'u1', namespace: 'ns', attempt: 0 },
      state: 'SANDBOX_READY',
      createdAt: CREATED,
      network: { ip: '10.0.0.2', additionalIps: [{ ip: 'fd00::2' }] },
      labels: { app: 'x' },
      annotations: {},
      runtimeHandler: '',
    },
    info: { info: '{}' },
  } as unknown as PodSandboxStatusResponse;
  assert.equal(
    podStatusTable(r, true),
    'ID: p1\nName: pod\nUID: u1\nNamespace: ns\nAttempt: 0\nStatus: SANDBOX_READY\nCreated: 2026-12-01 22:05:01.458875584 +0000 UTC\nIP Addresses: 10.0.0.2\nAdditional IP: fd00::2\nLabels:\n\tapp -> x\nInfo: map[info:{}]\n',
  );
  const pod = {
    id: 'p1',
    metadata: { name: 'pod', uid: '', namespace: 'ns', attempt: 2 },
    state: 'SANDBOX_NOTREADY',
    createdAt: CREATED,
    labels: {},
    annotations: { k: 'v' },
    runtimeHandler: 'kata',
  } as unknown as PodSandbox;
  assert.equal(
    verbosePod(pod),
    'ID: p1\nName: pod\nNamespace: ns\nAttempt: 2\nStatus: NotReady\nCreated: 2026-12-01 22:05:01.458875584 +0000 UTC\nAnnotations:\n\tk -> v\nRuntime: kata\n\n',
  );
});

test('OutputContainers -v (master): Namespace from the kubelet label, Attempt always, state in words', () => {
  const c = {
    id: 'c1',
    podSandboxId: 'p1',
    metadata: { name: '', attempt: 0 },
    image: { image: 'busybox' },
    imageRef: '',
    state: 'CONTAINER_RUNNING',
    createdAt: CREATED,
    labels: { 'io.kubernetes.pod.namespace': 'kube-system' },
    annotations: {},
    imageId: '',
  } as unknown as Container;
  assert.equal(
    verboseContainer(c, NOW),
    'ID: c1\nPodID: p1\nNamespace: kube-system\nAttempt: 0\nState: Running\nImage: busybox\nCreated: 4 minutes ago\nLabels:\n\tio.kubernetes.pod.namespace -> kube-system\n\n',
  );
});

function image(id: string, tags: string[], digests: string[], extra: Partial<Image> = {}): Image {
  return {
    id,
    repoTags: tags,
    repoDigests: digests,
    size: '1029208',
    uid: null,
    username: '',
    spec: null,
    pinned: false,
    ...extra,
  } as Image;
}

test('images -v and inspecti -o table (listImageCommand, outputImageStatusTable)', () => {
  const img = image('sha256:1', ['busybox:1'], ['busybox@sha256:2'], {
    uid: { value: '1000' },
    username: 'u',
    pinned: true,
  });
  assert.equal(
    verboseImage(img),
    'ID: sha256:1\nRepoTags: busybox:1\nRepoDigests: busybox@sha256:2\nSize: 1029208\nUid: &Int64Value{Value:1000,}\nUsername: u\nPinned: true\n\n',
  );
  assert.equal(
    imageStatusTable({ image: img, info: { info: '{"a":1}' } }, true),
    'ID: sha256:1\nTag: busybox:1\nDigest: busybox@sha256:2\nSize: 1.03MB\nInfo: map[info:{"a":1}]\n',
  );
  assert.equal(
    imageStatusTable({ image: img, info: {} }, false),
    'ID: sha256:1\nTag: busybox:1\nDigest: busybox@sha256:2\nSize: 1.03MB\n',
  );
});

test('ListImages order: first tag, else first digest, else ID; mixed lists as Go sorts them', () => {
  assert.ok(compareImages(image('b', ['a:1'], []), image('a', ['b:1'], [])) < 0);
  assert.ok(compareImages(image('b', [], ['a@x']), image('a', ['b:1'], ['b@x'])) < 0);
  assert.ok(compareImages(image('a', ['z:1'], []), image('b', [], ['a@x'])) < 0);
  // Expected order computed with Go's sort.Sort (crictl v1.26.1's imageByRef; master's
  // slices.SortFunc uses the same algorithm): the comparison is not transitive here.
  const list = [
    image('sha256:05', ['z.io/app:1'], []),
    image('sha256:01', [], ['b.io/x@sha256:aa']),
    image('sha256:04', ['a.io/app:2'], ['z.io/x@sha256:00']),
    image('sha256:02', [], []),
    image('sha256:03', ['m.io/app:1', 'a.io/other:1'], ['a.io/x@sha256:ff']),
    image('sha256:00', [], ['c.io/x@sha256:11']),
  ];
  assert.deepEqual(
    sortImages(list).map((i) => i.id),
    ['sha256:01', 'sha256:02', 'sha256:04', 'sha256:03', 'sha256:00', 'sha256:05'],
  );
});

test('stats: sorted by ID (getContainerStats, getPodSandboxStats); CPU % as displayStats computes it', () => {
  const stats = [{ attributes: { id: 'b' } }, { attributes: { id: 'a' } }, { attributes: { id: 'B' } }];
  assert.deepEqual(
    sortById(stats).map((s) => s.attributes.id),
    ['B', 'a', 'b'],
  );
  assert.equal(cpuPercent({ usage: '1500', timestamp: '2000' }, { usage: '500', timestamp: '1000' }), 100);
  assert.equal(cpuPercent({ usage: '0', timestamp: '2000' }, { usage: '0', timestamp: '2000' }), 0);
  assert.throws(
    () => cpuPercent({ usage: '10', timestamp: '2000' }, { usage: '5', timestamp: '2000' }),
    /cpu stat is not updated during sample/,
  );
});

test('config --list shows Go zero values for keys the file leaves out', () => {
  assert.equal(listedValue('debug', {}), 'false');
  assert.equal(listedValue('pull-image-on-create', {}), 'false');
  assert.equal(listedValue('timeout', {}), '0');
  assert.equal(listedValue('runtime-endpoint', {}), '');
  assert.equal(listedValue('debug', { debug: true }), 'true');
});

test('YAML: strings go-yaml v2 would read as another type are double-quoted, keys too (yaml.JSONToYAML)', async () => {
  // Expected output from gopkg.in/yaml.v2 (crictl v1.26.1's vendored copy) marshalling the same map.
  const doc = {
    a: '2026-12-01T22:05:01.458875584Z',
    b: '00:00:00:00:00:00',
    c: 'yes',
    d: 'Off',
    e: '2026-1-2',
    f: 'plain',
    g: '12:ab',
    h: '1.5',
    i: '<<',
    j: '2026-12-01 22:05:01',
    k: '~',
    l: '.nan',
    m: '1_000',
    n: '0x1F',
    o: '+12',
    p: 'null',
    q: 'y',
  };
  assert.equal(
    await toGoYaml(doc),
    [
      'a: "2026-12-01T22:05:01.458875584Z"',
      'b: "00:00:00:00:00:00"',
      'c: "yes"',
      'd: "Off"',
      'e: "2026-1-2"',
      'f: plain',
      'g: 12:ab',
      'h: "1.5"',
      'i: <<',
      'j: "2026-12-01 22:05:01"',
      'k: "~"',
      'l: ".nan"',
      'm: "1_000"',
      '"n": "0x1F"',
      'o: "+12"',
      'p: "null"',
      'q: "y"',
      '',
    ].join('\n'),
  );
});

test("YAML map keys in go-yaml v2's order (keyList.Less): numbers by value, letters last", async () => {
  // Expected order from gopkg.in/yaml.v2 marshalling a map with these keys.
  const keys = ['a10', 'a9', 'Zeta', '_x', 'b', 'a.b', 'ab', '10', '9', 'a', 'x0', 'x00', 'x01', 'é', 'z'];
  assert.deepEqual([...keys].sort(goYamlKeyCompare), [
    '_x',
    '9',
    '10',
    'Zeta',
    'a',
    'a.b',
    'a9',
    'a10',
    'ab',
    'b',
    'x0',
    'x00',
    'x01',
    'z',
    'é',
  ]);
  assert.equal(await toGoYaml({ a10: 1, a9: { z: 1, B: 2 } }), 'a9:\n  B: 2\n  z: 1\na10: 1\n');
});

test('images table cells: normalizeRepoDigest, normalizeRepoTagPair; ps IMAGE cell (OutputContainers)', () => {
  assert.deepEqual(repoAndDigest(image('i', [], ['docker.io/x@sha256:ab'])), ['docker.io/x', 'sha256:ab']);
  assert.deepEqual(repoAndDigest(image('i', [], [])), ['<none>', '<none>']);
  assert.deepEqual(repoAndDigest(image('i', [], ['odd'])), ['errorName', 'errorRepoDigest']);
  assert.deepEqual(repoTagPairs(image('i', ['a/b:1', '<none>:<none>', 'notag'], []), 'docker.io/x'), [
    ['a/b', '1'],
    ['docker.io/x', '<none>'],
    ['errorRepoTag', 'errorRepoTag'],
  ]);
  assert.deepEqual(repoTagPairs(image('i', [], []), 'docker.io/x'), [['docker.io/x', '<none>']]);
  const hex = 'ab'.repeat(32);
  assert.equal(shownImage(`sha256:${hex}`, false), hex.slice(0, 13));
  assert.equal(shownImage(hex, false), hex, 'not a digest to go-digest: shown whole');
  assert.equal(shownImage('sha256:abc', false), 'sha256:abc');
  assert.equal(shownImage('busybox:1.33.1', false), 'busybox:1.33.1');
  assert.equal(shownImage(`sha256:${hex}`, true), `sha256:${hex}`);
});

test('imagefsinfo -o table (outputImageFsInfoTable) and its JSON document (outputStatusData)', async () => {
  const fs = {
    timestamp: '1796162701458875584',
    fsId: { mountpoint: '/var/lib/x' },
    usedBytes: { value: '1234567' },
    inodesUsed: { value: '42' },
  };
  const r = { imageFilesystems: [fs], containerFilesystems: [] } as unknown as ImageFsInfoResponse;
  assert.equal(
    imageFsInfoTable(r),
    'Container Filesystem \nImage Filesystem \nTimeStamp[0]: 1796162701458875584\nDisk[0]: 1.235MB\nInodes[0]: 42\nMountpoint[0]: /var/lib/x\n',
  );
  const out = capture();
  await printStatusInfo(out.stream, 'runtime.v1.ImageFsInfoResponse', [{ status: r, info: {} }], 'json');
  assert.equal(
    out.text(),
    '{\n  "status": {\n    "containerFilesystems": [],\n    "imageFilesystems": [\n      {\n        "fsId": {\n          "mountpoint": "/var/lib/x"\n        },\n        "inodesUsed": {\n          "value": "42"\n        },\n        "timestamp": "1796162701458875584",\n        "usedBytes": {\n          "value": "1234567"\n        }\n      }\n    ]\n  }\n}\n',
  );
});

test('info: runtime handlers and features as encoding/json writes the Go structs (Info)', async () => {
  const handlers = [
    { name: '', features: { recursiveReadOnlyMounts: true, userNamespaces: false } },
    { name: 'runc', features: { recursiveReadOnlyMounts: false, userNamespaces: false } },
    { name: 'kata', features: null },
  ];
  const out = capture();
  await printStatusInfo(
    out.stream,
    'runtime.v1.RuntimeStatus',
    [
      {
        status: null,
        info: {},
        extra: {
          runtimeHandlers: await goStructJson('runtime.v1.RuntimeHandler', handlers),
          features: await goStructJson('runtime.v1.RuntimeFeatures', { supplementalGroupsPolicy: true }),
        },
      },
    ],
    'json',
  );
  assert.equal(
    out.text(),
    `{
  "features": {
    "supplemental_groups_policy": true
  },
  "runtimeHandlers": [
    {
      "features": {
        "recursive_read_only_mounts": true
      }
    },
    {
      "features": {},
      "name": "runc"
    },
    {
      "name": "kata"
    }
  ]
}
`,
  );
});
