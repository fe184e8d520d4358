// dist/crictl, the launcher, and dist/crictl.cjs, the loader: every start-up path (no code cache
// yet, a cache, a cache V8 rejects, no cache possible) works, answers alike, and keeps deadlines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockCache, abandonCache } from '../../src/startup/code-cache.js';
import { CLI, ROOT } from '../e2e/harness.js';
import { heldFor } from '../silent-socket.js';
import { missingPath, NO_CONFIG, tempDir } from '../tmp.js';

const baseEnv = {
  ...process.env,
  CRI_CONFIG_FILE: NO_CONFIG,
  CONTAINER_RUNTIME_ENDPOINT: '',
  NODE_OPTIONS: '',
  CRICTL_TS_NO_CODE_CACHE: '',
};

function run(launcher: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(launcher, args, { encoding: 'utf8', env: { ...baseEnv, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A command that reaches the debug line and fails at once: no runtime needed. */
function debugRun(launcher: string, cacheHome: string, env: NodeJS.ProcessEnv = {}) {
  const r = run(launcher, ['-D', '-t', '1s', '-r', `unix://${join(cacheHome, 'missing.sock')}`, 'version'], {
    XDG_CACHE_HOME: cacheHome,
    ...env,
  });
  return { ...r, start: /^DEBU start: (.*)$/m.exec(r.stderr)?.[1] ?? '' };
}

const cacheFiles = (cacheHome: string) =>
  existsSync(join(cacheHome, 'crictl-ts'))
    ? readdirSync(join(cacheHome, 'crictl-ts')).filter((f) => f.endsWith('.v8cache'))
    : [];

/** Waits for the background build (a low-priority process: generous on a loaded machine). */
async function waitForCache(cacheHome: string, count = 1): Promise<string[]> {
  for (let i = 0; i < 600 && cacheFiles(cacheHome).length < count; i++) await sleep(200);
  const files = cacheFiles(cacheHome);
  assert.equal(files.length, count, `code cache files in ${cacheHome}`);
  return files;
}

describe('launcher and code cache', () => {
  test('a first run builds the code cache in the background; later runs start from it', async () => {
    const home = tempDir();
    const first = debugRun(CLI, home);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.start, /no code cache yet, building \S+crictl-ts\/cli-\w+-\w+\.v8cache in the background$/);
    const [file] = await waitForCache(home);
    assert.equal(statSync(join(home, 'crictl-ts')).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, 'crictl-ts', file)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(home, 'crictl-ts')), [file], 'no lock or temp file left');
    const second = debugRun(CLI, home);
    assert.equal(second.start, `${join(ROOT, 'dist', 'cli.cjs')}, code cache ${join(home, 'crictl-ts', file)}`);
    assert.equal(second.stderr.replace(/^DEBU start.*\n/m, ''), first.stderr.replace(/^DEBU start.*\n/m, ''));
  });

  test('a build removes caches not rewritten for 30 days, and nothing else', async () => {
    const home = tempDir();
    const dir = join(home, 'crictl-ts');
    mkdirSync(dir, { mode: 0o700 });
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    for (const name of [
      'cli-0000000000000000-00000000.v8cache',
      'notes.txt',
      'cli-1111111111111111-11111111.v8cache',
    ]) {
      writeFileSync(join(dir, name), 'x', { mode: 0o600 });
      if (!name.startsWith('cli-1')) utimesSync(join(dir, name), old, old);
    }
    const file = basename(/building (\S+) in the background/.exec(debugRun(CLI, home).start)?.[1] ?? '');
    for (let i = 0; i < 600 && readdirSync(dir).includes('cli-0000000000000000-00000000.v8cache'); i++)
      await sleep(200);
    assert.deepEqual(readdirSync(dir).sort(), ['cli-1111111111111111-11111111.v8cache', file, 'notes.txt'].sort());
  });

  test('any NODE_OPTIONS works, and gets a cache of its own', async () => {
    const home = tempDir();
    for (const options of ['--max-old-space-size=4096', '--max-semi-space-size=8 --no-warnings']) {
      const r = run(CLI, ['--version'], { XDG_CACHE_HOME: home, NODE_OPTIONS: options });
      assert.equal(r.code, 0, `${options}: ${r.stderr}`);
      assert.match(r.stdout, /^crictl version /);
    }
    await waitForCache(home, 2);
    const r = debugRun(CLI, home, { NODE_OPTIONS: '--max-old-space-size=4096' });
    assert.match(r.start, /, code cache \S+\.v8cache$/);
  });

  test('a cache V8 rejects (another node, other flags, damage) is dropped and rebuilt', async () => {
    const home = tempDir();
    debugRun(CLI, home);
    const [file] = await waitForCache(home);
    const path = join(home, 'crictl-ts', file);
    writeFileSync(path, Buffer.alloc(4096, 7), { mode: 0o600 });
    const r = debugRun(CLI, home);
    assert.match(r.stderr, /missing\.sock/);
    assert.match(r.start, /code cache \S+ rejected by V8, rebuilding it in the background$/);
    await waitForCache(home);
    assert.match(debugRun(CLI, home).start, /, code cache \S+\.v8cache$/);
  });

  test('a cache directory that is a link, or open to other users, is never used', () => {
    const home = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(home, 'crictl-ts'));
    const linked = debugRun(CLI, home);
    assert.match(linked.start, /no code cache \(\S+crictl-ts is not a directory\)$/);
    const open = tempDir();
    mkdirSync(join(open, 'crictl-ts'), { mode: 0o755 });
    chmodSync(join(open, 'crictl-ts'), 0o755);
    assert.match(debugRun(CLI, open).start, /no code cache \(\S+ is open to other users \(mode 755\)\)$/);
    assert.deepEqual(readdirSync(elsewhere), []);
    assert.deepEqual(readdirSync(join(open, 'crictl-ts')), []);
  });

  test('a planted link or a file others can write in place of the cache is not read', async () => {
    const home = tempDir();
    debugRun(CLI, home);
    const [file] = await waitForCache(home);
    const path = join(home, 'crictl-ts', file);
    rmSync(path);
    const planted = join(tempDir(), 'planted');
    writeFileSync(planted, 'x');
    symlinkSync(planted, path);
    assert.match(debugRun(CLI, home).start, /no code cache \(\S+: ELOOP\)$/);
    rmSync(path);
    writeFileSync(path, 'x', { mode: 0o666 });
    chmodSync(path, 0o666);
    assert.match(debugRun(CLI, home).start, /no code cache \(\S+ is not a private regular file\)$/);
  });

  test('one build at a time: a run that finds a build under way starts none', async () => {
    // The cache's file name depends on the bundle, node and flags, not on the directory.
    const other = tempDir();
    const name = basename(/building (\S+) in the background/.exec(debugRun(CLI, other).start)?.[1] ?? '');
    assert.match(name, /\.v8cache$/);
    const home = tempDir();
    mkdirSync(join(home, 'crictl-ts'), { mode: 0o700 });
    const file = join(home, 'crictl-ts', name);
    const lock = lockCache(file);
    assert.ok(lock !== undefined);
    try {
      assert.equal(lockCache(file), undefined, 'a second lock');
      assert.match(debugRun(CLI, home).start, /no code cache yet, being built: \S+\.v8cache$/);
    } finally {
      abandonCache(file, lock);
    }
    await waitForCache(other);
  });

  test('the installed files are never written: a read-only install directory is fine', async () => {
    const copy = tempDir();
    cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
    const before = readdirSync(join(copy, 'dist'), { recursive: true }).sort();
    const home = tempDir();
    debugRun(join(copy, 'dist', 'crictl'), home);
    await waitForCache(home);
    assert.equal(run(join(copy, 'dist', 'crictl'), ['--version'], { XDG_CACHE_HOME: home }).code, 0);
    assert.deepEqual(readdirSync(join(copy, 'dist'), { recursive: true }).sort(), before);
  });

  test('no usable cache directory: the plain bundle, and CRICTL_TS_NO_CODE_CACHE=1 forces it', () => {
    const home = tempDir();
    writeFileSync(join(home, 'crictl-ts'), 'not a directory');
    const r = debugRun(CLI, home);
    assert.equal(r.code, 1);
    assert.match(r.start, /no code cache \(\S+crictl-ts: EEXIST\)$/);
    assert.match(
      debugRun(CLI, tempDir(), { CRICTL_TS_NO_CODE_CACHE: '1' }).start,
      /code cache off \(CRICTL_TS_NO_CODE_CACHE is set\)$/,
    );
  });

  test('follows the link npm installs the command as', () => {
    const bin = tempDir();
    symlinkSync(CLI, join(bin, 'crictl'));
    const r = debugRun(join(bin, 'crictl'), tempDir(), { CRICTL_TS_NO_CODE_CACHE: '1' });
    assert.equal(r.start.split(',')[0], join(ROOT, 'dist', 'cli.cjs'));
  });

  test('with and without the cache, answers are alike, reading flags, environment and config at run time', async () => {
    const home = tempDir();
    debugRun(CLI, home);
    await waitForCache(home);
    const dir = tempDir();
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
      const cached = run(CLI, args, { ...extra, XDG_CACHE_HOME: home });
      const plain = run(CLI, args, { ...extra, CRICTL_TS_NO_CODE_CACHE: '1' });
      assert.deepEqual(cached, plain, args.join(' '));
    }
    assert.equal(
      run(CLI, ['config', '--get', 'runtime-endpoint'], { CRI_CONFIG_FILE: config, XDG_CACHE_HOME: home }).stdout,
      'unix:///run/from-config.sock\n',
    );
  });

  test('node does not load NODE_EXTRA_CA_CERTS at start; streaming TLS reads it instead', () => {
    // node warns at start about an unreadable NODE_EXTRA_CA_CERTS; the launcher keeps it from node.
    const missingCa = missingPath('ca.pem');
    const direct = spawnSync(process.execPath, ['-e', '0'], {
      encoding: 'utf8',
      env: { ...baseEnv, NODE_EXTRA_CA_CERTS: missingCa },
    });
    assert.match(direct.stderr, /extra certs/i);
    const r = run(CLI, ['--version'], { NODE_EXTRA_CA_CERTS: missingCa, CRICTL_TS_NO_CODE_CACHE: '1' });
    assert.equal(r.code, 0);
    assert.equal(r.stderr.trim(), '');
  });

  test("node starts with no V8 flags, so that its own modules come from node's compiled-code cache", () => {
    const dir = tempDir();
    const seen = join(dir, 'exec-argv.json');
    writeFileSync(
      join(dir, 'record.cjs'),
      `require('fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(process.execArgv));\n`,
    );
    const r = run(CLI, ['--version'], { NODE_OPTIONS: `--require ${join(dir, 'record.cjs')}`, XDG_CACHE_HOME: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(seen, 'utf8')), []);
  });
});

describe('deadlines', () => {
  test('--timeout holds within 10% (+50 ms) without and with the code cache', async () => {
    const home = tempDir();
    for (const env of [{ CRICTL_TS_NO_CODE_CACHE: '1' }, { XDG_CACHE_HOME: home }, { XDG_CACHE_HOME: home }]) {
      const r = await heldFor(CLI, '1s', { ...baseEnv, ...env });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^crictl: Version: deadline exceeded after 1s talking to unix:\/\/\S+silent\.sock/);
      assert.ok(r.ms > 850 && r.ms < 1150, `${JSON.stringify(env)}: held ${Math.round(r.ms)} ms`);
      if (env.XDG_CACHE_HOME) await waitForCache(home);
    }
  });
});
