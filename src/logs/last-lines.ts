// The last lines of a container's log, for a glance (doctor's evidence, top's details pane): the
// file's tail read once, the CRI prefix (time, stream, tag) dropped, each line cut at 200
// characters. Not for `logs`, which streams every byte exactly.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Up to `max` bytes from the start (or the end) of a file, as UTF-8. */
export function readEdge(path: string, max: number, fromEnd: boolean): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, max);
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, fromEnd ? size - length : 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const TAIL_BYTES = 16 * 1024;

/** The last `n` lines a container wrote (CRI log format), without their prefixes; [] when unreadable. */
export function lastLogLines(path: string, n: number): string[] {
  let text: string;
  try {
    text = readEdge(path, TAIL_BYTES, true);
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l !== '');
  // A read that started mid-file may have cut its first line.
  if (Buffer.byteLength(text) >= TAIL_BYTES) lines.shift();
  return lines.slice(-n).map((l) => {
    const m = /^\S+ (?:stdout|stderr) [FP] ?(.*)$/s.exec(l);
    const content = m ? m[1] : l;
    return content.length > 200 ? `${content.slice(0, 200)}…` : content;
  });
}
