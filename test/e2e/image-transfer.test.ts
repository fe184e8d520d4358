// load, save and tag through containerd's own API, against the lab containerd: round trips keep
// every file and the image ID, loaded images run at once, bad archives leave nothing behind.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ContainerdClient } from '../../src/containerd/client.js';
import {
  BUSYBOX,
  CLI,
  closeCri,
  crictl,
  ENDPOINT,
  reimportLabImage,
  removePods,
  runContainer,
  runPod,
  SKIP,
} from './harness.js';
import { dockerArchive, largeDockerArchive, ociArchive, randomChunks, sha256, writeArchive } from './image-builder.js';
import { NO_CONFIG, tempDir } from '../tmp.js';

const LAB = process.env.CRICTL_LAB_DIR ?? '';
const lines = (s: string) => s.split('\n').filter(Boolean);
const sorted = (s: string) => lines(s).sort().join('\n');
const BB = readFileSync('/bin/busybox');

/** crictl with bytes on its standard input. */
function crictlFed(args: string[], input: Buffer) {
  const r = spawnSync(CLI, ['-r', ENDPOINT, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('load, save, tag (containerd)', { skip: SKIP, timeout: 600_000 }, () => {
  let ctd: ContainerdClient;
  let dir: string;
  const pods: string[] = [];
  /** IDs of images this file creates. */
  const made: string[] = [];

  before(() => {
    ctd = new ContainerdClient(ENDPOINT, { timeoutMs: 60_000 });
    dir = tempDir('crictl-transfer-');
  });

  after(async () => {
    await removePods(pods);
    // Images made here go by ID (every name and record); names given to busybox go one by one.
    for (const id of made) crictl(['rmi', id]);
    for (const name of ['docker.io/crictl-e2e/tagged:v1', 'docker.io/crictl-e2e/tagged:v2']) {
      await ctd.images.delete({ name }).catch(() => undefined);
    }
    // Other tests use the lab's busybox: make sure it is there, whatever happened here.
    if (!crictl(['images', '-q', BUSYBOX]).stdout.trim() && LAB) {
      reimportLabImage('busybox');
    }
    ctd.close();
    closeCri();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs garbage collection now (deleting a lease with sync does), so the store shows only what is referenced. */
  async function collect(): Promise<void> {
    const id = `crictl-e2e-gc-${process.pid}`;
    await ctd.leases.create({ id });
    await ctd.leases.delete({ id, sync: true });
  }

  async function contentDigests(): Promise<string[]> {
    const out: string[] = [];
    for await (const r of ctd.content.list({})) out.push(...r.info.map((i) => i.digest));
    return out.sort();
  }

  async function leftovers(): Promise<string[]> {
    const { leases } = await ctd.leases.list({});
    return leases.map((l) => l.id).filter((id) => id.startsWith('crictl-ts-'));
  }

  function imageId(ref: string): string {
    const r = crictl(['inspecti', '-q', ref]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { status: { id: string } }).status.id;
  }

  async function runIn(image: string, name: string, command: string[]): Promise<string> {
    const { podId, config } = await runPod('transfer');
    pods.push(podId);
    const { cri } = await import('./harness.js');
    const { containerId } = await cri().runtime.createContainer({
      podSandboxId: podId,
      config: { metadata: { name }, image: { image }, command, logPath: `${name}.log` },
      sandboxConfig: config,
    });
    await cri().runtime.startContainer({ containerId });
    return containerId;
  }

  test('save the lab busybox, rmi it, load it back: images lists its tag, and runp/create/start/exec run it', async () => {
    const id = imageId(BUSYBOX);
    const archive = join(dir, 'busybox.tar');
    const save = crictl(['save', '-o', archive, BUSYBOX]);
    assert.equal(save.code, 0, save.stderr);
    assert.equal(save.stdout, '');
    assert.equal(crictl(['rmi', BUSYBOX]).code, 0);
    assert.ok(!crictl(['images']).stdout.includes('busybox'));

    const load = crictl(['load', '-i', archive]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, `Loaded image: ${BUSYBOX}\n`);
    assert.match(
      crictl(['images']).stdout,
      new RegExp(`^docker\\.io/library/busybox\\s+1\\.33\\.1\\s+${id.slice(7, 20)}\\s`, 'm'),
    );
    assert.equal(imageId(BUSYBOX), id);

    // The runtime unpacks it on first use.
    const { podId, config } = await runPod('transfer-bb');
    pods.push(podId);
    const cid = await runContainer(podId, config, 'loaded', ['sleep', '1000']);
    const exec = crictl(['exec', '-s', cid, 'echo', 'from-loaded']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, 'from-loaded\n');
  });

  test('a two-layer image with a whiteout: load (from stdin), run, save, reload keep every file and the ID', async () => {
    const built = ociArchive('docker.io/crictl-e2e/layers:v1', [
      { 'bin/busybox': BB, 'a/file1': 'one\n', 'a/removed': 'gone\n', 'a/sub': null },
      { 'b/file2': 'two\n', 'a/.wh.removed': '' },
    ]);
    made.push(built.id);
    try {
      const load = crictlFed(['load'], readFileSync(built.path));
      assert.equal(load.code, 0, load.stderr);
      assert.equal(load.stdout, 'Loaded image: docker.io/crictl-e2e/layers:v1\n');
      assert.equal(imageId('docker.io/crictl-e2e/layers:v1'), built.id);

      const cid = await runIn('docker.io/crictl-e2e/layers:v1', 'layers', ['/bin/busybox', 'sleep', '1000']);
      const cat = crictl(['exec', '-s', cid, '/bin/busybox', 'cat', '/a/file1', '/b/file2']);
      assert.equal(cat.stdout, 'one\ntwo\n', cat.stderr);
      const ls = crictl(['exec', '-s', cid, '/bin/busybox', 'ls', '-a', '/a']);
      assert.deepEqual(
        lines(ls.stdout).filter((l) => l !== '.' && l !== '..'),
        ['file1', 'sub'],
      );
      await removePods(pods.splice(0));

      for (const format of ['oci', 'docker']) {
        const out = join(dir, `layers-${format}.tar`);
        const save = crictl(['save', '--format', format, '-o', out, 'docker.io/crictl-e2e/layers:v1']);
        assert.equal(save.code, 0, save.stderr);
        const names = execFileSync('tar', ['tf', out], { encoding: 'utf8' });
        const blobs = lines(names)
          .filter((n) => /^blobs\/sha256\/[0-9a-f]{64}$/.test(n))
          .map((n) => `sha256:${n.slice(13)}`);
        assert.deepEqual(blobs.sort(), [...built.blobs].sort());
        // Every blob's bytes match its name.
        for (const b of blobs)
          assert.equal(
            sha256(execFileSync('tar', ['xOf', out, `blobs/sha256/${b.slice(7)}`], { maxBuffer: 64 << 20 })),
            b,
          );
        if (format === 'docker') {
          const manifest = JSON.parse(execFileSync('tar', ['xOf', out, 'manifest.json'], { encoding: 'utf8' })) as {
            RepoTags: string[];
            Config: string;
          }[];
          assert.deepEqual(
            manifest.map((m) => m.RepoTags),
            [['docker.io/crictl-e2e/layers:v1']],
          );
          assert.equal(manifest[0].Config, `blobs/sha256/${built.id.slice(7)}`);
        }
        assert.equal(crictl(['rmi', 'docker.io/crictl-e2e/layers:v1']).code, 0);
        const again = crictl(['load', '-i', out]);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(imageId('docker.io/crictl-e2e/layers:v1'), built.id);
      }

      // containerd's own importer reads what save writes (in a namespace of its own).
      const ns = `crictl-e2e-${process.pid}`;
      const ctr = (...args: string[]) =>
        execFileSync('ctr', ['--address', ENDPOINT.replace(/^unix:\/\//, ''), '-n', ns, ...args], { encoding: 'utf8' });
      // (not unpacked: snapshots would keep the namespace from being removed afterwards)
      ctr('images', 'import', '--no-unpack', join(dir, 'layers-oci.tar'));
      assert.match(ctr('images', 'ls', '-q'), /docker\.io\/crictl-e2e\/layers:v1/);
      ctr('images', 'rm', '--sync', 'docker.io/crictl-e2e/layers:v1');
      execFileSync('ctr', ['--address', ENDPOINT.replace(/^unix:\/\//, ''), 'namespaces', 'rm', ns], {
        stdio: 'ignore',
      });
      assert.ok(
        !execFileSync('ctr', ['--address', ENDPOINT.replace(/^unix:\/\//, ''), 'namespaces', 'ls', '-q'], {
          encoding: 'utf8',
        }).includes(ns),
        `namespace ${ns} left behind`,
      );
    } finally {
      built.cleanup();
    }
  });

  test('a classic docker save archive (uncompressed layers, manifest.json) loads and runs; --name renames', async () => {
    const built = dockerArchive('crictl-e2e/dockerfmt:v1', [{ 'bin/busybox': BB, 'x/file': 'x\n' }]);
    made.push(built.id);
    try {
      const load = crictl(['load', '-i', built.path]);
      assert.equal(load.code, 0, load.stderr);
      assert.equal(load.stdout, 'Loaded image: docker.io/crictl-e2e/dockerfmt:v1\n');
      assert.equal(imageId('docker.io/crictl-e2e/dockerfmt:v1'), built.id);
      const cid = await runIn('docker.io/crictl-e2e/dockerfmt:v1', 'dockerfmt', ['/bin/busybox', 'sleep', '1000']);
      assert.equal(crictl(['exec', '-s', cid, '/bin/busybox', 'cat', '/x/file']).stdout, 'x\n');
      await removePods(pods.splice(0));

      const renamed = crictl(['load', '--name', 'crictl-e2e/tagged:v2', '-i', built.path]);
      assert.equal(renamed.code, 0, renamed.stderr);
      assert.equal(renamed.stdout, 'Loaded image: docker.io/crictl-e2e/tagged:v2\n');
      assert.equal(imageId('docker.io/crictl-e2e/tagged:v2'), built.id);
      const bad = crictl(['load', '--name', 'Not Valid', '-i', built.path]);
      assert.equal(bad.code, 1);
      assert.equal(
        bad.stderr,
        'crictl: --name "Not Valid": not a valid image reference (expected [REGISTRY/]REPOSITORY[:TAG], lower case)\n',
      );
    } finally {
      built.cleanup();
    }
  });

  test('tag gives an image more names; bad source or target: one line, exit 1', async () => {
    const id = imageId(BUSYBOX);
    const r = crictl(['tag', BUSYBOX, 'crictl-e2e/tagged:v1', 'docker.io/crictl-e2e/tagged:v2']);
    assert.equal(r.code, 0, r.stderr);
    const listed = crictl(['images', '--no-trunc']).stdout;
    assert.match(listed, new RegExp(`^docker\\.io/crictl-e2e/tagged\\s+v1\\s+${id}`, 'm'));
    assert.match(listed, new RegExp(`^docker\\.io/crictl-e2e/tagged\\s+v2\\s+${id}`, 'm'));
    assert.equal(imageId('crictl-e2e/tagged:v1'), id);
    await ctd.images.delete({ name: 'docker.io/crictl-e2e/tagged:v1' });
    await ctd.images.delete({ name: 'docker.io/crictl-e2e/tagged:v2' });

    const missing = crictl(['tag', 'crictl-e2e/no-such-image:v9', 'crictl-e2e/tagged:v3']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'crictl: image "crictl-e2e/no-such-image:v9" not found\n');
    const badName = crictl(['tag', BUSYBOX, 'UPPER/case']);
    assert.equal(badName.code, 1);
    assert.equal(lines(badName.stderr).length, 1);
    assert.match(badName.stderr, /^crictl: tag "UPPER\/case": not a valid image reference/);
  });

  test('bad archives: one line naming the input, exit 1; no new images, blobs or leases afterwards', async () => {
    // Blobs that exist nowhere else, so anything left behind would show.
    const fresh = ociArchive('docker.io/crictl-e2e/broken:v1', [
      { 'f/data': Buffer.concat([...randomChunks(300_000, Date.now() >>> 0)]) },
    ]);
    const size = readFileSync(fresh.path).length;
    const truncated = join(dir, 'truncated.tar');
    writeFileSync(truncated, readFileSync(fresh.path).subarray(0, Math.floor(size * 0.8)));
    const good = Buffer.concat([...randomChunks(100_000, 7)]);
    const wrong = Buffer.concat([...randomChunks(100_000, 8)]);
    const wrongDigest = writeArchive([
      ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
      [`blobs/sha256/${sha256(good).slice(7)}`, good],
      [
        `blobs/sha256/${sha256(good)
          .slice(7)
          .replace(/^./, (c) => (c === '0' ? '1' : '0'))}`,
        wrong,
      ],
      ['index.json', Buffer.from('{"schemaVersion":2,"manifests":[]}')],
    ]);
    const notImage = join(dir, 'not-image.tar');
    execFileSync('tar', ['-cf', notImage, '-C', join(CLI, '..', '..'), 'fixtures']);
    const cases: [string, string[], RegExp][] = [
      [
        'truncated',
        ['-i', truncated],
        /^crictl: .*truncated\.tar: truncated tar archive \(blobs\/sha256\/[0-9a-f]{64} ends after \d+ of \d+ bytes\)\n$/,
      ],
      [
        'wrong digest',
        ['-i', wrongDigest.path],
        /^crictl: .*image\.tar: blobs\/sha256\/[0-9a-f]{64}: content does not match its digest \(it hashes to sha256:[0-9a-f]{64}\)\n$/,
      ],
      [
        'not an image',
        ['-i', notImage],
        /^crictl: .*not-image\.tar: not an image archive \(no index\.json or manifest\.json in it\)\n$/,
      ],
      ['/dev/null', ['-i', '/dev/null'], /^crictl: \/dev\/null: empty input, expected a tar archive\n$/],
    ];
    try {
      await collect();
      const blobsBefore = await contentDigests();
      const imagesBefore = sorted(crictl(['images', '-q']).stdout);
      for (const [what, args, message] of cases) {
        const r = crictl(['load', ...args]);
        assert.equal(r.code, 1, `${what}: ${r.stderr}`);
        assert.match(r.stderr, message, what);
        assert.equal(r.stdout, '', what);
        assert.equal(sorted(crictl(['images', '-q']).stdout), imagesBefore, what);
        assert.deepEqual(await leftovers(), [], what);
        await collect();
        assert.deepEqual(await contentDigests(), blobsBefore, what);
      }
    } finally {
      fresh.cleanup();
      wrongDigest.cleanup();
    }
  });

  test('ctrl-c in the middle of a load: exit 130, nothing left behind', async () => {
    await collect();
    const blobsBefore = await contentDigests();
    const child = spawn(CLI, ['-r', ENDPOINT, 'load'], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.on('error', () => undefined);
    let sent = 0;
    for (const chunk of largeDockerArchive('crictl-e2e/big:v1', 64 << 20)) {
      if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      sent += chunk.length;
      if (sent > 16 << 20) break;
    }
    child.kill('SIGINT');
    assert.equal(await closed, 130, stderr);
    assert.equal(stderr, 'crictl: load interrupted: nothing was loaded\n');
    assert.deepEqual(await leftovers(), []);
    const { statuses } = await ctd.content.listStatuses({});
    assert.deepEqual(
      statuses.filter((s) => s.ref.startsWith('crictl-ts-')),
      [],
    );
    await collect();
    assert.deepEqual(await contentDigests(), blobsBefore);
  });

  test(`a large archive from stdin (${process.env.CRICTL_TEST_LOAD_MB ?? 1024} MiB layer): peak RSS stays under 100 MiB`, async () => {
    const size = Number(process.env.CRICTL_TEST_LOAD_MB ?? 1024) * 1024 * 1024;
    const child = spawn(CLI, ['-r', ENDPOINT, 'load'], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // VmHWM is the process's peak resident size so far; the last reading before exit is the peak.
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // exited
      }
    }, 50);
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (const chunk of largeDockerArchive('crictl-e2e/big:v1', size)) {
      if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
    }
    child.stdin.end();
    const code = await closed;
    clearInterval(poll);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'Loaded image: docker.io/crictl-e2e/big:v1\n');
    assert.ok(peakKiB > 0 && peakKiB < 100 * 1024, `peak RSS ${Math.round(peakKiB / 1024)} MiB`);
    assert.equal(crictl(['rmi', 'docker.io/crictl-e2e/big:v1']).code, 0);
  });
});
