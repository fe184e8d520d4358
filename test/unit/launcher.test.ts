// dist/crictl, the launcher: starts from the V8 startup snapshot when the node on PATH built it,
// falls back to the plain bundle otherwise, and both behave the same.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI, ROOT } from '../e2e/harness.js';
import { missingPath, NO_CONFIG, tempDir } from '../tmp.js';

const env = { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '' };

/** Runs the launcher under `sh -x`, which shows the command it finally execs. */
function launch(launcher: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('sh', ['-x', launcher, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } });
  const trace = r.stderr.split('\n').filter((l) => l.startsWith('+ '));
  const stderr = r.stderr.split('\n').filter((l) => !l.startsWith('+ ')).join('\n');
  return { code: r.status, stdout: r.stdout, stderr, exec: trace.find((l) => l.startsWith('+ exec ')) ?? '' };
}

describe('launcher', () => {
  test('starts from the snapshot the build made for this node', () => {
    const r = launch(CLI, ['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.exec, /--snapshot-blob \S*dist\/crictl\.blob -- /);
    assert.match(r.stdout, /^crictl version /);
  });

  test('falls back to the plain bundle when the snapshot was made by another node binary', () => {
    const copy = tempDir('crictl-launcher-');
    cpSync(join(ROOT, 'dist'), copy, { recursive: true });
    writeFileSync(join(copy, 'crictl.blob.node'), `${missingPath('node')}\n--min-semi-space-size=2\n`);
    const r = launch(join(copy, 'crictl'), ['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.exec, /crictl\.js --version$/);
    assert.equal(r.stdout, launch(CLI, ['--version']).stdout);
  });

  test('falls back when the node binary was replaced in place since the snapshot was made', () => {
    const copy = tempDir('crictl-launcher-');
    cpSync(join(ROOT, 'dist'), copy, { recursive: true, preserveTimestamps: true });
    assert.match(launch(join(copy, 'crictl'), ['--version']).exec, /--snapshot-blob/);
    // the same path, another modification time: what an upgrade that rewrites the file leaves
    utimesSync(join(copy, 'crictl.blob.node'), new Date(0), new Date(0));
    assert.match(launch(join(copy, 'crictl'), ['--version']).exec, /crictl\.js --version$/);
  });

  test('follows the link npm installs the command as', () => {
    const bin = tempDir('crictl-launcher-');
    symlinkSync(CLI, join(bin, 'crictl'));
    const r = launch(join(bin, 'crictl'), ['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.exec, /--snapshot-blob \S*dist\/crictl\.blob -- \S*dist\/crictl --version$/);
  });

  test('falls back quietly when there is no snapshot at all', () => {
    const copy = tempDir('crictl-launcher-');
    cpSync(join(ROOT, 'dist'), copy, { recursive: true });
    rmSync(join(copy, 'crictl.blob'));
    rmSync(join(copy, 'crictl.blob.node'));
    const r = launch(join(copy, 'crictl'), ['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr.trim(), '');
    assert.match(r.exec, /crictl\.js --version$/);
  });

  test('CRICTL_TS_NO_SNAPSHOT=1 forces the plain bundle', () => {
    assert.match(launch(CLI, ['--version'], { CRICTL_TS_NO_SNAPSHOT: '1' }).exec, /crictl\.js --version$/);
  });

  test('snapshot and plain bundle answer alike, reading flags, environment and config at run time', () => {
    const dir = tempDir('crictl-launcher-');
    const config = join(dir, 'crictl.yaml');
    writeFileSync(config, 'runtime-endpoint: unix:///run/from-config.sock\ntimeout: 7\n');
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [['--help'], {}],
      [['ps', '--help'], {}],
      [['no-such-command'], {}],
      [['ps', '--no-such-flag'], {}],
      [['config', '--get', 'runtime-endpoint'], { CRI_CONFIG_FILE: config }],
      [['-t', '1s', 'version'], { CONTAINER_RUNTIME_ENDPOINT: `unix://${dir}/missing.sock` }],
      [['ps', '-o', 'json'], { CRI_CONFIG_FILE: config }],
    ];
    for (const [args, extra] of cases) {
      const snap = launch(CLI, args, extra);
      const plain = launch(CLI, args, { ...extra, CRICTL_TS_NO_SNAPSHOT: '1' });
      assert.match(snap.exec, /--snapshot-blob/);
      assert.deepEqual({ code: snap.code, stdout: snap.stdout, stderr: snap.stderr }, { code: plain.code, stdout: plain.stdout, stderr: plain.stderr }, args.join(' '));
    }
    assert.equal(launch(CLI, ['config', '--get', 'runtime-endpoint'], { CRI_CONFIG_FILE: config }).stdout, 'unix:///run/from-config.sock\n');
    assert.match(launch(CLI, ['-t', '1s', 'version'], { CONTAINER_RUNTIME_ENDPOINT: `unix://${dir}/missing.sock` }).stderr, /missing\.sock: no such file or directory/);
  });

  test('node does not load NODE_EXTRA_CA_CERTS at start; streaming TLS reads it instead', () => {
    // node warns at start about an unreadable NODE_EXTRA_CA_CERTS; the launcher keeps it from node.
    const missingCa = missingPath('ca.pem');
    const direct = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...env, NODE_EXTRA_CA_CERTS: missingCa } });
    assert.match(direct.stderr, /extra certs/i);
    const r = launch(CLI, ['--version'], { NODE_EXTRA_CA_CERTS: missingCa });
    assert.equal(r.code, 0);
    assert.equal(r.stderr.trim(), '');
  });
});
