// Container log lines as runtimes write them: the CRI format
//   2016-10-06T00:17:09.669794202Z stdout F message
// (P = partial line, continued by the next entry; F = full) and Docker's JSON lines
//   {"log":"message\n","stream":"stdout","time":"2016-10-06T00:17:09.669794202Z"}

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  /** RFC 3339 timestamp with nanoseconds, as written. */
  time: string;
  stream: LogStream;
  /** True when the entry ends a line (F), false for a partial chunk (P). */
  full: boolean;
  message: string;
}

/** Parses one line of a log file (without its newline); undefined for a malformed line. */
export function parseLogLine(line: string): LogEntry | undefined {
  if (line.startsWith('{')) return parseDockerJson(line);
  const s1 = line.indexOf(' ');
  const s2 = line.indexOf(' ', s1 + 1);
  if (s1 <= 0 || s2 < 0) return undefined;
  const stream = line.slice(s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const s3 = line.indexOf(' ', s2 + 1);
  // The tag field is a ':'-separated list whose first element is P or F.
  const tag = s3 < 0 ? line.slice(s2 + 1) : line.slice(s2 + 1, s3);
  const message = s3 < 0 ? '' : line.slice(s3 + 1);
  return { time: line.slice(0, s1), stream, full: tag.split(':')[0] !== 'P', message };
}

function parseDockerJson(line: string): LogEntry | undefined {
  try {
    const obj = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof obj.log !== 'string' || (obj.stream !== 'stdout' && obj.stream !== 'stderr')) return undefined;
    const full = obj.log.endsWith('\n');
    return { time: String(obj.time ?? ''), stream: obj.stream, full, message: full ? obj.log.slice(0, -1) : obj.log };
  } catch {
    return undefined;
  }
}

/** Nanoseconds since the epoch from an RFC 3339 timestamp (bigint keeps the nanoseconds). */
export function timeToNanos(time: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
