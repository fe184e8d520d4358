// Flags crictl gained after v1.26 (rm --keep-logs, update --oom-score-adj, stop --all,
// pull --username) and rmi --prune/-a keeping what pods and containers need, against the lab
// containerd (and its password-protected registry).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  closeCri,
  cri,
  crictl,
  ENDPOINT,
  type LabRegistry,
  removePods,
  ROOT,
  runContainer,
  runPod,
  SKIP,
  startLabRegistry,
} from './harness.js';

const LAB = process.env.CRICTL_LAB_DIR ?? '';
const lines = (s: string) => s.split('\n').filter(Boolean);

describe('flags from crictl master on a real runtime', { skip: SKIP, timeout: 300_000 }, () => {
  const pods: string[] = [];
  const dirs: string[] = [];
  after(async () => {
    await removePods(pods);
    closeCri();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('rm removes the log file and its rotations (regular files only); --keep-logs keeps them', async () => {
    const { podId, config } = await runPod('keeplogs');
    pods.push(podId);
    const logDir = String(config.logDirectory);
    dirs.push(logDir);
    const gone = await runContainer(podId, config, 'gone', ['echo', 'hello']);
    const kept = await runContainer(podId, config, 'kept', ['echo', 'hello']);
    // Rotations as the kubelet names them, a neighbour that only shares a prefix, and a
    // directory that must not be touched.
    writeFileSync(join(logDir, 'gone.log.20260101-000000'), 'old\n');
    writeFileSync(join(logDir, 'gone.log.20260101-000000.gz'), 'older\n');
    writeFileSync(join(logDir, 'gonex.log'), 'neighbour\n');
    mkdirSync(join(logDir, 'gone.log.d'));
    writeFileSync(join(logDir, 'kept.log.1'), 'old\n');
    const waitExit = async (id: string) => {
      for (
        let i = 0;
        i < 100 && (await cri().runtime.containerStatus({ containerId: id })).status?.state !== 'CONTAINER_EXITED';
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
    };
    await waitExit(gone);
    await waitExit(kept);
    assert.ok(existsSync(join(logDir, 'gone.log')) && existsSync(join(logDir, 'kept.log')));

    const rm = crictl(['rm', gone]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout, `${gone}\n`);
    assert.equal(
      rm.stderr,
      `crictl: container ${gone}: ${join(logDir, 'gone.log.d')} is not a regular file; left alone\n`,
    );
    assert.deepEqual(
      readdirSync(logDir)
        .filter((f) => f.startsWith('gone'))
        .sort(),
      ['gone.log.d', 'gonex.log'],
    );

    const keep = crictl(['rm', '--keep-logs', kept]);
    assert.equal(keep.code, 0, keep.stderr);
    assert.equal(readFileSync(join(logDir, 'kept.log.1'), 'utf8'), 'old\n');
    assert.match(readFileSync(join(logDir, 'kept.log'), 'utf8'), /hello/);
  });

  test('update --oom-score-adj reaches the runtime; out-of-range values are refused', async () => {
    const { podId, config } = await runPod('oomadj');
    pods.push(podId);
    const ctr = await runContainer(podId, config, 'oom', ['sleep', '3600']);
    const r = crictl(['--debug', 'update', '--oom-score-adj', '-500', '--memory', '256m', ctr]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${ctr}\n`);
    // containerd 1.6 accepts the field but applies only the cgroup limits on update.
    assert.match(r.stderr, /request UpdateContainerResources: .*"oomScoreAdj":"-500"/);
    assert.equal(
      (await cri().runtime.containerStatus({ containerId: ctr })).status?.resources?.linux?.memoryLimitInBytes,
      String(256 * 1024 * 1024),
    );
    const bad = crictl(['update', '--oom-score-adj', '2000', ctr]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'crictl: --oom-score-adj "2000": expected a number from -1000 to 1000\n');
    // Windows-only limits are accepted and sent in the windows resources.
    const win = crictl(['--debug', 'update', '--cpu-count', '2', '--cpu-maximum', '5000', ctr]);
    assert.equal(win.code, 0, win.stderr);
    assert.match(win.stderr, /"windows":\{"cpuCount":"2","cpuMaximum":"5000"/);
  });

  test('stop --all stops every running container; not with IDs', async () => {
    const { podId, config } = await runPod('stopall');
    pods.push(podId);
    const a = await runContainer(podId, config, 'a', ['sleep', '3600']);
    const b = await runContainer(podId, config, 'b', ['sleep', '3600']);
    assert.equal(
      crictl(['stop', '--all', a]).stderr,
      'crictl: stop: cannot specify CONTAINER-ID(s) when using --all\n',
    );
    const r = crictl(['stop', '--all', '-t', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lines(r.stdout).includes(a) && lines(r.stdout).includes(b), r.stdout);
    for (const id of [a, b])
      assert.equal((await cri().runtime.containerStatus({ containerId: id })).status?.state, 'CONTAINER_EXITED');
    assert.equal(crictl(['stop', '--all']).stdout, 'No running containers found.\n');
  });

  test('inspect, inspectp and inspecti select by filters when no ID is given; images --filter before/since', async () => {
    const { podId, config } = await runPod('selectme');
    pods.push(podId);
    const ctr = await runContainer(podId, config, 'selected', ['sleep', '3600']);
    const byName = JSON.parse(crictl(['inspect', '--name', '^selected$', '-q']).stdout);
    assert.equal(byName.status.id, ctr);
    const byPod = JSON.parse(crictl(['inspect', '-p', podId, '-a']).stdout);
    assert.equal(byPod.status.id, ctr);
    const pod = JSON.parse(crictl(['inspectp', '--name', String(config.metadata?.name), '-q']).stdout);
    assert.equal(pod.status.id, podId);
    const none = crictl(['inspectp', '--name', '^no-such-pod$']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^crictl: No IDs provided or nothing found per filter/);
    const image = JSON.parse(crictl(['inspecti', '--name', 'busybox:1.33.1', '-q']).stdout);
    assert.deepEqual(image.status.repoTags, ['docker.io/library/busybox:1.33.1']);
    // before/since are positions in the runtime's own list order (as in crictl), which containerd
    // does not keep from one call to the next: check what holds for any order.
    const all = lines(crictl(['images', '-q']).stdout).sort();
    const pauseId = lines(crictl(['images', '-q', 'registry.k8s.io/pause:3.6']).stdout)[0];
    const ids = (filter: string) => lines(crictl(['images', '-q', '--filter', filter]).stdout);
    for (const filter of ['since=registry.k8s.io/pause:3.6', 'before=registry.k8s.io/pause:3.6']) {
      const got = ids(filter);
      assert.ok(!got.includes(pauseId), filter);
      assert.ok(
        got.every((id) => all.includes(id)),
        filter,
      );
    }
    // A reference that is not there cuts nothing.
    assert.deepEqual(ids('since=registry.example/none:1').sort(), all);
    assert.equal(
      crictl(['images', '--filter', 'since=']).stderr,
      'crictl: --filter "since=": expected since=NAME[:TAG], an image ID or NAME@DIGEST\n',
    );
  });

  test('rmi --prune, -q and -a keep the sandbox (pause) image and images containers use', async () => {
    const script = join(ROOT, 'scripts/runtime-lab.sh');
    const labDir = LAB || ENDPOINT.replace(/^unix:\/\//, '').replace(/\/containerd\.sock$/, '');
    const { podId, config } = await runPod('prune');
    pods.push(podId);
    // A created container is enough to make busybox "in use".
    await runContainer(podId, config, 'user', ['true'], false);
    for (const flags of [['--prune'], ['-q'], ['-a']]) {
      const extra = `docker.io/library/crictl-prune-${process.pid}:${flags[0].replace(/-/g, '')}`;
      execFileSync('bash', [script, 'test-image', labDir, extra], { stdio: 'ignore' });
      const r = crictl(['rmi', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Deleted: ${extra}\n`, flags.join(' '));
      assert.match(
        r.stderr,
        /^Kept: registry\.k8s\.io\/pause:3\.6 \(the runtime's sandbox image \(registry\.k8s\.io\/pause:3\.6\); removing it breaks every new pod\)$/m,
      );
      assert.match(r.stderr, /^Kept: docker\.io\/library\/busybox:1\.33\.1 \(used by \d+ containers?\)$/m);
      const left = crictl(['images', '-o', 'json']).stdout;
      assert.ok(left.includes('registry.k8s.io/pause:3.6') && left.includes('docker.io/library/busybox:1.33.1'));
      assert.ok(!left.includes(extra));
    }
    // Pods can still be made: pause is there.
    const { podId: after } = await runPod('prune-after');
    pods.push(after);
    assert.equal(
      crictl(['rmi', '--prune', 'busybox:1.33.1']).stderr,
      'crictl: rmi: give image IDs or --prune, not both\n',
    );
  });
});

describe('pull --username with the password on stdin, against the lab registry', {
  skip: SKIP || (!LAB && 'needs CRICTL_LAB_DIR'),
  timeout: 300_000,
}, () => {
  let registry: LabRegistry | undefined;

  after(() => {
    registry?.down();
  });

  test('the password read from stdin reaches the registry; a wrong one is refused by it', () => {
    registry = startLabRegistry();
    const { address, password } = registry;
    const image = `${address}/test/busybox:pulltest`;
    const wrong = crictl(['pull', '-u', 'crictl', image], { input: 'not-the-password\n' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /401 Unauthorized/);
    const r = crictl(['pull', '--username', 'crictl', image], { input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Image is up to date for sha256:[0-9a-f]{64}\n$/);
    assert.ok(!(r.stdout + r.stderr).includes(password));
    assert.equal(crictl(['rmi', '--quiet', image]).code, 0);
  });
});
