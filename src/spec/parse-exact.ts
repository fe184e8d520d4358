// JSON and YAML parsed without changing a value on the way: numbers keep the text they were
// written as (JSON.parse and YAML's default turn 9223372036854775807 into a double, and so into
// 9223372036854775808), a key given twice is an error rather than "the last one wins", and
// objects have no prototype, so keys such as `__proto__` or `constructor` are plain data.
// Both parsers do their duplicate-key check with one lookup per key (linear in the file).
import type { Document, LineCounter, Node as YamlNode } from 'yaml';

/** A number as the file wrote it, with its exact value: a bigint for an integer, else a double. */
export class NumberText {
  constructor(
    readonly text: string,
    readonly value: bigint | number,
  ) {}
}

/** What the parsers produce: no prototypes, no number that has gone through a double. */
export type ExactValue = string | boolean | null | NumberText | ExactValue[] | { [key: string]: ExactValue };

export class ParseError extends Error {
  /** The line it is about, when the message does not say. */
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** A fresh object with no prototype: every key, even `__proto__`, is an own property. */
export const dataObject = (): { [key: string]: ExactValue } => Object.create(null) as { [key: string]: ExactValue };

/** Strict JSON (RFC 8259). Errors read `line L column C: what`. */
export function parseJsonExact(text: string): ExactValue {
  let pos = 0;
  const fail = (what: string, at = pos): never => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    throw new ParseError(`line ${line} column ${at - before.lastIndexOf('\n')}: ${what}`);
  };
  const ws = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r'))
      pos++;
  };
  const shown = () => (pos >= text.length ? 'end of input' : JSON.stringify(text[pos]));
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const ESCAPES: Record<string, string> = {
    '"': '"',
    '\\': '\\',
    '/': '/',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
  };

  const string = (): string => {
    const start = pos;
    pos++; // the opening quote
    let out = '';
    let run = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string (escape it)');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(run, pos);
      const e = text[pos + 1];
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        pos += 2;
      } else {
        fail(`invalid escape \\${e ?? ''}`);
      }
      run = pos;
    }
    out += text.slice(run, pos);
    pos++;
    return out;
  };

  const value = (depth: number): ExactValue => {
    if (depth > 200) fail('nested too deeply');
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj = dataObject();
      ws();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail(`expected a key in quotes, got ${shown()}`);
        const keyAt = pos;
        const key = string();
        if (Object.hasOwn(obj, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        ws();
        if (text[pos] !== ':') fail(`expected ":" after key, got ${shown()}`);
        pos++;
        obj[key] = value(depth + 1);
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return obj;
        } else fail(`expected "," or "}", got ${shown()}`);
      }
    }
    if (c === '[') {
      pos++;
      const list: ExactValue[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return list;
      }
      for (;;) {
        list.push(value(depth + 1));
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return list;
        } else fail(`expected "," or "]", got ${shown()}`);
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return new NumberText(m[0], m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]));
    }
    return fail(`unexpected ${shown()}`);
  };

  const result = value(0);
  ws();
  if (pos < text.length) fail(`unexpected ${shown()} after the end of the value`);
  return result;
}

/** Integers both YAML 1.1 and 1.2 read alike: decimal without leading zeros, or 0x hex. */
const YAML_INTEGER = /^[-+]?(?:0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/;

/** How many aliases a YAML file may expand: a few anchors are normal, a billion laughs is not. */
const MAX_ALIASES = 1000;

/**
 * A parsed YAML document (parsed with `intAsBigInt` and `uniqueKeys: false`) as exact values;
 * errors carry the line.
 */
export function yamlToExact(doc: Document.Parsed, lines: LineCounter, yaml: typeof import('yaml')): ExactValue {
  const { isMap, isSeq, isScalar, isAlias } = yaml;
  let aliases = 0;
  const fail = (node: YamlNode | null | undefined, what: string): never => {
    const offset = node?.range?.[0];
    throw new ParseError(what, offset === undefined ? undefined : lines.linePos(offset).line);
  };
  const walk = (node: unknown, depth: number): ExactValue => {
    if (depth > 200) fail(null, 'nested too deeply');
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      if (++aliases > MAX_ALIASES) fail(node, `more than ${MAX_ALIASES} aliases`);
      return walk(node.resolve(doc), depth + 1);
    }
    if (isMap(node)) {
      const obj = dataObject();
      for (const pair of node.items) {
        const k = pair.key as unknown;
        if (!isScalar(k) || k.value === null || typeof k.value === 'object')
          return fail(isScalar(k) ? k : null, 'a key must be text or a number');
        const key = scalarText(k);
        // YAML 1.1 merges these (crictl's YAML reader does), YAML 1.2 does not: refuse the doubt.
        if (key === '<<' && k.type === 'PLAIN') fail(k, 'merge keys (<<) are not supported; write the fields out');
        if (Object.hasOwn(obj, key)) fail(k, `duplicate key ${JSON.stringify(key)}`);
        obj[key] = walk(pair.value, depth + 1);
      }
      return obj;
    }
    if (isSeq(node)) return node.items.map((item) => walk(item, depth + 1));
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'bigint') {
        // 017 is 17 in YAML 1.2 but 15 in YAML 1.1 (which crictl reads); 0o17 is a string there.
        const text = scalarText(node);
        if (!YAML_INTEGER.test(text))
          fail(node, `${text}: write integers in decimal (or 0x hex) without leading zeros`);
        return new NumberText(text, v);
      }
      if (typeof v === 'number') return new NumberText(scalarText(node), v);
      if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
      return fail(node, `unsupported YAML value${node.tag ? ` (${node.tag})` : ''}; write it as text`);
    }
    return fail(node as YamlNode, 'unsupported YAML value');
  };
  return walk(doc.contents, 0);
}

/** A scalar's text as written (for `0x10`, `0x10`), or its value when the source is not kept. */
function scalarText(node: { value: unknown; source?: string }): string {
  return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
}
