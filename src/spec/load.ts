// Pod and container config files (JSON or YAML) checked against the CRI schema itself: field
// names in snake_case (what crictl documents) or lowerCamelCase, every field known, every value
// of the right type. Errors read `FILE: path.to.field: what is wrong`.
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { suggest } from '../config/config.js';
import { UsageError } from '../cri/errors.js';
import { messageType, type protobuf } from '../cri/schema.js';
import { yamlLib } from '../output/yaml-lib.js';

/** Config files above this size are surely a mistake (crictl's configs are a few KiB). */
const MAX_SPEC_BYTES = 4 * 1024 * 1024;

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);

const snakeToCamel = (name: string) => name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export class SpecError extends UsageError {}

/** Reads a file as text with errors that name it. */
export function readSpecFile(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new SpecError(`${file}: is a directory, expected a JSON or YAML file`);
    size = st.size;
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(`${file}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  if (size > MAX_SPEC_BYTES) throw new SpecError(`${file}: too large (${size} bytes) for a config file; expected at most ${MAX_SPEC_BYTES}`);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(`${file}: cannot read: ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
}

/** Parses JSON or YAML: by extension, or by content when the extension says neither. */
export async function parseSpecText(text: string, file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  if (text.trim() === '') throw new SpecError(`${file}: file is empty; expected a JSON or YAML object`);
  const looksJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text));
  if (looksJson) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SpecError(`${file}: invalid JSON: ${jsonErrorWhere(text, err as Error)}`);
    }
  }
  const { parseDocument, LineCounter } = await yamlLib();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw new SpecError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS();
}

/** "line 3 column 5: Unexpected token" from V8's JSON error, which gives an offset. */
function jsonErrorWhere(text: string, err: Error): string {
  const message = err.message.split('\n')[0];
  const pos = /position (\d+)/.exec(message);
  if (!pos) return message;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `line ${line} column ${col}: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')}`;
}

const describe = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? JSON.stringify(v) : String(v);

/**
 * Validates `value` against message `typeName` and returns it with lowerCamelCase keys, ready
 * for the client. `file` names the source in errors.
 */
export function checkMessage(typeName: string, value: unknown, file: string): Record<string, unknown> {
  return checkObject(messageType(typeName), value, file, '');
}

function checkObject(type: protobuf.Type, value: unknown, file: string, path: string): Record<string, unknown> {
  const where = path || '(top level)';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError(`${file}: ${where}: expected an object, got ${describe(value)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const camel = snakeToCamel(key);
    const field = type.fields[camel];
    const fieldPath = path ? `${path}.${key}` : key;
    if (!field) {
      const known = type.fieldsArray.map((f) => (key.includes('_') || !/[A-Z]/.test(key) ? camelToSnake(f.name) : f.name));
      const hint = suggest(key, known);
      throw new SpecError(`${file}: ${fieldPath}: unknown field${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    if (v === null) continue;
    out[camel] = checkField(field, v, file, fieldPath);
  }
  return out;
}

function checkField(field: protobuf.Field, value: unknown, file: string, path: string): unknown {
  if (field.map) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new SpecError(`${file}: ${path}: expected an object of key: value, got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as object)) out[k] = checkSingle(field, v, file, `${path}.${k}`);
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new SpecError(`${file}: ${path}: expected a list, got ${describe(value)}`);
    return value.map((v, i) => checkSingle(field, v, file, `${path}[${i}]`));
  }
  return checkSingle(field, value, file, path);
}

function checkSingle(field: protobuf.Field, value: unknown, file: string, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) return checkObject(resolved as protobuf.Type, value, file, path);
  if (resolved) {
    const values = (resolved as protobuf.Enum).values;
    if (typeof value === 'string' && value in values) return value;
    if (typeof value === 'number' && Object.values(values).includes(value)) return value;
    throw new SpecError(`${file}: ${path}: expected one of ${Object.keys(values).join(', ')}, got ${describe(value)}`);
  }
  const t = field.type;
  const fail = (what: string): never => {
    throw new SpecError(`${file}: ${path}: expected ${what}, got ${describe(value)}`);
  };
  if (t === 'string') return typeof value === 'string' ? value : fail('a string');
  if (t === 'bool') return typeof value === 'boolean' ? value : fail('true or false');
  if (t === 'bytes') return typeof value === 'string' ? Buffer.from(value, 'base64') : fail('a base64 string');
  if (t === 'double' || t === 'float') return typeof value === 'number' ? value : fail('a number');
  if (INT32.has(t) || UINT32.has(t)) {
    const unsigned = UINT32.has(t);
    if (typeof value !== 'number' || !Number.isInteger(value)) return fail(unsigned ? 'a non-negative integer' : 'an integer');
    if (unsigned ? value < 0 || value > 0xffffffff : value < -0x80000000 || value > 0x7fffffff) return fail(`an integer in ${t} range`);
    return value;
  }
  if (INT64.has(t) || UINT64.has(t)) {
    // 64-bit values may also be written as decimal strings (they exceed JS numbers).
    const unsigned = UINT64.has(t);
    const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value : '';
    if (!(unsigned ? /^\d+$/ : /^-?\d+$/).test(text)) return fail(unsigned ? 'a non-negative integer' : 'an integer');
    return text;
  }
  return value;
}

/** Loads and validates a config file of message type `typeName`. */
export async function loadSpec(file: string, typeName: string): Promise<Record<string, unknown>> {
  const parsed = await parseSpecText(readSpecFile(file), file);
  return checkMessage(typeName, parsed, file);
}
