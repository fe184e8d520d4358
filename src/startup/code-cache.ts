// Where the V8 code cache lives and how it is read and written. crictl-ts runs as root, so the
// cache directory is treated as hostile: a code cache is compiled code that V8 runs without
// verifying it, so only a file that no one but this user could have written is ever read.
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** A build that has held its lock this long has died; the next run may start another. */
const STALE_BUILD_MS = 120_000;

/** $XDG_CACHE_HOME/crictl-ts, else /var/cache/crictl-ts for root, else ~/.cache/crictl-ts. */
export function cacheDir(env: NodeJS.ProcessEnv, uid: number): string | undefined {
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'crictl-ts');
  if (uid === 0) return '/var/cache/crictl-ts';
  if (env.HOME && isAbsolute(env.HOME)) return join(env.HOME, '.cache', 'crictl-ts');
  return undefined;
}

/** Creates the directory (mode 0700) unless it exists or `create` is false; returns why it
 *  cannot be used, if so: it must be a real directory (not a link), owned by this user and closed
 *  to everyone else. */
export function prepareCacheDir(dir: string, uid: number, create = true): string | undefined {
  try {
    if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}, not ${uid}`;
    if ((st.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)})`;
    return undefined;
  } catch (err) {
    return `${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}

export type CacheRead = { data: Buffer } | { missing: true } | { problem: string };

/** Reads the cache file without following a link, and only if this user alone can write it. */
export function readCache(file: string, uid: number): CacheRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { missing: true } : { problem: `${file}: ${code}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o022) !== 0 || st.nlink !== 1)
      return { problem: `${file} is not a private regular file` };
    return { data: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

export function removeCache(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

const lockOf = (file: string) => `${file}.tmp`;

/** Whether another process is building this cache now. */
export function buildInProgress(file: string): boolean {
  try {
    return Date.now() - statSync(lockOf(file)).mtimeMs < STALE_BUILD_MS;
  } catch {
    return false;
  }
}

/** Takes the right to build: creates the temp file the cache is written to, exclusively (so no
 *  link is followed and no second builder runs). Returns its descriptor, or undefined. */
export function lockCache(file: string): number | undefined {
  const tmp = lockOf(file);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return openSync(tmp, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || buildInProgress(file)) return undefined;
      removeCache(tmp); // left by a build that died
    }
  }
  return undefined;
}

/** Writes the cache through the locked temp file and renames it into place (atomic). */
export function commitCache(file: string, fd: number, data: Buffer): void {
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written);
    fsyncSync(fd); // a crash after the rename must not leave a half-written cache in place
    closeSync(fd);
    renameSync(lockOf(file), file);
  } catch (err) {
    removeCache(lockOf(file));
    throw err;
  }
}

/** Caches not rewritten for this long go when another is written: other versions of crictl-ts,
 *  nodes and flag sets no longer in use. One still in use is rebuilt once, in the background. */
const UNUSED_CACHE_MS = 30 * 24 * 3600 * 1000;

export function removeOldCaches(dir: string, keep: string, isCache: (name: string) => boolean): void {
  try {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (path !== keep && isCache(name) && Date.now() - lstatSync(path).mtimeMs > UNUSED_CACHE_MS) removeCache(path);
    }
  } catch {
    // left for the next build
  }
}

export function abandonCache(file: string, fd: number): void {
  closeSync(fd);
  removeCache(lockOf(file));
}

/** FNV-1a, enough to tell apart the nodes and flag sets one machine uses. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
