// top's model and screen as pure functions: rows from samples, CPU between samples, history,
// sorting, filters, event diffs, sparklines, layout at 80×24 and 200×50, and key decoding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Container, ContainerStats, PodSandbox } from '../../src/cri/generated/types.js';
import {
  containerRows,
  diffEvents,
  type History,
  parseFilter,
  podRows,
  type Row,
  type Sample,
  sortRows,
} from '../../src/top/model.js';
import { fit, layout, snapshotTable, sparkline, type View } from '../../src/top/render.js';
import { decodeKeys } from '../../src/top/terminal.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

function pod(id: string, name: string, namespace = 'default'): PodSandbox {
  return {
    id,
    metadata: { name, uid: id, namespace, attempt: 0 },
    state: 'SANDBOX_READY',
    createdAt: ns(NOW - 60_000),
    labels: { app: name },
    annotations: {},
    runtimeHandler: '',
  };
}
function container(
  id: string,
  podId: string,
  name: string,
  state: Container['state'] = 'CONTAINER_RUNNING',
  attempt = 0,
  ageMs = 60_000,
): Container {
  return {
    id,
    podSandboxId: podId,
    metadata: { name, attempt },
    image: { image: 'busybox', annotations: {}, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' },
    imageRef: 'sha256:1',
    state,
    createdAt: ns(NOW - ageMs),
    labels: { tier: name },
    annotations: {},
    imageId: '',
  };
}
function stats(id: string, cpuNs: number, atMs: number, mem: number, available?: number): ContainerStats {
  return {
    attributes: { id, metadata: null, labels: {}, annotations: {} },
    cpu: { timestamp: ns(atMs), usageCoreNanoSeconds: { value: String(cpuNs) }, usageNanoCores: null, psi: null },
    memory: {
      timestamp: ns(atMs),
      workingSetBytes: { value: String(mem) },
      availableBytes: available === undefined ? null : { value: String(available) },
      usageBytes: null,
      rssBytes: null,
      pageFaults: null,
      majorPageFaults: null,
      psi: null,
    },
    writableLayer: { timestamp: ns(atMs), fsId: null, usedBytes: { value: '4096' }, inodesUsed: { value: '7' } },
    swap: null,
    io: null,
  };
}
function sample(at: number, burnNs: number, idleNs: number, extra: Partial<Sample> = {}): Sample {
  return {
    at,
    containers: [
      container('c-burn', 'p1', 'burner'),
      container('c-idle', 'p1', 'idler', 'CONTAINER_RUNNING', 2, 3_600_000),
    ],
    stats: [stats('c-burn', burnNs, at, 2 << 20, 6 << 20), stats('c-idle', idleNs, at, 8 << 20)],
    pods: [pod('p1', 'web')],
    podStats: [],
    ...extra,
  };
}

describe('top model', () => {
  test('CPU is measured between two samples; limits are working set plus available', () => {
    const history: History = new Map();
    const first = containerRows(sample(NOW, 0, 0), undefined, history, 30);
    assert.equal(first.find((r) => r.name === 'burner')?.cpu, undefined);
    // 1.5 s of CPU in 2 s: 75%.
    const rows = containerRows(sample(NOW + 2000, 1.5e9, 1e7), sample(NOW, 0, 0), history, 30);
    const burner = rows.find((r) => r.name === 'burner') as Row;
    assert.equal(burner.cpu, 75);
    assert.equal(burner.memLimit, 8 << 20);
    assert.equal(burner.disk, 4096);
    assert.equal(burner.inodes, 7);
    assert.equal(burner.podName, 'web');
    assert.deepEqual(burner.cpuHistory, [75]);
    assert.deepEqual(burner.memHistory, [2 << 20, 2 << 20]);
  });

  test('history keeps the last minute only and forgets rows that are gone', () => {
    const history: History = new Map();
    let before: Sample | undefined;
    for (let i = 0; i < 10; i++) {
      const now = sample(NOW + i * 1000, i * 1e8, 0);
      containerRows(now, before, history, 4);
      before = now;
    }
    assert.equal(history.get('c-burn')?.cpu.length, 4);
    containerRows(sample(NOW + 20_000, 0, 0, { containers: [container('c-idle', 'p1', 'idler')] }), before, history, 4);
    assert.equal(history.has('c-burn'), false);
  });

  test('pod rows add up their containers and carry the process count', () => {
    const pidsStats = [
      {
        attributes: { id: 'p1', metadata: null, labels: {}, annotations: {} },
        linux: {
          cpu: null,
          memory: null,
          network: null,
          process: { timestamp: '0', processCount: { value: '5' } },
          containers: [],
          io: null,
        },
        windows: null,
      },
    ];
    const rows = podRows(sample(NOW + 2000, 1e9, 1e9, { podStats: pidsStats }), sample(NOW, 0, 0), new Map(), 30);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].cpu, 100);
    assert.equal(rows[0].mem, (2 << 20) + (8 << 20));
    assert.equal(rows[0].pids, 5);
    assert.equal(rows[0].state, 'READY');
  });

  test('sorting: CPU and memory highest first, names A to Z, newest first', () => {
    const rows = containerRows(sample(NOW + 2000, 1.5e9, 1e7), sample(NOW, 0, 0), new Map(), 30);
    assert.deepEqual(
      sortRows(rows, 'cpu').map((r) => r.name),
      ['burner', 'idler'],
    );
    assert.deepEqual(
      sortRows(rows, 'mem').map((r) => r.name),
      ['idler', 'burner'],
    );
    assert.deepEqual(
      sortRows(rows, 'name').map((r) => r.name),
      ['burner', 'idler'],
    );
    assert.deepEqual(
      sortRows(rows, 'age').map((r) => r.name),
      ['burner', 'idler'],
    );
  });

  test('filters: name regex, pod, namespace and label terms, all must match; bad regexes are reported', () => {
    const rows = containerRows(sample(NOW, 0, 0), undefined, new Map(), 30);
    const names = (text: string) => {
      const f = parseFilter(text);
      assert.ok(typeof f !== 'string', String(f));
      return rows.filter((r) => f.test(r)).map((r) => r.name);
    };
    assert.deepEqual(names('^bur'), ['burner']);
    assert.deepEqual(names('pod=web ns=^default$'), ['burner', 'idler']);
    assert.deepEqual(names('ns=kube'), []);
    assert.deepEqual(names('label=tier=idler'), ['idler']);
    assert.deepEqual(names('label=tier'), ['burner', 'idler']);
    assert.match(String(parseFilter('pod=(')), /^filter "pod=\(": Invalid regular expression/);
  });

  test('without an event stream, what changed between samples becomes events', () => {
    const before = sample(NOW, 0, 0);
    const after = sample(NOW + 2000, 0, 0, {
      containers: [
        container('c-burn', 'p1', 'burner', 'CONTAINER_EXITED'),
        container('c-new', 'p1', 'newbie', 'CONTAINER_CREATED'),
      ],
    });
    assert.deepEqual(
      diffEvents(before, after).map((e) => e.text),
      ['container burner (c-burn) exited', 'container newbie (c-new) created', 'container idler (c-idle) removed'],
    );
    assert.deepEqual(diffEvents(undefined, after), []);
  });
});

