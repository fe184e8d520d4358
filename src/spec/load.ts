// Pod and container config files (JSON or YAML) checked against the CRI schema itself: field
// names in snake_case (what crictl documents) or lowerCamelCase, every field known, every value
// of the right type. Errors read `FILE: path.to.field: what is wrong`.
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { suggest } from '../errors.js';
import { UsageError } from '../errors.js';
import { messageType, type protobuf } from '../cri/schema.js';
import { yamlLib } from '../yaml-lib.js';
import { type ExactValue, NumberText, ParseError, parseJsonExact, yamlToExact } from './parse-exact.js';

/** Config files above this size are surely a mistake (crictl's configs are a few KiB). */
const MAX_SPEC_BYTES = 4 * 1024 * 1024;

export const snakeToCamel = (name: string) => name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export class SpecError extends UsageError {}

/** Reads a file as UTF-8 text with errors that name it; bytes that are not UTF-8 are an error,
 *  not U+FFFD (which would reach the runtime as a changed value). */
export function readSpecFile(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new SpecError(`${file}: is a directory, expected a JSON or YAML file`);
    size = st.size;
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(
      `${file}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`,
    );
  }
  if (size > MAX_SPEC_BYTES)
    throw new SpecError(`${file}: too large (${size} bytes) for a config file; expected at most ${MAX_SPEC_BYTES}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(`${file}: cannot read: ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    throw new SpecError(`${file}:${line}: not valid UTF-8 (byte ${at}); config files must be UTF-8 text`);
  }
  return text;
}

/** Offset of the first byte that does not decode as UTF-8. */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix: decoding is monotone in the prefix length up to a partial sequence.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      // A fresh decoder each time: a streaming one would carry a partial sequence over.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // That prefix may end in the first bytes of the broken sequence: report where it starts.
  for (;;) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lo));
      return lo;
    } catch {
      lo--;
    }
  }
}

/** Parses JSON or YAML: by extension, or by content when the extension says neither. Numbers keep
 *  their exact text, a repeated key is an error, and objects have no prototype. */
export async function parseSpecText(text: string, file: string): Promise<ExactValue> {
  const ext = extname(file).toLowerCase();
  if (text.trim() === '') throw new SpecError(`${file}: file is empty; expected a JSON or YAML object`);
  const looksJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text));
  if (looksJson) {
    try {
      return parseJsonExact(text.startsWith('\uFEFF') ? text.slice(1) : text);
    } catch (err) {
      if (err instanceof ParseError) throw new SpecError(`${file}: invalid JSON: ${err.message}`);
      throw err;
    }
  }
  const yaml = await yamlLib();
  const lines = new yaml.LineCounter();
  // uniqueKeys: false: the library's own check compares every key with every other (quadratic);
  // yamlToExact does it with one lookup per key.
  const doc = yaml.parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    intAsBigInt: true,
    uniqueKeys: false,
  });
  // Warnings (an unknown tag, which would be dropped) are errors too: nothing is changed silently.
  if (doc.errors.length > 0 || doc.warnings.length > 0) {
    const e = doc.errors[0] ?? doc.warnings[0];
    const pos = lines.linePos(e.pos[0]);
    throw new SpecError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  try {
    return yamlToExact(doc, lines, yaml);
  } catch (err) {
    if (err instanceof ParseError)
      throw new SpecError(`${file}${err.line ? `:${err.line}` : ''}: invalid YAML: ${err.message}`);
    throw err;
  }
}

/** A value as an error message shows it: numbers as written, strings quoted. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof NumberText) return v.text;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Numbers as NumberText whether they come from our parsers or from a caller's plain object. */
function asNumber(v: unknown): NumberText | undefined {
  if (v instanceof NumberText) return v;
  if (typeof v === 'bigint') return new NumberText(String(v), v);
  if (typeof v === 'number') return new NumberText(String(v), Number.isSafeInteger(v) ? BigInt(v) : v);
  return undefined;
}

/** Ranges of the integer types; values outside are an error, never wrapped or rounded. */
const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** Half of a UTF-16 surrogate pair without its other half: it has no UTF-8 form, and encoding it
 *  would send U+FFFD instead. (With the u flag, a proper pair is one character and does not match.) */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A decimal integer as JSON writes one (no sign but "-", no leading zeros, no exponent). */
const DECIMAL = /^-?(?:0|[1-9]\d*)$/;

/**
 * Validates `value` against message `typeName` and returns it with lowerCamelCase keys, ready
 * for the client: int64 values as exact decimal strings, bytes as the UTF-8 of the text given.
 * `file` names the source in errors.
 */
