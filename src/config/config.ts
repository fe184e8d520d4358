// crictl's configuration file (/etc/crictl.yaml): where it is, what it may hold, and how flags,
// environment and file combine. Errors name the file and line.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suggest, UsageError } from '../errors.js';
import { yamlLib } from '../yaml-lib.js';

export const DEFAULT_CONFIG_PATH = '/etc/crictl.yaml';

/** The keys crictl knows, with the type each must have. */
export const CONFIG_KEYS = {
  'runtime-endpoint': 'string',
  'image-endpoint': 'string',
  timeout: 'integer',
  debug: 'boolean',
  'pull-image-on-create': 'boolean',
  'disable-pull-on-run': 'boolean',
  'max-retries': 'signed integer',
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface FileConfig {
  'runtime-endpoint'?: string;
  'image-endpoint'?: string;
  /** Seconds. */
  timeout?: number;
  debug?: boolean;
  'pull-image-on-create'?: boolean;
  'disable-pull-on-run'?: boolean;
  /** Connection retries (crictl master); negative retries forever. */
  'max-retries'?: number;
}

export interface LoadedConfig {
  /** The file that was read, or would be written. */
  path: string;
  /** Whether it exists. */
  exists: boolean;
  values: FileConfig;
  warnings: string[];
}

/**
 * Which file to use: `--config` > `CRI_CONFIG_FILE` > /etc/crictl.yaml, and, when that is absent,
 * a `crictl.yaml` beside the executable.
 */
export function resolveConfigPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  executable: string,
): { path: string; explicit: boolean } {
  // Only --config must exist: a CRI_CONFIG_FILE that is absent is ignored, as crictl does.
  if (flag) return { path: flag, explicit: true };
  if (env.CRI_CONFIG_FILE) return { path: env.CRI_CONFIG_FILE, explicit: false };
  if (!existsSync(DEFAULT_CONFIG_PATH)) {
    const beside = join(dirname(executable), 'crictl.yaml');
    if (existsSync(beside)) return { path: beside, explicit: false };
  }
  return { path: DEFAULT_CONFIG_PATH, explicit: false };
}

/** Reads and validates a config file. A missing file is an empty config unless it was named explicitly. */
export async function loadConfig(path: string, explicit: boolean): Promise<LoadedConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && !explicit) return { path, exists: false, values: {}, warnings: [] };
    throw new UsageError(`${path}: cannot read config file: ${describeFsError(e)}`);
  }
  return { path, exists: true, ...(await parseConfigText(text, path)) };
}

export function describeFsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    default:
      return e.message;
  }
}

/** Parses config text; `FILE:LINE: problem` on anything malformed. */
export async function parseConfigText(text: string, path: string): Promise<{ values: FileConfig; warnings: string[] }> {
  const { parseDocument, isMap, isScalar, LineCounter } = await yamlLib();
  const lines = new LineCounter();
  // uniqueKeys: false: the library compares each key with every earlier one (10 000 keys took
  // seconds); the loop below finds a repeated key with one Set lookup per key instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined) => `${path}:${offset === undefined ? 1 : lines.linePos(offset).line}`;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UsageError(`${at(e.pos[0])}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const values: FileConfig = {};
  const warnings: string[] = [];
  if (doc.contents === null) return { values, warnings };
  if (!isMap(doc.contents))
    throw new UsageError(`${at(doc.contents.range?.[0])}: expected a mapping of key: value pairs`);
  const seen = new Set<string>();
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const keyPos = isScalar(keyNode) ? keyNode.range?.[0] : undefined;
    if (seen.has(key)) throw new UsageError(`${at(keyPos)}: invalid YAML: duplicate key "${key}"`);
    seen.add(key);
    // Own keys only: "constructor" or "toString" are in every object's prototype.
    if (!Object.hasOwn(CONFIG_KEYS, key)) {
      const hint = suggest(key, Object.keys(CONFIG_KEYS));
      warnings.push(`${at(keyPos)}: unknown key "${key}"${hint ? ` (did you mean ${hint}?)` : ''}; ignored`);
      continue;
    }
    const valueNode = pair.value;
    const value = isScalar(valueNode) ? valueNode.value : valueNode === null ? null : valueNode;
    const valuePos = isScalar(valueNode) ? valueNode.range?.[0] : keyPos;
    if (value === null || value === '') continue; // `key:` with nothing means unset, as crictl treats it
    const checked = checkValue(key as ConfigKey, value);
    if (typeof checked === 'string') throw new UsageError(`${at(valuePos)}: ${key}: ${checked}`);
    (values as Record<string, unknown>)[key] = checked.value;
  }
  return { values, warnings };
}

/** Validates one value for a key: `{value}` or the reason it is wrong. */
export function checkValue(key: ConfigKey, value: unknown): { value: string | number | boolean } | string {
  const want = CONFIG_KEYS[key];
  const shown =
    typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? 'a nested value' : String(value);
  switch (want) {
    case 'string':
      return typeof value === 'string' ? { value } : `expected a string, got ${shown}`;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0
        ? { value }
        : `expected a whole number of seconds (>= 0), got ${shown}`;
    case 'boolean':
      return typeof value === 'boolean' ? { value } : `expected true or false, got ${shown}`;
    case 'signed integer':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? { value }
        : `expected a whole number (negative: no limit), got ${shown}`;
  }
}

/** Converts a command-line string to a typed value for `key` (for `config --set`). */
export function parseValueForKey(key: ConfigKey, raw: string): string | number | boolean {
  const want = CONFIG_KEYS[key];
  let value: unknown = raw;
  if (want === 'integer' && /^\d+$/.test(raw)) value = Number(raw);
  if (want === 'signed integer' && /^-?\d+$/.test(raw)) value = Number(raw);
  if (want === 'boolean' && /^(true|false)$/i.test(raw)) value = raw.toLowerCase() === 'true';
  const checked = checkValue(key, value);
  if (typeof checked === 'string') throw new UsageError(`config: ${key}: ${checked}`);
  return checked.value;
}