describe('top screen', () => {
  test("sparklines scale to the row's own peak, with a floor, and pad missing history", () => {
    assert.equal(sparkline([0, 50, 100], 5, 1), '  ▁▅█');
    assert.equal(sparkline([1, 1, 1], 3, 100), '▁▁▁');
    assert.equal(sparkline([10, 20, 30, 40, 50, 60], 3, 1), '▆▇█');
  });

  const rows = containerRows(sample(NOW + 2000, 1.5e9, 1e7), sample(NOW, 0, 0), new Map(), 30);
  const view = (extra: Partial<View> = {}): View => ({
    title: 'crictl-ts top — containerd 2.0',
    rows: sortRows(rows, 'cpu'),
    selected: 0,
    sort: 'cpu',
    pods: false,
    filter: '',
    typing: undefined,
    note: '',
    events: [{ at: NOW, text: 'container burner (c-burn) started' }],
    details: {
      id: 'c-burn',
      image: 'busybox',
      state: 'RUNNING',
      restarts: 0,
      facts: [],
      lastLines: ['burning \x1b[2J'],
    },
    sparkWidth: 10,
    ...extra,
  });

  for (const [width, height] of [
    [80, 24],
    [200, 50],
  ] as const) {
    test(`every line is exactly ${width} wide and there are ${height} lines`, () => {
      const lines = layout(view(), width, height, NOW + 2000).map(plain);
      assert.equal(lines.length, height);
      for (const l of lines) assert.equal([...l].length, width, JSON.stringify(l));
      assert.match(lines[0], /^crictl-ts top — containerd 2\.0 {2}2 containers {2}sort: cpu/);
      assert.match(lines[2], /^burner +75\.0 /);
      assert.ok(
        lines.some((l) => l.includes('burning \\x1b[2J')),
        'runtime text is escaped',
      );
      assert.ok(lines.some((l) => /^12:00:00 container burner \(c-burn\) started/.test(l)));
      assert.match(lines[height - 1], /^q quit/);
    });
  }

  test('a narrow terminal drops the least useful columns first; a wide one shows them all', () => {
    const narrow = plain(layout(view(), 80, 24, NOW)[1]);
    const wide = plain(layout(view(), 200, 50, NOW)[1]);
    for (const head of ['CONTAINER', 'CPU%', 'CPU 1m', 'MEM']) assert.ok(narrow.includes(head), narrow);
    for (const head of ['SWAP', 'INODES']) assert.ok(!narrow.includes(head), narrow);
    for (const head of [
      'CONTAINER',
      'CPU%',
      'CPU 1m',
      'MEM',
      'MEM 1m',
      'LIMIT',
      'STATE',
      'POD',
      'RST',
      'AGE',
      'SWAP',
      'DISK',
      'INODES',
    ])
      assert.ok(wide.includes(head), wide);
  });

  test('the selected row is in reverse video; typing a filter shows in the footer', () => {
    const lines = layout(view({ selected: 1, typing: 'pod=we' }), 120, 30, NOW);
    assert.ok(lines[3].startsWith('\x1b[7m') && plain(lines[3]).startsWith('idler'));
    assert.ok(!lines[2].startsWith('\x1b[7m'));
    assert.match(plain(lines[29]), /enter applies, esc cancels\): pod=we/);
  });

  test('fit cuts with an ellipsis and pads to the width', () => {
    assert.equal(fit('abcdef', 4), 'abc…');
    assert.equal(fit('ab', 4, true), '  ab');
  });

  test('the piped table has no escape codes', () => {
    const text = snapshotTable(sortRows(rows, 'cpu'), false, NOW + 2000);
    assert.ok(!text.includes('\x1b'));
    assert.match(text.split('\n')[0], /^CONTAINER +POD +STATE +CPU % +MEM/);
    assert.match(text.split('\n')[1], /^burner +web +RUNNING +75\.00 /);
  });
});

describe('top keys', () => {
  test('arrows, ctrl-c, escape, enter, backspace and characters', () => {
    assert.deepEqual(decodeKeys('\x1b[A\x1b[Bq\x03\x1b\r\x7f/'), [
      { kind: 'up' },
      { kind: 'down' },
      { kind: 'char', char: 'q' },
      { kind: 'interrupt' },
      { kind: 'escape' },
      { kind: 'enter' },
      { kind: 'backspace' },
      { kind: 'char', char: '/' },
    ]);
    assert.deepEqual(decodeKeys('\x1b[1;5Cx'), [{ kind: 'char', char: 'x' }]);
  });
});
