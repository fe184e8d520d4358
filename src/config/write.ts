// Updating a crictl config file in place: comments and unknown keys survive, the write is atomic
// (temp file + rename) and goes through a symbolic link to its target, the file keeps its mode
// and owner, and concurrent writers take turns through a lock file. It runs as root in
// directories others may write to: the temp file has a random name and is created exclusively.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CommandError, UsageError } from '../errors.js';
import { describeFsError, type ConfigKey } from './config.js';
import { yamlLib } from '../yaml-lib.js';

const LOCK_WAIT_MS = 10_000;
const STALE_LOCK_MS = 30_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `path.lock`; a lock older than 30 s is taken to be left by a crash. `shown`
 *  is the path the user named. */
function withLock<T>(path: string, shown: string, fn: () => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') {
        if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') throw cannotWrite(shown, e);
        throw new CommandError(`${lock}: cannot create lock file: ${describeFsError(e)}`);
      }
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // the other writer just finished
      }
      if (Date.now() > deadline) throw new CommandError(`${path}: another crictl is writing this file (lock ${lock})`);
      sleepSync(20 + Math.random() * 30);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Where writing `path` lands: through symbolic links, as crictl's os.WriteFile goes (a link to
 *  a config kept elsewhere stays a link). A dangling link names the file to create. */
function writeTarget(path: string): string {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!lstatSync(target).isSymbolicLink()) return realpathSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return target;
      throw err;
    }
    target = resolve(dirname(target), readlinkSync(target));
  }
  throw new UsageError(`${path}: too many levels of symbolic links`);
}

/** EACCES on a root-owned /etc/crictl.yaml is no lock-file problem: say what to do instead. */
function cannotWrite(path: string, e: NodeJS.ErrnoException): CommandError {
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') {
    const why = e.code === 'EROFS' ? 'is on a read-only file system' : 'needs root to change';
    return new CommandError(`${path}: ${why}; run as root, or write another file with -c FILE or CRI_CONFIG_FILE=FILE`);
  }
  return new CommandError(`${path}: cannot write config file: ${describeFsError(e)}`);
}

/** Sets keys in the config file at `path`, creating it if needed. */
export async function updateConfigFile(
  path: string,
  updates: ReadonlyArray<[ConfigKey, string | number | boolean]>,
): Promise<void> {
  const { parseDocument, isMap, isScalar } = await yamlLib();
  let target: string;
  try {
    target = writeTarget(path);
    mkdirSync(dirname(target), { recursive: true });
  } catch (err) {
    throw err instanceof UsageError ? err : cannotWrite(path, err as NodeJS.ErrnoException);
  }
  withLock(target, path, () => {
    let text = '';
    let old: Stats | undefined;
    try {
      text = readFileSync(target, 'utf8');
      old = statSync(target);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') throw new UsageError(`${path}: cannot read config file: ${describeFsError(e)}`);
    }
    // uniqueKeys: false: the library's check is quadratic in the number of keys; a Set does it here.
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0)
      throw new UsageError(`${path}: invalid YAML, not changing it: ${doc.errors[0].message.split('\n')[0]}`);
    if (isMap(doc.contents)) {
      const seen = new Set<unknown>();
      for (const { key } of doc.contents.items) {
        const k = isScalar(key) ? key.value : key;
        if (seen.has(k))
          throw new UsageError(`${path}: invalid YAML, not changing it: duplicate key ${JSON.stringify(String(k))}`);
        seen.add(k);
      }
    }
    for (const [key, value] of updates) doc.set(key, value);
    const out = doc.toString();
    // A fresh random name, created exclusively (O_EXCL never follows a link planted in a shared
    // directory), readable by us alone until it has the old file's mode and owner.
    const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'wx', old ? 0o600 : 0o644);
      writeFileSync(fd, out);
      if (old) {
        if (old.uid !== process.getuid?.() || old.gid !== process.getgid?.()) fchownSync(fd, old.uid, old.gid);
        fchmodSync(fd, old.mode & 0o7777);
      }
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, target);
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, { force: true });
      throw cannotWrite(path, err as NodeJS.ErrnoException);
    }
  });
}
