// Updating a crictl config file in place: comments and unknown keys survive, the write is atomic
// (temp file + rename), and concurrent writers take turns through a lock file.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../cri/errors.js';
import { describeFsError, type ConfigKey } from './config.js';
import { yamlLib } from '../output/yaml-lib.js';

const LOCK_WAIT_MS = 10_000;
const STALE_LOCK_MS = 30_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `path.lock`; a lock older than 30 s is taken to be left by a crash. */
function withLock<T>(path: string, fn: () => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') throw new UsageError(`${lock}: cannot create lock file: ${describeFsError(e)}`);
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // the other writer just finished
      }
      if (Date.now() > deadline) throw new UsageError(`${path}: another crictl is writing this file (lock ${lock})`);
      sleepSync(20 + Math.random() * 30);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Sets keys in the config file at `path`, creating it if needed. */
export async function updateConfigFile(path: string, updates: ReadonlyArray<[ConfigKey, string | number | boolean]>): Promise<void> {
  const { parseDocument, isMap, isScalar } = await yamlLib();
  mkdirSync(dirname(path), { recursive: true });
  withLock(path, () => {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') throw new UsageError(`${path}: cannot read config file: ${describeFsError(e)}`);
    }
    // uniqueKeys: false: the library's check is quadratic in the number of keys; a Set does it here.
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0) throw new UsageError(`${path}: invalid YAML, not changing it: ${doc.errors[0].message.split('\n')[0]}`);
    if (isMap(doc.contents)) {
      const seen = new Set<unknown>();
      for (const { key } of doc.contents.items) {
        const k = isScalar(key) ? key.value : key;
        if (seen.has(k)) throw new UsageError(`${path}: invalid YAML, not changing it: duplicate key ${JSON.stringify(String(k))}`);
        seen.add(k);
      }
    }
    for (const [key, value] of updates) doc.set(key, value);
    const out = doc.toString();
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, out, { mode: 0o644 });
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new UsageError(`${path}: cannot write config file: ${describeFsError(err as NodeJS.ErrnoException)}`);
    }
  });
}
