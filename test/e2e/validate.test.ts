// validate against the real lab containerd: a focused run passes and leaves nothing, ctrl-c in
// the middle exits 130 and removes what the running checks made, --cleanup removes leftovers by
// label, and --images-from loads the test image through containerd's image API.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RUN_LABEL } from '../../src/validate/context.js';
import { tempDir, NO_CONFIG } from '../tmp.js';
import {
  BUSYBOX,
  CLI,
  closeCri,
  cri,
  crictl,
  ENDPOINT,
  LAB_DIR,
  removePods,
  ROOT,
  reimportLabImage,
  runPod,
  SKIP,
} from './harness.js';

/** Pods of validate runs on the lab (any run). */
async function validatePods(): Promise<string[]> {
  const { items } = await cri().runtime.listPodSandbox({});
  return items.filter((p) => p.labels[RUN_LABEL] !== undefined).map((p) => p.id);
}

async function validateContainers(): Promise<string[]> {
  const { containers } = await cri().runtime.listContainers({});
  return containers.filter((c) => c.labels[RUN_LABEL] !== undefined).map((c) => c.id);
}

/** cgroup directories (cgroupfs) left from pod/cgroup-parent's cgroup parents. */
const cgroupDirs = () =>
  ['/sys/fs/cgroup', ...readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h))].flatMap((dir) => {
    try {
      return readdirSync(dir).filter((f) => f.startsWith('crictltsvalidate'));
    } catch {
      return [];
    }
  });

/** validate's host directories (volumes, log dirs) that exist now. */
const hostDirs = () => new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('crictl-ts-validate-')));

