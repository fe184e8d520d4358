// Container log records as runtimes write them, parsed from bytes (never decoded as text, so
// the output is the file's bytes): the CRI format
//   2016-10-06T00:17:09.669794202Z stdout F message
// (P = partial record, continued by the next one; F = the record ends a line) and Docker's JSON
//   {"log":"message\n","stream":"stdout","time":"2016-10-06T00:17:09.669794202Z"}
// Acceptance follows the kubelet's log reader that crictl uses (k8s.io/cri-client/pkg/logs).

export type LogStream = 'stdout' | 'stderr';

/** A record timestamp: the wall clock as written plus its UTC offset. */
export interface LogTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  offsetSeconds: number;
}

/** The start of a CRI record: everything before its message. */
export interface CriHeader {
  time: LogTime;
  stream: LogStream;
  partial: boolean;
}

const digit = (b: number) => b >= 0x30 && b <= 0x39;

/** A fixed-width decimal number at `at`, or -1. */
function num(s: Uint8Array, at: number, width: number): number {
  let n = 0;
  for (let i = at; i < at + width; i++) {
    if (!digit(s[i])) return -1;
    n = n * 10 + s[i] - 0x30;
  }
  return n;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * Parses an RFC 3339 time as Go's time.Parse does with RFC3339Nano (1-9+ fractional digits, more
 * are cut; '.' or ','; 'Z' or ±hh:mm). Undefined when Go would reject it.
 */
export function parseLogTime(s: Uint8Array): LogTime | undefined {
  if (s.length < 20) return undefined;
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  const hour = num(s, 11, 2);
  const minute = num(s, 14, 2);
  const second = num(s, 17, 2);
  if (s[4] !== 0x2d || s[7] !== 0x2d || s[10] !== 0x54 || s[13] !== 0x3a || s[16] !== 0x3a) return undefined;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let i = 19;
  let nanos = 0;
  if ((s[i] === 0x2e || s[i] === 0x2c) && digit(s[i + 1])) {
    let scale = 100_000_000;
    for (i++; i < s.length && digit(s[i]); i++) {
      nanos += (s[i] - 0x30) * scale;
      scale = Math.floor(scale / 10); // digits past the ninth are cut
    }
  }
  let offsetSeconds = 0;
  if (s.length - i === 1 && s[i] === 0x5a) return { year, month, day, hour, minute, second, nanos, offsetSeconds };
  if (s.length - i !== 6 || (s[i] !== 0x2b && s[i] !== 0x2d) || s[i + 3] !== 0x3a) return undefined;
  const oh = num(s, i + 1, 2);
  const om = num(s, i + 4, 2);
  // Go's general parser takes offsets up to 24 hours and 60 minutes.
  if (oh < 0 || oh > 24 || om < 0 || om > 60) return undefined;
  offsetSeconds = (oh * 60 + om) * 60 * (s[i] === 0x2d ? -1 : 1);
  return { year, month, day, hour, minute, second, nanos, offsetSeconds };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Go's RFC3339NanoFixed ("2006-01-02T15:04:05.000000000Z07:00"), as crictl prints timestamps. */
export function formatLogTime(t: LogTime): string {
  const date = `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(t.nanos, 9)}`;
  if (t.offsetSeconds === 0) return `${date}Z`;
  const minutes = Math.abs(t.offsetSeconds) / 60;
  return `${date}${t.offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
}

/** Nanoseconds since the epoch. */
export function logTimeNanos(t: LogTime): bigint {
  const d = new Date(Date.UTC(2000, t.month - 1, t.day, t.hour, t.minute, t.second));
  d.setUTCFullYear(t.year); // Date.UTC maps years 0-99 to 1900-1999
  return (BigInt(d.getTime()) / 1000n - BigInt(t.offsetSeconds)) * 1_000_000_000n + BigInt(t.nanos);
}

/** Nanoseconds since the epoch from an RFC 3339 timestamp (bigint keeps the nanoseconds). */
export function timeToNanos(time: string): bigint | undefined {
  const t = parseLogTime(Buffer.from(time, 'latin1'));
  return t && logTimeNanos(t);
}

const STDOUT = Buffer.from('stdout');
const STDERR = Buffer.from('stderr');

/**
 * Parses a CRI record's header: `line` runs from the record's start through the space that
 * ends its tag (the message follows). Undefined when the kubelet's parser would reject it.
 */
export function parseCriHeader(line: Uint8Array): CriHeader | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const time = parseLogTime(line.subarray(0, s1));
  if (!time) return undefined;
  const s2 = s1 + 7;
  if (line[s2] !== 0x20) return undefined;
  const name = line.subarray(s1 + 1, s2);
  const stream = STDOUT.equals(name) ? 'stdout' : STDERR.equals(name) ? 'stderr' : undefined;
  if (!stream) return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  if (s3 < 0) return undefined;
  // The tag is a ':'-separated list whose first element says P(artial) or F(ull).
  const partial = line[s2 + 1] === 0x50 && (s3 === s2 + 2 || line[s2 + 2] === 0x3a);
  return { time, stream, partial };
}

/** A Docker JSON record; `stream` is as written (checked when it is printed, as the kubelet does). */
export interface DockerRecord {
  time: LogTime;
  stream: string;
  log: Buffer;
}

/** Go's zero time, for records without a "time". */
const ZERO_TIME: LogTime = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0, offsetSeconds: 0 };

/** Parses a Docker JSON log line (keys matched case-insensitively, as Go's encoding/json does). */
export function parseDockerLine(line: Buffer): DockerRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null) return { time: ZERO_TIME, stream: '', log: Buffer.alloc(0) };
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  let log = '';
  let stream = '';
  let time = ZERO_TIME;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const k = key.toLowerCase();
    if (k === 'log' || k === 'stream') {
      if (v === null) continue;
      if (typeof v !== 'string') return undefined;
      if (k === 'log') log = v;
      else stream = v;
    } else if (k === 'time') {
      if (v === null) continue;
      const t = typeof v === 'string' ? parseLogTime(Buffer.from(v, 'utf8')) : undefined;
      if (!t) return undefined;
      time = t;
    }
  }
  return { time, stream, log: Buffer.from(log, 'utf8') };
}
