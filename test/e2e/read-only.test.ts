// Read-only commands against the real lab containerd: tables, JSON, filters, errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BUSYBOX, closeCri, cri, crictl, removePods, runContainer, runPod, SKIP, tempFile } from './harness.js';

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const header = (s: string) => lines(s)[0].split(/\s{2,}/);

describe('read-only commands on a real runtime', { skip: SKIP }, () => {
  const pods: string[] = [];
  let podA: string;
  let podB: string;
  let running: string;
  let created: string;
  let podACfg: Awaited<ReturnType<typeof runPod>>['config'];

  before(async () => {
    const a = await runPod('ro-alpha', { labels: { tier: 'front' } });
    const b = await runPod('ro-beta', { labels: { tier: 'back' } });
    podA = a.podId;
    podB = b.podId;
    podACfg = a.config;
    pods.push(podA, podB);
    running = await runContainer(podA, a.config, 'sleeper', ['sleep', '3600']);
    created = await runContainer(podB, b.config, 'idle', ['sleep', '3600'], false);
  });

  after(async () => {
    await removePods(pods);
    closeCri();
  });

  test("version prints crictl's four lines and JSON on request", () => {
    const r = crictl(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Version: {2}\d+\.\d+\.\d+\nRuntimeName: {2}containerd\nRuntimeVersion: {2}\S+\nRuntimeApiVersion: {2}v1\n$/,
    );
    const json = JSON.parse(crictl(['version', '-o', 'json']).stdout);
    assert.equal(json.runtimeName, 'containerd');
  });

  test('info shows conditions and the decoded config', () => {
    const r = crictl(['info']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    const ready = info.status.conditions.find((c: { type: string }) => c.type === 'RuntimeReady');
    assert.equal(ready.status, true);
    assert.equal(typeof info.config, 'object', "the info map's JSON strings are embedded as objects");
    // crictl master re-marshals a Go map: top-level keys sorted (1.26 put status first).
    assert.deepEqual(Object.keys(info), [...Object.keys(info)].sort());
    const tpl = crictl([
      'info',
      '-o',
      'go-template',
      '--template',
      '{{range .status.conditions}}{{.type}}={{.status}} {{end}}',
    ]);
    assert.match(tpl.stdout, /RuntimeReady=true NetworkReady=true/);
    assert.match(crictl(['info', '-o', 'yaml']).stdout, /^config:\n/m);
  });

  test('pods: crictl columns, newest first, filters', () => {
    const r = crictl(['pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(header(r.stdout), ['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME']);
    const ours = lines(r.stdout).filter((l) => l.includes('ro-'));
    assert.equal(ours.length, 2);
    assert.match(
      ours[0],
      /^[0-9a-f]{13} {7}(Less than a second|\d+ seconds?|About a minute) ago\s+Ready\s+ro-beta-\d+-\d+\s+e2e\s+0\s+\(default\)$/,
    );
    assert.ok(ours[1].startsWith(podA.slice(0, 13)));

    assert.deepEqual(lines(crictl(['pods', '-q', '--label', 'tier=front']).stdout), [podA]);
    assert.deepEqual(lines(crictl(['pods', '-q', '--name', '^ro-beta']).stdout), [podB]);
    assert.deepEqual(lines(crictl(['pods', '-q', '--namespace', 'e2e', '--latest']).stdout), [podB]);
    assert.deepEqual(lines(crictl(['pods', '-q', '--id', podA.slice(0, 8)]).stdout), [podA]);
    assert.ok(crictl(['pods', '--no-trunc']).stdout.includes(podA));
    assert.deepEqual(lines(crictl(['pods', '-q', '--state', 'NotReady', '--label', 'tier=front']).stdout), []);
    const bad = crictl(['pods', '--state', 'sleepy']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'crictl: --state "sleepy": must be ready or notready\n');
  });

  test("pods -o json carries what the runtime returned, in crictl's JSON form", async () => {
    const json = JSON.parse(crictl(['pods', '-o', 'json', '--label', 'tier=front']).stdout);
    const { items } = await cri().runtime.listPodSandbox({ filter: { id: podA } });
    assert.equal(json.items.length, 1);
    const item = json.items[0];
    assert.deepEqual(Object.keys(item).slice(0, 7), [
      'id',
      'metadata',
      'state',
      'createdAt',
      'labels',
      'annotations',
      'runtimeHandler',
    ]);
    assert.equal(item.id, podA);
    assert.equal(item.createdAt, items[0].createdAt);
    assert.equal(typeof item.createdAt, 'string');
    assert.equal(item.state, 'SANDBOX_READY');
    assert.deepEqual(item.metadata, {
      name: podACfg.metadata!.name,
      uid: podACfg.metadata!.uid,
      namespace: 'e2e',
      attempt: 0,
    });
    const yaml = crictl(['pods', '-o', 'yaml', '--label', 'tier=front']).stdout;
    assert.match(yaml, /^items:\n- annotations: \{\}\n {2}createdAt: "\d+"\n {2}id: [0-9a-f]{64}\n/);
  });

  test('ps: running by default, -a for all, crictl columns', () => {
    const r = crictl(['ps']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(header(r.stdout), [
      'CONTAINER',
      'IMAGE',
      'CREATED',
      'STATE',
      'NAME',
      'ATTEMPT',
      'POD ID',
      'POD',
      'NAMESPACE',
    ]);
    const row = lines(r.stdout).find((l) => l.startsWith(running.slice(0, 13)));
    assert.ok(row, 'running container listed');
    assert.match(row!, /\s+Running\s+sleeper\s+0\s+[0-9a-f]{13}\s+ro-alpha-\d+-\d+\s+e2e$/);
    assert.ok(!r.stdout.includes(created.slice(0, 13)), 'created container hidden without -a');
    assert.ok(crictl(['ps', '-a']).stdout.includes(created.slice(0, 13)));
    assert.deepEqual(lines(crictl(['ps', '-a', '-q', '--pod', podB]).stdout), [created]);
    assert.deepEqual(
      lines(crictl(['ps', '-q', '--state', 'created']).stdout).filter((id) => id === created),
      [created],
    );
    assert.deepEqual(
      lines(crictl(['ps', '-a', '-q', '--name', '^sleep']).stdout).filter((id) => id === running),
      [running],
    );
    assert.ok(lines(crictl(['ps', '-a', '-q', '--image', 'busybox']).stdout).includes(running));
    assert.deepEqual(lines(crictl(['ps', '-a', '-q', '--image', 'nonexistent-image']).stdout), []);
    assert.deepEqual(lines(crictl(['ps', '-q', '--label', 'crictl-e2e-container=sleeper']).stdout), [running]);
  });

  test('ps -o json: ListContainersResponse with every field', () => {
    const json = JSON.parse(crictl(['ps', '-a', '-o', 'json', '--pod', podA]).stdout);
    assert.equal(json.containers.length, 1);
    const c = json.containers[0];
    assert.deepEqual(Object.keys(c).slice(0, 9), [
      'id',
      'podSandboxId',
      'metadata',
      'image',
      'imageRef',
      'state',
      'createdAt',
      'labels',
      'annotations',
    ]);
    assert.equal(c.state, 'CONTAINER_RUNNING');
    assert.equal(c.podSandboxId, podA);
    assert.match(c.imageRef, /^sha256:[0-9a-f]{64}$/);
  });

  test('images: columns, tags, IDs, digests, JSON', () => {
    const r = crictl(['images']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(header(r.stdout), ['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']);
    assert.match(r.stdout, /^docker\.io\/library\/busybox\s+1\.33\.1\s+[0-9a-f]{13}\s+\d+(\.\d+)?[kM]B$/m);
    assert.match(r.stdout, /^registry\.k8s\.io\/pause\s+3\.6\s+/m);
    assert.deepEqual(header(crictl(['images', '--digests']).stdout), ['IMAGE', 'TAG', 'DIGEST', 'IMAGE ID', 'SIZE']);
    const ids = lines(crictl(['images', '-q']).stdout);
    assert.ok(ids.every((id) => /^sha256:[0-9a-f]{64}$/.test(id)));
    const json = JSON.parse(crictl(['images', '-o', 'json']).stdout);
    const busybox = json.images.find((i: { repoTags: string[] }) => i.repoTags.includes(BUSYBOX));
    assert.ok(busybox);
    assert.equal(typeof busybox.size, 'string');
    assert.deepEqual(lines(crictl(['images', '-q', BUSYBOX]).stdout), [busybox.id]);
    assert.deepEqual(lines(crictl(['image', '-q', '--filter', 'reference=pause']).stdout).length, 1);
  });

  test('inspect/inspectp/inspecti: status plus decoded info; prefixes and names resolve', () => {
    const c = JSON.parse(crictl(['inspect', running.slice(0, 10)]).stdout);
    assert.equal(c.status.id, running);
    assert.equal(c.status.state, 'CONTAINER_RUNNING');
    assert.equal(typeof c.info.pid, 'number');
    const byName = JSON.parse(crictl(['inspect', 'sleeper']).stdout);
    assert.equal(byName.status.id, running);
    const p = JSON.parse(crictl(['inspectp', podA.slice(0, 10)]).stdout);
    assert.equal(p.status.id, podA);
    assert.match(p.status.network.ip, /^\d+\.\d+\.\d+\.\d+$/);
    const two = JSON.parse(crictl(['inspectp', podA, podB]).stdout);
    assert.ok(Array.isArray(two));
    assert.deepEqual(
      two.map((x: { status: { id: string } }) => x.status.id),
      [podA, podB],
    );
    const i = JSON.parse(crictl(['inspecti', BUSYBOX]).stdout);
    assert.ok(i.status.repoTags.includes(BUSYBOX));
    assert.equal(
      crictl(['inspect', '-o', 'go-template', '--template', '{{.status.metadata.name}}', running]).stdout,
      'sleeper\n',
    );
    assert.match(crictl(['inspect', '-o', 'yaml', running]).stdout, /^info:\n/);
    assert.match(crictl(['inspect', '-o', 'table', running]).stdout, /^ID: [0-9a-f]{64}\nName: sleeper\n/);
  });

  test('unknown and ambiguous IDs: one line, exit 1', () => {
    const none = crictl(['inspect', 'doesnotexist']);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'crictl: container "doesnotexist" not found\n');
    const nonePod = crictl(['inspectp', 'f'.repeat(64)]);
    assert.equal(nonePod.code, 1);
    assert.equal(lines(nonePod.stderr).length, 1);
    // Two pods exist; the empty-ish prefix "" is refused, a one-hex-digit prefix is likely shared.
    for (const weird of ['a;rm -rf /', '$(reboot)', '../../etc/passwd', '*']) {
      const r = crictl(['inspect', weird]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `crictl: container "${weird}" not found\n`);
    }
    const empty = crictl(['inspectp', '']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /ID cannot be empty/);
  });

  test('ambiguous prefixes list the matches', async () => {
    // Find a prefix two of our pods share by creating pods until two IDs share a first digit.
    const all = [podA, podB];
    while (!all.some((x, i) => all.some((y, j) => i !== j && x[0] === y[0]))) {
      const { podId } = await runPod('ro-extra');
      pods.push(podId);
      all.push(podId);
    }
    const { items } = await cri().runtime.listPodSandbox({});
    const counts = new Map<string, number>();
    for (const it of items) counts.set(it.id[0], (counts.get(it.id[0]) ?? 0) + 1);
    const shared = [...counts.entries()].find(([, n]) => n > 1)![0];
    const r = crictl(['inspectp', shared]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^crictl: pod sandbox "${shared}" is ambiguous: matches \\d+: `));
    assert.equal(lines(r.stderr).length, 1);
  });

  test('stats and statsp report real usage', () => {
    const s = crictl(['stats', '-o', 'json', running]);
    assert.equal(s.code, 0, s.stderr);
    const stats = JSON.parse(s.stdout).stats;
    assert.equal(stats.length, 1);
    assert.equal(stats[0].attributes.id, running);
    assert.ok(Number(stats[0].memory.workingSetBytes.value) > 0);
    const table = crictl(['stats', '--seconds', '1']);
    assert.deepEqual(header(table.stdout), ['CONTAINER', 'NAME', 'CPU %', 'MEM', 'DISK', 'INODES', 'SWAP']);
    assert.match(
      table.stdout,
      new RegExp(`^${running.slice(0, 13)}\\s+sleeper\\s+\\d+\\.\\d\\d\\s+\\S+B\\s+\\S+B\\s+\\d+\\s+\\S+B$`, 'm'),
    );
    const p = crictl(['statsp', '-o', 'json', podA]);
    assert.equal(p.code, 0, p.stderr);
    const podStats = JSON.parse(p.stdout).stats;
    assert.equal(podStats[0].attributes.id, podA);
    const pt = crictl(['statsp']);
    assert.deepEqual(header(pt.stdout), ['POD', 'POD ID', 'CPU %', 'MEM']);
    assert.match(pt.stdout, new RegExp(`^ro-alpha-\\d+-\\d+\\s+${podA.slice(0, 13)}\\s+\\d+\\.\\d\\d\\s+\\S+B$`, 'm'));
  });

  test('imagefsinfo and runtime-config', () => {
    // crictl prints the reply as the status of an inspect-style document.
    const fs = JSON.parse(crictl(['imagefsinfo']).stdout).status;
    assert.ok(fs.imageFilesystems.length >= 1);
    assert.match(fs.imageFilesystems[0].fsId.mountpoint, /^\//);
    const rc = crictl(['runtime-config']);
    // containerd 1.6 predates the RuntimeConfig rpc: then a clear one-line error is right.
    if (rc.code === 0) assert.match(rc.stdout, /cgroup driver: (SYSTEMD|CGROUPFS)/);
    else
      assert.match(
        rc.stderr,
        /^crictl: RuntimeConfig: not supported by the runtime at unix:\/\/\S+ \(UNIMPLEMENTED: .*\)\n$/,
      );
  });

  test('bad input: one clear line and exit 1', () => {
    const noSock = crictl(['--max-retries', '0', 'ps'], { endpoint: 'unix:///tmp/crictl-e2e-none.sock' });
    assert.equal(noSock.code, 1);
    assert.equal(
      noSock.stderr,
      'crictl: connect unix:///tmp/crictl-e2e-none.sock: no such file or directory (is the runtime running?)\n',
    );
    const flag = crictl(['ps', '--bogus']);
    assert.equal(flag.code, 1);
    assert.equal(flag.stderr, 'crictl: ps: unknown flag --bogus; usage: crictl ps [OPTIONS]\n');
    const cmd = crictl(['pss']);
    assert.equal(cmd.code, 1);
    assert.match(cmd.stderr, /^crictl: unknown command "pss" \(did you mean "ps"\?\)/);
    const cfg = tempFile('crictl.yaml', 'runtime-endpoint: [oops\n');
    const badCfg = crictl(['ps'], { endpoint: null, env: { CRI_CONFIG_FILE: cfg } });
    assert.equal(badCfg.code, 1);
    assert.match(badCfg.stderr, new RegExp(`^crictl: ${cfg}:\\d+: invalid YAML: .*\\n$`));
    const goodCfg = tempFile('crictl.yaml', `runtime-endpoint: ${process.env.CRICTL_TEST_ENDPOINT}\ntimeout: 10\n`);
    const viaCfg = crictl(['version'], { endpoint: null, env: { CRI_CONFIG_FILE: goodCfg } });
    assert.equal(viaCfg.code, 0, viaCfg.stderr);
    assert.equal(viaCfg.stderr, '');
  });
});
