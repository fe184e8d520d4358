// The escapers and text functions templates can call: html, js, urlquery, json, title.
import { hex, isPrint } from './literals.js';
import { utf8Encode } from './utf8.js';

export function htmlEscape(s: string): string {
  return s.replace(
    /["'&<>\0]/g,
    (c) => ({ '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\ufffd' })[c] as string,
  );
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const named: Record<string, string> = {
      '\\': '\\\\',
      "'": "\\'",
      '"': '\\"',
      '<': '\\u003C',
      '>': '\\u003E',
      '&': '\\u0026',
      '=': '\\u003D',
    };
    if (named[ch]) out += named[ch];
    else if (cp < 0x20) out += `\\u00${hex(cp, 2).toUpperCase()}`;
    else if (cp < 0x80 || isPrint(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape: everything but unreserved characters as %XX, space as '+'. */
export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of utf8Encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${hex(b, 2).toUpperCase()}`;
  }
  return out;
}

/** A JSON string as Go's encoding/json writes it: HTML-safe, with \u2028 and \u2029 escaped. */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += `\\u${hex(c, 4)}`;
    else if (
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < s.length &&
      s.charCodeAt(i + 1) >= 0xdc00 &&
      s.charCodeAt(i + 1) <= 0xdfff
    ) {
      out += s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

// Unicode word-break classes, simplified the way golang.org/x/text/cases uses them for Title.
export const CASED_RE = /^[\p{Lu}\p{Ll}\p{Lt}]$/u;
export const WORD_RE = /^[\p{L}\p{M}\p{Nd}\p{Pc}]$/u;
export const MID_WORD = new Set([
  "'",
  '.',
  ':',
  '\u00b7',
  '\u0387',
  '\u05f4',
  '\u2018',
  '\u2019',
  '\u2024',
  '\u2027',
  '\ufe13',
  '\ufe52',
  '\ufe55',
  '\uff07',
  '\uff0e',
  '\uff1a',
]);
export const TITLE_CASE: Record<string, string> = {
  ǆ: 'ǅ',
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǉ: 'ǈ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǌ: 'ǋ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǳ: 'ǲ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ß: 'Ss',
  ﬀ: 'Ff',
  ﬁ: 'Fi',
  ﬂ: 'Fl',
  ﬃ: 'Ffi',
  ﬄ: 'Ffl',
  ﬅ: 'St',
  ﬆ: 'St',
};

/**
 * crictl's title: cases.Title(language.Und, cases.NoLower). Upper-cases the first cased letter of
 * each word and leaves the rest alone; '_', digits and marks stay inside a word, and one of ' . :
 * between letters does too ("don't" -> "Don't"), but two in a row end it.
 */
export function titleCase(s: string): string {
  let out = '';
  let inWord = false;
  let prevMid = false;
  for (const ch of s) {
    const mid = MID_WORD.has(ch);
    if (prevMid && mid) inWord = false;
    if (CASED_RE.test(ch)) {
      out += inWord ? ch : (TITLE_CASE[ch] ?? ch.toUpperCase());
      inWord = true;
    } else {
      out += ch;
      if (!mid && !WORD_RE.test(ch)) inWord = false;
    }
    prevMid = mid;
  }
  return out;
}
