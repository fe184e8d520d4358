// Removing a container's log file and its rotations after `rm` (crictl master does so unless
// --keep-logs). The path comes from the runtime, so only plain files named like the log are
// removed: never a directory, never through a symbolic link, never anything for a relative path.
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';

/** Removes LOG and LOG.* (rotations) that are regular files; returns one line per failure. */
export function removeLogFiles(logPath: string): string[] {
  if (!logPath || !isAbsolute(logPath) || logPath.endsWith('/'))
    return logPath ? [`log path "${logPath}" is not an absolute file path; left alone`] : [];
  const dir = dirname(logPath);
  const name = basename(logPath);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ENOENT' ? [] : [`cannot list ${dir}: ${e.message}`];
  }
  const problems: string[] = [];
  for (const entry of entries) {
    if (entry !== name && !entry.startsWith(`${name}.`)) continue;
    const path = join(dir, entry);
    try {
      if (!lstatSync(path).isFile()) {
        problems.push(`${path} is not a regular file; left alone`);
        continue;
      }
      unlinkSync(path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') problems.push(`cannot remove log file ${path}: ${e.message}`);
    }
  }
  return problems;
}
