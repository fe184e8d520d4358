// Output shapes of crictl master against the real lab containerd: inspect timestamps and key
// order, verbose listings, image and stats order, failures crictl reports.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeCri, cri, crictl, removePods, runContainer, runPod, SKIP } from './harness.js';
import { tempDir } from '../tmp.js';

const RFC3339_NANO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Every object in a parsed document has its keys in sorted order (Go marshals maps so). */
function assertSortedDeep(value: unknown, path = '$'): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) assertSortedDeep(v, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => !/^\d+$/.test(k)); // JS lists index-like keys first
    assert.deepEqual(keys, [...keys].sort(), `keys of ${path}`);
    for (const [k, v] of Object.entries(value)) assertSortedDeep(v, `${path}.${k}`);
  }
}

describe('crictl master output shapes on a real runtime', { skip: SKIP }, () => {
  const pods: string[] = [];
  let podId: string;
  let running: string;
  let created: string;
  let exited: string;

  before(async () => {
    const pod = await runPod('out', { labels: { 'out-compat': String(process.pid) } });
    podId = pod.podId;
    pods.push(podId);
    running = await runContainer(podId, pod.config, 'runner', ['sleep', '3600']);
    created = await runContainer(podId, pod.config, 'waiter', ['sleep', '3600'], false);
    exited = await runContainer(podId, pod.config, 'quitter', ['sh', '-c', 'exit 3']);
    for (let i = 0; i < 100; i++) {
      const { status } = await cri().runtime.containerStatus({ containerId: exited });
      if (status?.state === 'CONTAINER_EXITED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    await removePods(pods);
    closeCri();
  });

  test('inspect: RFC 3339 times, zero times until they happen, every level sorted (json, yaml, go-template)', () => {
    const times = (id: string) => {
      const r = crictl(['inspect', id]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(doc), ['info', 'status']);
      assertSortedDeep(doc.status);
      return [doc.status.createdAt, doc.status.startedAt, doc.status.finishedAt] as string[];
    };
    const [c1, s1, f1] = times(running);
    assert.match(c1, RFC3339_NANO_UTC);
    assert.match(s1, RFC3339_NANO_UTC);
    assert.equal(f1, ZERO_TIME);
    const [c2, s2, f2] = times(created);
    assert.match(c2, RFC3339_NANO_UTC);
    assert.deepEqual([s2, f2], [ZERO_TIME, ZERO_TIME]);
    const [, s3, f3] = times(exited);
    assert.match(s3, RFC3339_NANO_UTC);
    assert.match(f3, RFC3339_NANO_UTC); // (containerd may record the exit before the start)

    const yaml = crictl(['inspect', '-o', 'yaml', running]);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^ {2}createdAt: "\d{4}-\d\d-\d\dT[\d:.]+Z"$/m, 'go-yaml quotes timestamp-like strings');
    assert.match(yaml.stdout, /^ {2}finishedAt: "0001-01-01T00:00:00Z"$/m);
    const tpl = crictl(['inspect', '-o', 'go-template', '--template', '{{.status.finishedAt}}', created]);
    assert.equal(tpl.stdout, `${ZERO_TIME}\n`);
  });

  test('inspectp: createdAt as RFC 3339 in json, yaml and go-template', () => {
    const doc = JSON.parse(crictl(['inspectp', podId]).stdout);
    assert.deepEqual(Object.keys(doc), ['info', 'status']);
    assert.match(doc.status.createdAt, RFC3339_NANO_UTC);
    assertSortedDeep(doc.status);
    assert.match(crictl(['inspectp', '-o', 'yaml', podId]).stdout, /^ {2}createdAt: "\d{4}-[\d-]+T[\d:.]+Z"$/m);
    assert.match(
      crictl(['inspectp', '-o', 'go-template', '--template', '{{.status.createdAt}}', podId]).stdout,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
  });

  test('inspect A nosuch: a table prints A, then fails; a document fails whole', () => {
    const table = crictl(['inspect', '-o', 'table', running, 'nosuch']);
    assert.equal(table.code, 1);
    assert.match(
      table.stdout,
      new RegExp(
        `^ID: ${running}\\nName: runner\\nState: CONTAINER_RUNNING\\nCreated: .* ago\\nStarted: .* ago\\nLabels:\\n(\\t.*\\n)+Info: map\\[`,
      ),
    );
    assert.match(table.stderr, /nosuch/);
    const json = crictl(['inspect', running, 'nosuch']);
    assert.equal(json.code, 1);
    assert.equal(json.stdout, '');
    const pod = crictl(['inspectp', '-o', 'table', podId, 'nosuch']);
    assert.equal(pod.code, 1);
    assert.match(pod.stdout, new RegExp(`^ID: ${podId}\\n`));
  });

  test('-o table of inspect, inspectp and inspecti; -v of ps, pods and images', () => {
    const ex = crictl(['inspect', '-q', '-o', 'table', exited]).stdout;
    assert.match(
      ex,
      /\nState: CONTAINER_EXITED\nCreated: .* ago\nStarted: .* ago\nFinished: .* ago\nExit Code: 3\nLabels:\n/,
    );
    assert.ok(!ex.includes('Info:'), '-q leaves the info out');
    assert.match(
      crictl(['inspect', '-o', 'table', created]).stdout,
      /\nState: CONTAINER_CREATED\nCreated: .* ago\nLabels:\n/,
    );
    const p = crictl(['inspectp', '-o', 'table', podId]).stdout;
    assert.match(
      p,
      /\nAttempt: 0\nStatus: SANDBOX_READY\nCreated: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\nIP Addresses: [\d.]+\n/,
    );
    const i = crictl(['inspecti', '-o', 'table', 'busybox:1.33.1']).stdout;
    assert.match(
      i,
      /^ID: sha256:[0-9a-f]{64}\nTag: docker\.io\/library\/busybox:1\.33\.1\n(Digest: .*\n)*Size: [\d.]+[kM]B\nInfo: map\[/,
    );

    const ps = crictl(['ps', '-v', '--id', running]).stdout;
    assert.equal(
      ps.split('\n').slice(0, 7).join('\n'),
      `ID: ${running}\nPodID: ${podId}\nNamespace: unknown\nName: runner\nAttempt: 0\nState: Running\nImage: docker.io/library/busybox:1.33.1`,
    );
    assert.match(ps, /\nCreated: .* ago\nLabels:\n\tcrictl-e2e-container -> runner\n\n$/);
    const pods = crictl(['pods', '-v', '--id', podId]).stdout;
    assert.match(
      pods,
      new RegExp(
        `^ID: ${podId}\\nName: out-\\d+-\\d+\\nUID: uid-out-\\d+-\\d+\\nNamespace: e2e\\nStatus: Ready\\nCreated: \\d{4}-[\\d-]+ [\\d:.]+ \\+0000 UTC\\nLabels:\\n(\\t.*\\n)+Runtime: \\(default\\)\\n\\n$`,
      ),
    );
    const images = crictl(['images', '-v']).stdout;
    assert.match(images, /^ID: sha256:[0-9a-f]{64}\nRepoTags: .*\n(RepoDigests: .*\n)*Size: \d+\n\n/);
  });

  test("images in crictl's order in every mode: first tag, then digest, then ID", async () => {
    const { images } = await cri().image.listImages({});
    const expected = [...images]
      .sort((a, b) => {
        if (a.repoTags.length && b.repoTags.length)
          return a.repoTags[0] < b.repoTags[0] ? -1 : a.repoTags[0] > b.repoTags[0] ? 1 : 0;
        if (a.repoDigests.length && b.repoDigests.length) return a.repoDigests[0] < b.repoDigests[0] ? -1 : 1;
        return a.id < b.id ? -1 : 1;
      })
      .map((i) => i.id);
    assert.ok(expected.length >= 2);
    assert.deepEqual(crictl(['images', '-q']).stdout.trim().split('\n'), expected);
    assert.deepEqual(
      JSON.parse(crictl(['images', '-o', 'json']).stdout).images.map((i: { id: string }) => i.id),
      expected,
    );
    const yamlIds = [...crictl(['images', '-o', 'yaml']).stdout.matchAll(/^- id: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(yamlIds, expected);
    const verboseIds = [...crictl(['images', '-v']).stdout.matchAll(/^ID: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(verboseIds, expected);
    const tableIds = crictl(['images', '--no-trunc'])
      .stdout.trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{2,}/)[2]);
    assert.deepEqual([...new Set(tableIds)], expected);
  });

  test('stats and statsp are sorted by ID', async () => {
    const second = await runPod('out2', { labels: { 'out-compat': String(process.pid) } });
    pods.push(second.podId);
    await runContainer(second.podId, second.config, 'runner2', ['sleep', '3600']);
    const ids = JSON.parse(crictl(['stats', '-a', '-o', 'json']).stdout).stats.map(
      (s: { attributes: { id: string } }) => s.attributes.id,
    );
    assert.ok(ids.length >= 3);
    assert.deepEqual(ids, [...ids].sort());
    const podIds = JSON.parse(
      crictl(['statsp', '-o', 'json', '--label', `out-compat=${process.pid}`]).stdout,
    ).stats.map((s: { attributes: { id: string } }) => s.attributes.id);
    assert.equal(podIds.length, 2);
    assert.deepEqual(podIds, [...podIds].sort());
  });

  test("statsp with nothing measurable fails with the runtime's reason", async () => {
    const label = `out-nocgroup-${process.pid}`;
    const { podId: bare } = await runPod('out-bare', { labels: { [label]: 'x' }, linux: {} });
    pods.push(bare);
    for (const args of [
      ['statsp', '--label', `${label}=x`],
      ['statsp', '-o', 'json', '--label', `${label}=x`],
      ['statsp', bare],
    ]) {
      const r = crictl(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /cgroupPath is empty.*linux\.cgroup_parent/);
      assert.equal(r.stdout, '');
    }
  });

  test("list JSON is protojson's (crictl master): unset messages left out, empty lists and maps inline", () => {
    const ps = crictl(['ps', '-a', '-o', 'json', '--id', created]);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /^ {6}"annotations": \{\},$/m);
    const stats = crictl(['stats', '-o', 'json', running]);
    assert.equal(stats.code, 0, stats.stderr);
    // containerd 1.6 sends no swap, io or psi figures: jsonpb (crictl 1.26) printed them as null.
    assert.ok(!stats.stdout.includes('null'), stats.stdout);
    assert.ok(!/\[\n\s*\]|\{\n\s*\}/.test(stats.stdout + ps.stdout), 'no empty list or map across two lines');
  });

  test('imagefsinfo: the reply as the status of one document; -o table as crictl master prints it', () => {
    const doc = JSON.parse(crictl(['imagefsinfo']).stdout);
    assert.deepEqual(Object.keys(doc), ['status']);
    assert.deepEqual(Object.keys(doc.status), ['containerFilesystems', 'imageFilesystems']);
    assert.match(doc.status.imageFilesystems[0].fsId.mountpoint, /^\//);
    const table = crictl(['imagefsinfo', '-o', 'table']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^Container Filesystem \n(.*\n)*Image Filesystem \nTimeStamp\[0\]: \d+\nDisk\[0\]: [\d.]+[kMG]?B\nInodes\[0\]: \d+\nMountpoint\[0\]: \/\S+\n/,
    );
  });

  test('config --list shows false and 0 for keys the file leaves out', () => {
    const dir = tempDir('crictl-out-config-');
    try {
      const file = join(dir, 'crictl.yaml');
      writeFileSync(file, 'runtime-endpoint: unix:///run/x.sock\n');
      const r = crictl(['--config', file, 'config', '--list'], { endpoint: null });
      assert.equal(r.code, 0, r.stderr);
      const rows = Object.fromEntries(
        r.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(/\s+/)),
      );
      assert.equal(rows['runtime-endpoint'], 'unix:///run/x.sock');
      assert.equal(rows.timeout, '0');
      assert.equal(rows.debug, 'false');
      assert.equal(rows['pull-image-on-create'], 'false');
      assert.equal(rows['disable-pull-on-run'], 'false');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
