// dist/crictl.cjs: what the launcher (dist/crictl) runs. It compiles the CLI bundle (dist/cli.cjs)
// with a V8 code cache when one exists for this bundle, node and set of V8 flags, so that a run
// skips parsing and compiling ~800 kB of JavaScript. V8 checks the cache against its version,
// flags and the source, and compiles normally when it does not fit; nothing else depends on it.
//
// The cache is made per machine, never on a command's critical path: a run that finds none
// starts, as it exits, a detached low-priority process (this file, CRICTL_TS_BUILD_CODE_CACHE=name)
// that runs the warm-up (src/startup/warm-up.ts) against canned replies and saves the code V8
// compiled. A lock file keeps builds from running twice at once; the cache is renamed into place.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import {
  abandonCache,
  buildInProgress,
  cacheDir,
  commitCache,
  lockCache,
  prepareCacheDir,
  readCache,
  removeCache,
  removeOldCaches,
  shortHash,
} from './code-cache.js';

/** Hash of dist/cli.cjs, set by scripts/build.mjs: a cache is only ever used for its own bundle. */
declare const __CRICTL_BUILD_ID__: string;

interface CliBundle {
  startCli(argv: readonly string[]): void;
  warmUp(): Promise<void>;
  setStartPath(description: string): void;
}

const BUILD_ENV = 'CRICTL_TS_BUILD_CODE_CACHE';
const BUILD_TIME_LIMIT_MS = 60_000;
const bundlePath = join(__dirname, 'cli.cjs');

function compile(cachedData: Buffer | undefined): { script: Script; bundle: CliBundle } {
  // The build keeps the bundle ASCII: read as latin1, it becomes a string without UTF-8 decoding.
  const source = readFileSync(bundlePath, 'latin1');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundlePath,
    cachedData,
  });
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(bundlePath),
    module,
    bundlePath,
    __dirname,
  );
  return { script, bundle: module.exports as CliBundle };
}

/** The cache file's name for this bundle, node binary and flags (V8 rejects a cache made under
 *  other flags, so each set gets its own). */
function cacheName(): string {
  const key = [
    process.version,
    process.arch,
    process.execPath,
    process.execArgv.join(' '),
    process.env.NODE_OPTIONS ?? '',
  ].join('\n');
  return `cli-${__CRICTL_BUILD_ID__}-${shortHash(key)}.v8cache`;
}
const CACHE_NAME = /^cli-[0-9a-f]{16}-[0-9a-f]{8}\.v8cache$/;

/** For modules only a build needs: not loaded on the way to every command. */
const lateRequire = createRequire(__filename);

/** Starts the build of `name` (told, not recomputed, so that it is the file this run looks for)
 *  with this node and its flags; an inspector port is left to the run that asked for it. */
function spawnBuilder(name: string): void {
  try {
    const { spawn } = lateRequire('node:child_process') as typeof import('node:child_process');
    const execArgv = process.execArgv.filter((a) => !/^--(inspect|debug-port)/.test(a));
    spawn(process.execPath, [...execArgv, __filename], {
      detached: true,
      stdio: 'ignore',
      cwd: '/',
      env: { ...process.env, [BUILD_ENV]: name },
    }).unref();
  } catch {
    // no process to spare: the next run tries again
  }
}

function build(file: string): void {
  const lock = lockCache(file);
  if (lock === undefined) return;
  try {
    (lateRequire('node:os') as typeof import('node:os')).setPriority(19);
  } catch {
    // runs at normal priority
  }
  setTimeout(() => {
    abandonCache(file, lock);
    process.exit(1);
  }, BUILD_TIME_LIMIT_MS);
  const { script, bundle } = compile(undefined);
  bundle.warmUp().then(
    () => {
      commitCache(file, lock, script.createCachedData());
      removeOldCaches(dirname(file), file, (name) => CACHE_NAME.test(name));
      process.exit(0);
    },
    () => {
      abandonCache(file, lock);
      process.exit(1);
    },
  );
}

function start(): void {
  const uid = process.getuid?.() ?? -1;
  // A build is this file run with no arguments and a cache file's name in BUILD_ENV.
  const requested = process.env[BUILD_ENV] ?? '';
  const building = process.argv.length === 2 && CACHE_NAME.test(requested) ? requested : undefined;
  let file: string | undefined;
  let cache: Buffer | undefined;
  let status: string;
  const dir = cacheDir(process.env, uid);
  if (process.env.CRICTL_TS_NO_CODE_CACHE) status = 'code cache off (CRICTL_TS_NO_CODE_CACHE is set)';
  else if (!dir) status = 'no code cache (no cache directory: neither XDG_CACHE_HOME nor HOME is set)';
  else {
    // a build only writes where the run that asked for it found the directory
    const problem = prepareCacheDir(dir, uid, !building);
    if (problem) status = `no code cache (${problem})`;
    else {
      file = join(dir, building ?? cacheName());
      const read = building ? { missing: true as const } : readCache(file, uid);
      if ('data' in read) cache = read.data;
      status = 'problem' in read ? `no code cache (${read.problem})` : `code cache ${file}`;
      if ('problem' in read) file = undefined;
    }
  }
  if (building) {
    if (file) build(file);
    return;
  }

  const { script, bundle } = compile(cache);
  let rebuild = false;
  if (file && cache && script.cachedDataRejected) {
    status = `code cache ${file} rejected by V8, rebuilding it in the background`;
    removeCache(file);
    rebuild = true;
  } else if (file && !cache) {
    rebuild = !buildInProgress(file);
    status = `no code cache yet, ${rebuild ? 'building' : 'being built:'} ${file}${rebuild ? ' in the background' : ''}`;
  }
  if (rebuild && file) {
    const name = basename(file);
    process.once('exit', () => spawnBuilder(name));
  }
  bundle.setStartPath(`${bundlePath}, ${status}`);
  bundle.startCli(process.argv.slice(2));
}

start();
