// Go literal syntax: integer, float, string and rune literals, and Go-style quoting.
import { charAt, isDigit } from './lexer.js';
import { utf8Decode, utf8Encode } from './utf8.js';

/** Go's underscore rule: '_' only between digits (a base prefix counts as a digit). */
export function underscoresOK(s: string): boolean {
  let body = s.replace(/^[+-]/, '');
  let saw: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  let hex = false;
  if (/^0[bBoOxX]/.test(body)) {
    hex = body[1] === 'x' || body[1] === 'X';
    body = body.slice(2);
    saw = 'digit';
  }
  for (const c of body) {
    if (isDigit(c) || (hex && /[a-fA-F]/.test(c))) saw = 'digit';
    else if (c === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else {
      if (saw === 'underscore') return false;
      saw = 'other';
    }
  }
  return saw !== 'underscore';
}

/** strconv.ParseInt(text, 0, 64) without the range check. */
export function parseGoInteger(text: string): bigint | null {
  if (text.includes('_') && !underscoresOK(text)) return null;
  const t = text.replace(/_/g, '');
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
  if (!m) return null;
  let digits = m[2];
  // A leading 0 means octal, as in Go source.
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** strconv.ParseFloat(text, 64): decimal or hexadecimal (with p exponent); null when invalid or out of range. */
export function parseGoFloat(text: string): number | null {
  if (text.includes('_') && !underscoresOK(text)) return null;
  const t = text.replace(/_/g, '');
  let v: number;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (hex) {
    const [, sign, intPart, frac = '', exp] = hex;
    if (intPart === '' && frac === '') return null;
    v = Number.parseInt(`${intPart}${frac}` || '0', 16) * 2 ** (Number(exp) - 4 * frac.length);
    if (sign === '-') v = -v;
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    v = Number(t);
  } else {
    return null;
  }
  return Number.isFinite(v) ? v : null;
}

/**
 * Reads one (possibly escaped) character of a Go quoted literal at s[i]. Returns the character
 * as bytes (\x and octal escapes are single bytes) and the index after it, or null if invalid.
 */
export function readGoChar(s: string, i: number, quote: string): { bytes: number[]; next: number } | null {
  const c = s[i];
  if (c === undefined) return null;
  if (c !== '\\') {
    if (c === quote) return null;
    const ch = charAt(s, i);
    return { bytes: utf8Encode(ch), next: i + ch.length };
  }
  const e = s[i + 1];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e !== undefined && e in simple) return { bytes: [simple[e]], next: i + 2 };
  if (e === quote) return { bytes: [quote.charCodeAt(0)], next: i + 2 };
  const hexRun = (n: number) => {
    const h = s.slice(i + 2, i + 2 + n);
    return h.length === n && /^[0-9a-fA-F]+$/.test(h) ? Number.parseInt(h, 16) : null;
  };
  if (e === 'x') {
    const v = hexRun(2);
    return v === null ? null : { bytes: [v], next: i + 4 };
  }
  if (e === 'u' || e === 'U') {
    const n = e === 'u' ? 4 : 8;
    const v = hexRun(n);
    if (v === null || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
    return { bytes: utf8Encode(String.fromCodePoint(v)), next: i + 2 + n };
  }
  const oct = s.slice(i + 1, i + 4);
  if (/^[0-7]{3}$/.test(oct) && Number.parseInt(oct, 8) <= 255)
    return { bytes: [Number.parseInt(oct, 8)], next: i + 4 };
  return null;
}

/** strconv.Unquote for "..." and `...` literals; null on invalid syntax. */
export function unquoteGoString(lit: string): string | null {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, ''); // raw strings drop \r, as in Go
  const bytes: number[] = [];
  for (let i = 1; i < lit.length - 1; ) {
    const r = readGoChar(lit, i, '"');
    if (!r) return null;
    bytes.push(...r.bytes);
    i = r.next;
  }
  return utf8Decode(bytes);
}

/** The code point of a 'x' character literal, or null when malformed. */
export function unquoteGoChar(lit: string): number | null {
  const r = readGoChar(lit, 1, "'");
  if (!r || r.next !== lit.length - 1) return null;
  if (lit[1] === '\\' && (lit[2] === 'x' || /[0-7]/.test(lit[2]))) return r.bytes[0];
  return utf8Decode(r.bytes).codePointAt(0) ?? null;
}

export const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
export function isPrint(ch: string): boolean {
  return PRINTABLE_RE.test(ch);
}
export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's strconv.Quote (and QuoteToASCII / QuoteRune via the flags). */
export function goQuote(s: string, quote = '"', asciiOnly = false): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') {
      out += `\\${ch}`;
    } else if (isPrint(ch) && (!asciiOnly || cp < 0x80)) {
      out += ch;
    } else {
      const named: Record<number, string> = {
        7: '\\a',
        8: '\\b',
        12: '\\f',
        10: '\\n',
        13: '\\r',
        9: '\\t',
        11: '\\v',
      };
      if (named[cp]) out += named[cp];
      else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
      else if (cp >= 0xd800 && cp <= 0xdfff)
        out += '\\ufffd'; // lone surrogate: Go would see invalid UTF-8
      else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    }
  }
  return out + quote;
}

/** Go's %#U: U+0041 'A'. */
export function formatU(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(ch) ? `${u} '${ch}'` : u;
}