describe('validate', { skip: SKIP }, () => {
  after(closeCri);

  test('a focused run passes, reports JSON and JUnit, and leaves no pod, container or directory', async () => {
    const dir = tempDir('validate-');
    const dirsBefore = hostDirs();
    const r = crictl(
      [
        'validate',
        '--focus',
        '^(pod/run|pod/cgroup-parent|container/exec-sync-timeout|logs/reopen|security/read-only-rootfs-true)$',
        '--parallel',
        '2',
        '--json',
        join(dir, 'r.json'),
        '--junit',
        join(dir, 'r.xml'),
      ],
      { timeoutMs: 240_000 },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\n5 passed, 0 failed, 0 skipped in /);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as {
      checks: { name: string; status: string; critest: string }[];
    };
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.status]),
      [
        ['pod/run', 'passed'],
        ['pod/cgroup-parent', 'passed'],
        ['container/exec-sync-timeout', 'passed'],
        ['logs/reopen', 'passed'],
        ['security/read-only-rootfs-true', 'passed'],
      ],
    );
    assert.equal(
      report.checks[2].critest,
      '[k8s.io] Container runtime should support basic operations on container runtime should support execSync with timeout [Conformance]',
    );
    assert.match(
      readFileSync(join(dir, 'r.xml'), 'utf8'),
      /<testsuites name="crictl-ts validate" tests="5" failures="0"/,
    );
    assert.deepEqual(await validatePods(), []);
    assert.deepEqual(await validateContainers(), []);
    assert.deepEqual(
      [...hostDirs()].filter((d) => !dirsBefore.has(d)),
      [],
    );
    assert.deepEqual(cgroupDirs(), [], 'the cgroup parent made for the check is removed');
  });

  test('ctrl-c mid-run: exit 130, and nothing is left behind by label', async () => {
    const dirsBefore = hostDirs();
    const child = spawn(CLI, ['-r', ENDPOINT, 'validate', '--focus', '^(container|logs)/', '--parallel', '3'], {
      env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupt once the checks have made pods and containers (bounded wait).
    const end = Date.now() + 60_000;
    while ((await validateContainers()).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await validateContainers()).length > 0, `validate made no container in 60s: ${out}`);
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 130, out);
    assert.match(out, /interrupted/);
    assert.deepEqual(await validatePods(), [], out);
    assert.deepEqual(await validateContainers(), [], out);
    assert.deepEqual(
      [...hostDirs()].filter((d) => !dirsBefore.has(d)),
      [],
    );
  });

  test('--cleanup removes pods of earlier runs by label, and only those', async () => {
    const leftover = await runPod('validate-leftover', { labels: { [RUN_LABEL]: 'earlier-run' } });
    const bystander = await runPod('validate-bystander');
    try {
      const r = crictl(['validate', '--cleanup']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Removed pod sandbox ${leftover.podId}\n`);
      assert.deepEqual(await validatePods(), []);
      const { items } = await cri().runtime.listPodSandbox({ filter: { id: bystander.podId } });
      assert.equal(items.length, 1, 'a pod without the label is left alone');
    } finally {
      await removePods([leftover.podId, bystander.podId]);
    }
  });

  test('--images-from loads the test image archive before the checks', () => {
    const r = crictl(['validate', '--images-from', join(LAB_DIR, 'images', 'busybox.tar'), '--focus', '^image/list$']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Loaded image: docker\.io\/library\/busybox:1\.33\.1\n/);
    assert.match(r.stdout, /PASS {2}image\/list/);
  });

  test('bad input: one line naming the flag, before anything runs', () => {
    const r = crictl(['validate', '--focus', '(']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^crictl: --focus \(: not a valid regular expression/);
    const missing = crictl(['validate', '--rerun-failed', join(tempDir('v-'), 'none.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--rerun-failed .*none\.json: no such file\n$/);
  });

  describe('the pull checks, with a registry', { timeout: 300_000 }, () => {
    const dir = join(tempDir('validate-registry-'), 'reg');
    const script = join(ROOT, 'scripts/registry-lab.sh');
    let address = '';
    let creds = '';
    before(() => {
      address = execFileSync('bash', [script, 'up', dir, LAB_DIR], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
        .trim()
        .split('\n')
        .pop()!;
      creds = `crictl:${readFileSync(join(dir, 'password'), 'utf8').trim()}`;
    });
    after(() => execFileSync('bash', [script, 'down', dir, LAB_DIR], { stdio: 'ignore' }));

    const imageIds = async () =>
      (await cri().image.listImages({})).images.map((i) => `${i.id} ${i.repoTags.join(',')}`).sort();

    test('--registry: an image of the run is pushed, pulled by tag and by digest, and removed', async () => {
      const earlier = await imageIds();
      const r = crictl(['validate', '--focus', '^image/pull', '--registry', address, '--creds', creds]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^Pushed image: ${address.replace(/\./g, '\\.')}/crictl-ts-validate/pull:[0-9a-f]{12}\n`),
      );
      assert.match(r.stdout, /PASS {2}image\/pull-tag/);
      assert.match(r.stdout, /PASS {2}image\/pull-digest/);
      assert.deepEqual(await imageIds(), earlier, 'the images are as they were');
    });

    test('--registry with wrong credentials: one line naming the registry', () => {
      const r = crictl(['validate', '--focus', '^image/pull', '--registry', address, '--creds', 'crictl:wrong']);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`^crictl: --registry ${address.replace(/\./g, '\\.')}: start upload: HTTP 401`),
      );
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1);
    });

    test('the test image under another name is not pulled and removed (removal would take the test image too)', async () => {
      const image = `${address}/test/busybox:pulltest`;
      try {
        const r = crictl(['validate', '--focus', '^image/pull-tag$', '--pull-image', image, '--creds', creds]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(
          r.stdout,
          new RegExp(`SKIP {2}image/pull-tag .*the same image as .*${BUSYBOX.replace(/\./g, '\\.')}`),
        );
        const { image: test } = await cri().image.imageStatus({ image: { image: BUSYBOX } });
        assert.ok(test, 'the test image is still there');
      } finally {
        // containerd removes an image under all its names: the lab's busybox goes too, and comes back.
        await cri().image.removeImage({ image: { image } });
        reimportLabImage('busybox');
      }
    });
  });
});