export function checkMessage(typeName: string, value: unknown, file: string): Record<string, unknown> {
  return checkObject(messageType(typeName), value, file, '');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof NumberText);

function checkObject(type: protobuf.Type, value: unknown, file: string, path: string): Record<string, unknown> {
  const where = path || '(top level)';
  if (!isObject(value)) throw new SpecError(`${file}: ${where}: expected an object, got ${describe(value)}`);
  const out: Record<string, unknown> = {};
  const spelled: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    const camel = snakeToCamel(key);
    const fieldPath = path ? `${path}.${key}` : key;
    // Own properties only: `constructor` or `toString` are not fields because every object has them.
    const field = Object.hasOwn(type.fields, camel) ? type.fields[camel] : undefined;
    if (!field) {
      const known = type.fieldsArray.map((f) =>
        key.includes('_') || !/[A-Z]/.test(key) ? camelToSnake(f.name) : f.name,
      );
      // Close spellings first, then a shortened name (log_dir for log_directory).
      const hint =
        suggest(key, known) ??
        (key.length >= 3 ? known.filter((k) => k.startsWith(key)).sort((a, b) => a.length - b.length)[0] : undefined);
      throw new SpecError(`${file}: ${fieldPath}: unknown field${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    // log_directory and logDirectory are one field: given both, neither may silently win.
    if (Object.hasOwn(spelled, camel))
      throw new SpecError(`${file}: ${fieldPath}: the same field as ${spelled[camel]}, given twice`);
    spelled[camel] = key;
    if (v === null) continue;
    out[camel] = checkField(field, v, file, fieldPath);
  }
  return out;
}

function checkField(field: protobuf.Field, value: unknown, file: string, path: string): unknown {
  if (field.map) {
    if (!isObject(value))
      throw new SpecError(`${file}: ${path}: expected an object of key: value, got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // An object key "__proto__" would set the prototype instead (the protobuf encoder builds
      // plain objects), so the entry would vanish on the way to the runtime.
      if (k === '__proto__') throw new SpecError(`${file}: ${path}: the key "__proto__" cannot be sent`);
      if (LONE_SURROGATE.test(k))
        throw new SpecError(`${file}: ${path}: key ${JSON.stringify(k)} is not valid Unicode (a lone surrogate)`);
      out[k] = checkSingle(field, v, file, `${path}.${k}`);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new SpecError(`${file}: ${path}: expected a list, got ${describe(value)}`);
    return value.map((v: unknown, i) => checkSingle(field, v, file, `${path}[${i}]`));
  }
  return checkSingle(field, value, file, path);
}

function checkSingle(field: protobuf.Field, value: unknown, file: string, path: string): unknown {
  const fail = (what: string): never => {
    throw new SpecError(`${file}: ${path}: expected ${what}, got ${describe(value)}`);
  };
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) return checkObject(resolved as protobuf.Type, value, file, path);
  const num = asNumber(value);
  if (resolved) {
    const values = (resolved as protobuf.Enum).values;
    if (typeof value === 'string' && Object.hasOwn(values, value)) return value;
    if (num && typeof num.value === 'bigint' && Object.values(values).includes(Number(num.value)))
      return Number(num.value);
    return fail(`one of ${Object.keys(values).join(', ')}`);
  }
  const t = field.type;
  if (t === 'string' || t === 'bytes') {
    // Text, also for bytes (KeyValue.value, an env value): crictl reads it as text, not base64.
    if (typeof value !== 'string')
      return fail(num || typeof value === 'boolean' ? 'a string (put it in quotes)' : 'a string');
    if (LONE_SURROGATE.test(value))
      throw new SpecError(`${file}: ${path}: not valid Unicode (a lone surrogate), got ${JSON.stringify(value)}`);
    return t === 'string' ? value : Buffer.from(value, 'utf8');
  }
  if (t === 'bool') return typeof value === 'boolean' ? value : fail('true or false');
  if (t === 'double' || t === 'float') return num ? Number(num.value) : fail('a number');
  const range = INT_RANGES[t];
  if (range) {
    const [min, max] = range;
    const wide = t.endsWith('64');
    const kind = min === 0n ? 'a non-negative integer' : 'an integer';
    let exact: bigint | undefined;
    if (num && typeof num.value === 'bigint') exact = num.value;
    // 64-bit values may also be quoted decimals, as protobuf's JSON mapping writes them.
    else if (wide && typeof value === 'string' && DECIMAL.test(value)) exact = BigInt(value);
    if (exact === undefined) return fail(kind);
    if (exact < min || exact > max) return fail(`${kind} from ${min} to ${max} (${t})`);
    return wide ? exact.toString() : Number(exact);
  }
  return fail(`a value of type ${t}`);
}
