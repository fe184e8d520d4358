// Human-readable durations and sizes, computed the way crictl (via docker/go-units) does,
// so tables read the same; and the label blocks of its verbose listings.
import { escapeControls } from './escape.js';
import { goStringCompare } from './go-json.js';

/** "2 minutes", "About an hour", "3 days" … for an elapsed time in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** "5 minutes ago" for a CRI timestamp in nanoseconds since the epoch (an int64 string). */
export function ago(createdAtNanos: string | number, now = Date.now()): string {
  const ms = Number(BigInt(createdAtNanos) / 1_000_000n);
  return `${humanDuration(now - ms)} ago`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's %.Ng: N significant digits, trailing zeros dropped. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  let s = value.toPrecision(precision);
  if (exponent < -4 || exponent >= precision) {
    // Go writes e+06 style exponents with at least two digits.
    s = Number(s)
      .toExponential(precision - 1)
      .replace(/\.?0+e/, 'e')
      .replace(/e([+-])(\d)$/, 'e$10$2');
    return s;
  }
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Decimal sizes as go-units HumanSizeWithPrecision prints them: "1.23MB", "742kB". */
export function humanSize(bytes: number, precision = 4): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, precision);
}

/** Binary sizes as go-units BytesSize prints them: "1.5MiB". */
export function bytesSize(bytes: number, precision = 4): string {
  return scaled(bytes, 1024, BINARY_UNITS, precision);
}

function scaled(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return `${formatG(size, precision)}${units[i]}`;
}

/** Shortens an ID for tables (crictl shows 13 characters). */
export function truncateId(id: string, length = 13): string {
  return id.length > length ? id.slice(0, length) : id;
}

// Go's time.Unix(0, ns) is in the local zone (TZ, else /etc/localtime), as node's Date is.

interface LocalParts {
  date: string;
  time: string;
  fraction: string;
  offsetMinutes: number;
}

function localParts(nanos: string | number | bigint): LocalParts {
  const ns = BigInt(nanos);
  let seconds = ns / 1_000_000_000n;
  let rest = ns % 1_000_000_000n;
  if (rest < 0n) {
    rest += 1_000_000_000n;
    seconds -= 1n;
  }
  const utcMs = Number(seconds) * 1000;
  const offsetMinutes = -new Date(utcMs).getTimezoneOffset();
  const local = new Date(utcMs + offsetMinutes * 60_000);
  const iso = local.toISOString(); // local wall clock, spelled as if UTC
  const fraction = rest === 0n ? '' : `.${rest.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return { date: iso.slice(0, 10), time: iso.slice(11, 19), fraction, offsetMinutes };
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.trunc(abs / 60)).padStart(2, '0')}${colon ? ':' : ''}${String(abs % 60).padStart(2, '0')}`;
}

/** Go's time.Unix(0, ns).Format(time.RFC3339Nano): "2026-12-01T20:36:05.755089191Z". */
export function rfc3339Nano(nanos: string | number | bigint): string {
  const p = localParts(nanos);
  return `${p.date}T${p.time}${p.fraction}${p.offsetMinutes === 0 ? 'Z' : offsetText(p.offsetMinutes, true)}`;
}

/** What Go's zero time.Time formats as in RFC 3339 (crictl's unset startedAt/finishedAt). */
export const ZERO_TIME_RFC3339 = '0001-01-01T00:00:00Z';

/** Go's time.Unix(0, ns).String(): "2026-12-01 20:36:05.755089191 +0000 UTC". */
export function goTimeString(nanos: string | number | bigint): string {
  const p = localParts(nanos);
  return `${p.date} ${p.time}${p.fraction} ${offsetText(p.offsetMinutes, false)} ${zoneName(Number(BigInt(nanos) / 1_000_000n), p.offsetMinutes)}`;
}

function zoneName(ms: number, offsetMinutes: number): string {
  const tz = process.env.TZ;
  if (tz === '' || tz === 'UTC' || (offsetMinutes === 0 && (tz === undefined || tz === 'Etc/UTC'))) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((x) => x.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

/** fmt's %v of a map[string]string: "map[a:1 b:2]", keys sorted. */
export function goMapString(map: Record<string, string>): string {
  const keys = Object.keys(map).sort(goStringCompare);
  return `map[${keys.map((k) => `${k}:${map[k]}`).join(' ')}]`;
}

/** "Labels:\n\tk -> v" blocks of crictl's verbose listings, keys sorted. */
export function mapBlock(title: string, map: Record<string, string>): string {
  const keys = Object.keys(map).sort(goStringCompare);
  if (keys.length === 0) return '';
  return `${title}:\n${keys.map((k) => `\t${escapeControls(k)} -> ${escapeControls(map[k])}\n`).join('')}`;
}
