// The effective settings of one crictl run: flags > environment > config file > defaults,
// the same precedence crictl applies.
import { UsageError } from '../errors.js';
import { DEFAULT_RUNTIME_ENDPOINTS, pickDefaultEndpoint } from '../cri/endpoint.js';
import { loadConfig, type LoadedConfig } from './config.js';

/** Global flags, as given before the command name. */
export interface GlobalFlags {
  config?: string;
  runtimeEndpoint?: string;
  imageEndpoint?: string;
  timeout?: string;
  debug?: boolean;
  maxRetries?: string;
}

export interface Settings {
  runtimeEndpoint: string;
  /** True when no endpoint was configured and a default socket was picked. */
  runtimeEndpointIsDefault: boolean;
  imageEndpoint: string;
  timeoutMs: number;
  debug: boolean;
  /** Retries (with backoff) while an explicitly set endpoint cannot be reached; < 0: forever. */
  maxRetries: number;
  pullImageOnCreate: boolean;
  disablePullOnRun: boolean;
  config: LoadedConfig;
  /** Lines to print on stderr before the command runs. */
  warnings: string[];
}

export const DEFAULT_MAX_RETRIES = 3;

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  '\u00b5s': 1e-3, // micro sign
  '\u03bcs': 1e-3, // Greek mu: Go accepts both
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The longest Go duration (int64 nanoseconds, about 292 years), in milliseconds: crictl refuses
 *  longer ones, and gRPC cannot express a deadline much beyond it. */
export const MAX_DURATION_MS = 9_223_372_036_854;

function inRange(ms: number, raw: string, what: string): number {
  if (!(ms <= MAX_DURATION_MS))
    throw new UsageError(`invalid ${what} "${raw}": out of range (at most 2562047h, about 292 years)`);
  return ms;
}

/** Parses a Go duration ("2s", "1m30s", "500ms") or a bare number of seconds; returns milliseconds. */
export function parseDuration(raw: string, what = 'duration'): number {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return inRange(Number(text) * 1000, raw, what);
  const re = /(\d+(?:\.\d+)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    consumed = re.lastIndex;
  }
  if (text === '' || consumed !== text.length) {
    throw new UsageError(`invalid ${what} "${raw}": expected a number with a unit, e.g. 2s, 500ms, 1m30s`);
  }
  return inRange(total, raw, what);
}

export async function resolveSettings(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  configFile: { path: string; explicit: boolean },
): Promise<Settings> {
  const { path, explicit } = configFile;
  const config = await loadConfig(path, explicit);
  const file = config.values;
  const warnings = [...config.warnings];

  const configured = flags.runtimeEndpoint || env.CONTAINER_RUNTIME_ENDPOINT || file['runtime-endpoint'];
  let runtimeEndpoint: string;
  if (configured) {
    runtimeEndpoint = configured;
  } else {
    runtimeEndpoint = pickDefaultEndpoint();
    warnings.push(
      `WARN: runtime endpoint not set, using ${runtimeEndpoint} (tried ${DEFAULT_RUNTIME_ENDPOINTS.join(', ')}); set runtime-endpoint in ${path} or pass --runtime-endpoint`,
    );
  }
  const imageEndpoint = flags.imageEndpoint || env.IMAGE_SERVICE_ENDPOINT || file['image-endpoint'] || runtimeEndpoint;

  let timeoutMs = 2000;
  if (flags.timeout !== undefined) timeoutMs = parseDuration(flags.timeout, '--timeout');
  else if (file.timeout !== undefined) {
    if (file.timeout * 1000 > MAX_DURATION_MS)
      throw new UsageError(
        `${path}: timeout: ${file.timeout} seconds is out of range (at most ${Math.floor(MAX_DURATION_MS / 1000)}, about 292 years)`,
      );
    timeoutMs = file.timeout * 1000;
  }

  // As crictl master: the flag, else the file's value, which is 0 when a file exists without
  // the key; 3 only when there is no config file at all.
  let maxRetries = config.exists ? (file['max-retries'] ?? 0) : DEFAULT_MAX_RETRIES;
  if (flags.maxRetries !== undefined) {
    if (!/^-?\d+$/.test(flags.maxRetries))
      throw new UsageError(
        `--max-retries "${flags.maxRetries}": expected a whole number (0: no retries, negative: no limit)`,
      );
    maxRetries = Number(flags.maxRetries);
  }

  return {
    runtimeEndpoint,
    runtimeEndpointIsDefault: !configured,
    imageEndpoint,
    timeoutMs,
    debug: flags.debug ?? file.debug ?? false,
    maxRetries,
    pullImageOnCreate: file['pull-image-on-create'] ?? false,
    disablePullOnRun: file['disable-pull-on-run'] ?? false,
    config,
    warnings,
  };
}
