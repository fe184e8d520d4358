// Generic values marshalled as Go's encoding/json marshals map[string]any and then indents it
// with json.Indent(…, "", "  "): map keys sorted bytewise, numbers as float64 (the shortest
// spelling that reads back, 1e+21 style from 1e21 on), strings with Go's escapes, empty maps and
// lists as {} and [].

/** Compares strings as Go does (bytewise UTF-8), which differs from UTF-16 order only for
 *  characters above U+FFFF against U+E000–U+FFFF. */
export function goStringCompare(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The two-character escapes Go's encoding/json and protojson share. */
export const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A string as Go 1.22+ json.Marshal writes it: short escapes (\b and \f included), \u00XX for
 * other control characters, <, >, &, U+2028 and U+2029 escaped; a lone surrogate (which Go's
 * decoder would have turned into U+FFFD) is written as U+FFFD.
 */
export function goJsonQuote(s: string): string {
  const text = SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\ufffd') : s;
  return `"${text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Indented JSON of a generic value (Map, plain object, array, string, number, boolean, null). */
export function goJsonIndent(value: unknown): string {
  const out: string[] = [];
  write(out, value, '');
  return out.join('');
}

function write(out: string[], value: unknown, indent: string): void {
  if (value === null || value === undefined) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(goJsonQuote(value));
      return;
    case 'boolean':
      out.push(String(value));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`json: unsupported value: ${value}`);
      out.push(Object.is(value, -0) ? '-0' : JSON.stringify(value));
      return;
    case 'bigint':
      out.push(value.toString());
      return;
    default:
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[');
    value.forEach((v, i) => {
      out.push(i === 0 ? '\n' : ',\n', inner);
      write(out, v, inner);
    });
    out.push('\n', indent, ']');
    return;
  }
  const entries =
    value instanceof Map ? [...(value as Map<string, unknown>).entries()] : Object.entries(value as object);
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  entries.sort(([a], [b]) => goStringCompare(a, b));
  out.push('{');
  entries.forEach(([k, v], i) => {
    out.push(i === 0 ? '\n' : ',\n', inner, goJsonQuote(k), ': ');
    write(out, v, inner);
  });
  out.push('\n', indent, '}');
}
