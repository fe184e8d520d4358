// The package as users get it: `npm pack` from a checkout without dist/ (prepack builds), then
// `npm install -g` into a temporary prefix. The installed command talks to the lab runtime,
// starts from the code cache after its first run, keeps deadlines on every start-up path, works
// under NODE_OPTIONS, and the library imports from the installed copy.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { heldFor } from '../silent-socket.js';
import { ENDPOINT, ROOT, SKIP } from './harness.js';
import { tempDir } from '../tmp.js';

describe('installed from the packed tarball', { skip: SKIP }, () => {
  let tmp: string;
  let prefix: string;
  let cacheHome: string;
  let files: string[];
  const env = () => ({
    ...process.env,
    CRI_CONFIG_FILE: join(tmp, 'none.yaml'),
    CONTAINER_RUNTIME_ENDPOINT: '',
    NODE_OPTIONS: '',
    XDG_CACHE_HOME: cacheHome,
  });
  const installed = (name: string) => join(prefix, 'bin', name);
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(installed('crictl-ts'), args, { encoding: 'utf8', env: { ...env(), ...extra } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(() => {
    tmp = tempDir('crictl-package-');
    prefix = join(tmp, 'prefix');
    cacheHome = join(tmp, 'cache');
    // A checkout as cloned: sources only, no dist/ (node_modules linked, as `npm ci` would make it).
    const checkout = join(tmp, 'checkout');
    cpSync(ROOT, checkout, {
      recursive: true,
      filter: (src) => !/\/(node_modules|dist|\.git|src\/cri\/generated)$/.test(src),
    });
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    const npmEnv = {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
      cwd: checkout,
      env: npmEnv,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // the build's own output (prepack) comes first on stdout
    const packed = JSON.parse(out.slice(out.search(/^\[$/m))) as { filename: string; files: { path: string }[] }[];
    files = packed[0].files.map((f) => f.path);
    // Dependencies from npm's cache where it has them, else from the registry.
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(tmp, packed[0].filename),
      ],
      { env: npmEnv, stdio: 'ignore' },
    );
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the tarball holds the launcher, loader, CLI bundle, library and types; no snapshot', () => {
    for (const f of [
      'dist/crictl',
      'dist/crictl.cjs',
      'dist/cli.cjs',
      'dist/lib/index.js',
      'dist/types/lib/index.d.ts',
      'dist/THIRD-PARTY-NOTICES',
      'package.json',
    ])
      assert.ok(files.includes(f), `${f} in ${files.join(' ')}`);
    assert.ok(!files.some((f) => /\.blob|snapshot/.test(f)), files.join(' '));
  });

  test('the notices name every bundled package with its license text', () => {
    const notices = readFileSync(join(prefix, 'lib/node_modules/crictl-ts/dist/THIRD-PARTY-NOTICES'), 'utf8');
    for (const name of ['@grpc/grpc-js', 'clipanion', 'yaml', 'ws', 'protobufjs', 'cli-table3'])
      assert.match(notices, new RegExp(`^${name.replace('/', '\\/')}@\\d+\\.\\d+\\.\\d+ \\(`, 'm'), name);
    assert.match(notices, /Apache License/);
    assert.match(notices, /Permission is hereby granted/);
  });

  test('both commands run against the runtime, and start from the code cache after the first run', async () => {
    for (const name of ['crictl-ts', 'crictl']) {
      const r = spawnSync(installed(name), ['-r', ENDPOINT, 'version'], { encoding: 'utf8', env: env() });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Version:\s+0\.1\.0\nRuntimeName:\s+containerd\n/);
    }
    for (let i = 0; i < 600 && !readdirSync(join(cacheHome, 'crictl-ts')).some((f) => f.endsWith('.v8cache')); i++)
      await sleep(200);
    const r = run(['-D', '-r', ENDPOINT, 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^DEBU start: \S+\/lib\/node_modules\/crictl-ts\/dist\/cli\.cjs, code cache \S+\.v8cache$/m);
  });

  test('NODE_OPTIONS does not break it', async () => {
    const r = run(['-r', ENDPOINT, 'version'], { NODE_OPTIONS: '--max-old-space-size=4096' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RuntimeName:\s+containerd/);
    // its own cache is being built: let that finish before the directory goes
    for (
      let i = 0;
      i < 600 && readdirSync(join(cacheHome, 'crictl-ts')).filter((f) => f.endsWith('.v8cache')).length < 2;
      i++
    )
      await sleep(200);
  });

  test('--timeout holds within 10% (+50 ms) on every start-up path', async () => {
    for (const extra of [{ CRICTL_TS_NO_CODE_CACHE: '1' }, {}, { XDG_CACHE_HOME: join(tmp, 'fresh-cache') }]) {
      const r = await heldFor(installed('crictl-ts'), '1s', { ...env(), ...extra });
      assert.match(r.stderr, /deadline exceeded after 1s/);
      assert.ok(r.ms > 850 && r.ms < 1150, `${JSON.stringify(extra)}: held ${Math.round(r.ms)} ms`);
    }
    // let the build the fresh cache directory started finish before its directory goes
    for (
      let i = 0;
      i < 600 && !readdirSync(join(tmp, 'fresh-cache', 'crictl-ts')).some((f) => f.endsWith('.v8cache'));
      i++
    )
      await sleep(200);
  });

  test("the library imports from the installed copy: import { connect } from 'crictl-ts'", () => {
    const probeDir = join(tmp, 'probe');
    mkdirSync(probeDir);
    symlinkSync(join(prefix, 'lib', 'node_modules'), join(probeDir, 'node_modules'));
    const probe = join(probeDir, 'probe.mjs');
    writeFileSync(
      probe,
      "import { connect } from 'crictl-ts';\nconst cri = connect(process.argv[2]);\nconst v = await cri.runtime.version({});\ncri.close();\nconsole.log(v.runtimeName);\n",
    );
    const r = spawnSync(process.execPath, [probe, ENDPOINT], { encoding: 'utf8', env: env() });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'containerd\n');
  });
});
