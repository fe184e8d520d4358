// Pull progress: on a terminal (a pseudo-terminal made by util-linux `script`), `pull` draws bytes
// per layer rising to the total while containerd downloads from the local test registry; piped,
// it prints only what crictl prints.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CLI, crictl, ENDPOINT, type LabRegistry, SKIP, startLabRegistry } from './harness.js';
import { ociArchive, randomChunks, type BuiltImage } from './image-builder.js';

const LAB = process.env.CRICTL_LAB_DIR ?? '';
const hasScript = spawnSync('script', ['--version']).status === 0;
/** Size of the image's one big layer; the download must take a few polls (100 ms) to watch. */
const LAYER_MB = Number(process.env.CRICTL_TEST_PULL_MB ?? 160);

const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
const bytes = (s: string): number => {
  const m = /^([\d.]+)(B|kB|MB|GB)$/.exec(s);
  assert.ok(m, `not a size: ${s}`);
  return Number(m[1]) * UNITS[m[2]];
};

describe('pull progress', {
  skip: SKIP || (!LAB && 'needs CRICTL_LAB_DIR') || (!hasScript && 'needs util-linux script'),
  timeout: 300_000,
}, () => {
  let registry: LabRegistry | undefined;
  let image = '';
  let password = '';
  let built: BuiltImage;

  before(() => {
    registry = startLabRegistry();
    const { address } = registry;
    password = registry.password;
    image = `${address}/test/progress:v1`;
    built = ociArchive('docker.io/crictl-e2e/progress:v1', [
      { 'big.bin': Buffer.concat([...randomChunks(LAYER_MB << 20, 4242)]) },
    ]);
    execFileSync(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--dest-tls-verify=false',
        '--dest-creds',
        `crictl:${password}`,
        `oci-archive:${built.path}`,
        `docker://${image}`,
      ],
      { stdio: 'inherit' },
    );
  });

  after(() => {
    crictl(['rmi', image]);
    registry?.down();
    built?.cleanup();
  });

  test("on a terminal: the layer's bytes rise to its total, then crictl's line", () => {
    crictl(['rmi', image]);
    const r = spawnSync(
      'script',
      ['-qfec', `${CLI} -r ${ENDPOINT} pull --creds crictl:${password} ${image}`, '/dev/null'],
      { encoding: 'utf8', timeout: 240_000 },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const text = r.stdout.replace(/\x1b\[\d*[A-Za-z]/g, '').replace(/\r/g, '');
    const layer = built.blobs[0].slice(7, 19);
    const seen = text.split('\n').filter((l) => l.startsWith(`layer ${layer}`));
    const progress = seen.map((l) => /\s(\S+) \/ (\S+)/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    const done = progress.map((m) => bytes(m[1]));
    assert.ok(
      new Set(done).size >= 3,
      `expected at least 3 progress updates for layer ${layer}, got:\n${seen.join('\n')}`,
    );
    for (let i = 1; i < done.length; i++) assert.ok(done[i] >= done[i - 1], `bytes went down:\n${seen.join('\n')}`);
    const total = bytes(progress[0][2]);
    assert.ok(Math.abs(total - (LAYER_MB << 20)) / total < 0.01, `total ${progress[0][2]}`);
    assert.match(seen[seen.length - 1], new RegExp(`^layer ${layer}\\s+\\S+ done$`));
    assert.match(text, /^total\s+\S+ \/ \S+/m);
    assert.match(text, /Image is up to date for sha256:[0-9a-f]{64}\n$/);
  });

  test("piped: only crictl's line, no progress bytes at all", () => {
    crictl(['rmi', image]);
    const r = crictl(['pull', '--creds', `crictl:${password}`, image]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Image is up to date for sha256:[0-9a-f]{64}\n$/);
    assert.equal(r.stderr, '');
  });
});
