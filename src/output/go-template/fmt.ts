// Go's fmt Print, Println and Printf for the value kinds above.
import { formatFloat } from './float.js';
import { charAt, isDigit } from './lexer.js';
import { goQuote, hex, isPrint } from './literals.js';
import { utf8Encode } from './utf8.js';
import { dataValue, GoFloat, isMap, JsonNumber, numberText, sortedKeys, type Val } from './values.js';

export interface FmtSpec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** -1 when absent. */
  wid: number;
  prec: number;
  plusV: boolean;
  sharpV: boolean;
}

export function plainSpec(): FmtSpec {
  return {
    minus: false,
    plus: false,
    sharp: false,
    space: false,
    zero: false,
    wid: -1,
    prec: -1,
    plusV: false,
    sharpV: false,
  };
}
export const PLAIN: Readonly<FmtSpec> = Object.freeze(plainSpec());

export function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Pads to the width in runes; zero padding only where Go allows it (numbers, not strings). */
export function pad(s: string, spec: Readonly<FmtSpec>, zeros = false): string {
  if (spec.wid < 0) return s;
  const n = spec.wid - runeCount(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  return (zeros && spec.zero ? '0' : ' ').repeat(n) + s;
}

export class GoFmt {
  constructor(readonly jsonNumbers: boolean) {}

  /** Go's type name for a value, as %T and error messages show it. */
  /** The text of a json.Number (a data number when numbers are json.Number), else null. */
  jsonNumberText(v: Val): string | null {
    if (v instanceof JsonNumber) return v.text;
    return typeof v === 'number' && this.jsonNumbers ? numberText(v) : null;
  }

  typeName(v: Val): string {
    if (v === null || v === undefined) return 'interface {}';
    if (v instanceof JsonNumber) return 'json.Number';
    switch (typeof v) {
      case 'boolean':
        return 'bool';
      case 'bigint':
        return 'int';
      case 'string':
        return 'string';
      case 'number':
        return this.jsonNumbers ? 'json.Number' : 'float64';
    }
    if (v instanceof GoFloat) return 'float64';
    if (Array.isArray(v)) return '[]interface {}';
    return 'map[string]interface {}';
  }

  /** Whether fmt treats the value as a string operand (reflect kind String). */
  isStringKind(v: Val): boolean {
    return typeof v === 'string' || this.jsonNumberText(v) !== null;
  }

  /** The float64 inside a value, or null when it is not a float64. */
  floatOf(v: Val): number | null {
    if (v instanceof GoFloat) return v.value;
    if (typeof v === 'number' && !this.jsonNumbers) return v;
    return null;
  }

  /** fmt.Sprint(v) for one value: what an action prints. */
  sprintValue(v: Val): string {
    if (typeof v === 'string') return v;
    return this.printArg(v, 'v', PLAIN);
  }

  /** fmt.Sprint: spaces only between operands when neither is a string. */
  sprint(args: readonly Val[]): string {
    let out = '';
    let prevString = false;
    args.forEach((a, i) => {
      const isString = this.isStringKind(a);
      if (i > 0 && !isString && !prevString) out += ' ';
      out += this.printArg(a, 'v', PLAIN);
      prevString = isString;
    });
    return out;
  }

  sprintln(args: readonly Val[]): string {
    return `${args.map((a) => this.printArg(a, 'v', PLAIN)).join(' ')}\n`;
  }

  sprintf(format: string, args: readonly Val[]): string {
    let out = '';
    let argNum = 0;
    let reordered = false;
    const end = format.length;
    // "[n]" selects the argument for what follows; ok=false marks a bad index.
    const argIndex = (i: number): { i: number; found: boolean; ok: boolean } => {
      if (format[i] !== '[') return { i, found: false, ok: true };
      reordered = true;
      const close = format.indexOf(']', i);
      const n = close > i + 1 && /^\d+$/.test(format.slice(i + 1, close)) ? Number(format.slice(i + 1, close)) : NaN;
      if (close < 0) return { i: i + 1, found: false, ok: false };
      if (n >= 1 && n <= args.length) {
        argNum = n - 1;
        return { i: close + 1, found: true, ok: true };
      }
      return { i: close + 1, found: false, ok: false };
    };
    const number = (i: number): { n: number; present: boolean; i: number } => {
      let j = i;
      while (isDigit(format[j])) j++;
      if (j === i) return { n: 0, present: false, i };
      const n = Number(format.slice(i, j));
      return n > 1e6 ? { n: 0, present: false, i: j } : { n, present: true, i: j };
    };
    const intArg = (): number | null => {
      const a = args[argNum++];
      return typeof a === 'bigint' && a >= -1000000n && a <= 1000000n ? Number(a) : null;
    };

    for (let i = 0; i < end; ) {
      const pct = format.indexOf('%', i);
      if (pct < 0) {
        out += format.slice(i);
        break;
      }
      out += format.slice(i, pct);
      i = pct + 1;
      const spec = plainSpec();
      let goodArgNum = true;
      flags: for (; i < end; i++) {
        switch (format[i]) {
          case '#':
            spec.sharp = true;
            break;
          case '0':
            spec.zero = !spec.minus;
            break; // only pad with zeros on the left
          case '+':
            spec.plus = true;
            break;
          case '-':
            spec.minus = true;
            spec.zero = false;
            break;
          case ' ':
            spec.space = true;
            break;
          default:
            break flags;
        }
      }
      let idx = argIndex(i);
      i = idx.i;
      goodArgNum &&= idx.ok;
      let afterIndex = idx.found;
      if (format[i] === '*') {
        i++;
        const w = argNum < args.length ? intArg() : null;
        if (w === null) {
          if (argNum <= args.length) out += '%!(BADWIDTH)';
        } else {
          spec.wid = Math.abs(w);
          if (w < 0) {
            spec.minus = true;
            spec.zero = false;
          }
        }
        afterIndex = false;
      } else {
        const w = number(i);
        i = w.i;
        if (w.present) {
          spec.wid = w.n;
          if (afterIndex) goodArgNum = false;
        }
      }
      if (format[i] === '.') {
        i++;
        if (afterIndex) goodArgNum = false;
        idx = argIndex(i);
        i = idx.i;
        goodArgNum &&= idx.ok;
        afterIndex = idx.found;
        if (format[i] === '*') {
          i++;
          const p = argNum < args.length ? intArg() : null;
          if (p === null) out += '%!(BADPREC)';
          spec.prec = p !== null && p >= 0 ? p : -1;
          afterIndex = false;
        } else {
          const p = number(i);
          i = p.i;
          spec.prec = p.present ? p.n : 0;
        }
      }
      if (!afterIndex) {
        idx = argIndex(i);
        i = idx.i;
        goodArgNum &&= idx.ok;
      }
      if (i >= end) {
        out += '%!(NOVERB)';
        break;
      }
      const verb = charAt(format, i);
      i += verb.length;
      if (verb === '%') {
        out += '%'; // takes no operand and ignores width and precision
      } else if (!goodArgNum) {
        out += `%!${verb}(BADINDEX)`;
      } else if (argNum >= args.length) {
        out += `%!${verb}(MISSING)`;
      } else {
        if (verb === 'v') {
          spec.sharpV = spec.sharp;
          spec.sharp = false;
          spec.plusV = spec.plus;
          spec.plus = false;
        }
        out += this.printArg(args[argNum++], verb, spec);
      }
    }
    if (!reordered && argNum < args.length) {
      const extra = args
        .slice(argNum)
        .map((a) => (a === null || a === undefined ? '<nil>' : `${this.typeName(a)}=${this.printArg(a, 'v', PLAIN)}`));
      out += `%!(EXTRA ${extra.join(', ')})`;
    }
    return out;
  }

  /** One operand of a Print/Printf call. */
  printArg(v: Val, verb: string, spec: Readonly<FmtSpec>): string {
    if (v === null || v === undefined) {
      return verb === 'T' || verb === 'v' ? pad('<nil>', spec) : this.badVerb(verb, null, spec);
    }
    if (verb === 'T') return pad(this.typeName(v), spec);
    return this.printValue(v, verb, spec, 0);
  }

  private printValue(v: Val, verb: string, spec: Readonly<FmtSpec>, depth: number): string {
    if (v === null || v === undefined) {
      // Only reachable for elements of arrays and maps, which are interface{} values.
      return spec.sharpV ? 'interface {}(nil)' : pad('<nil>', spec);
    }
    if (typeof v === 'boolean')
      return verb === 't' || verb === 'v' ? pad(String(v), spec, true) : this.badVerb(verb, v, spec);
    if (typeof v === 'bigint') return this.fmtInteger(v, verb, spec);
    if (typeof v === 'string') return this.fmtString(v, verb, spec, v);
    const f = this.floatOf(v);
    if (f !== null) return this.fmtFloat(f, verb, spec, v);
    const text = this.jsonNumberText(v);
    if (text !== null) {
      // json.Number: a string type with a String method, which %v %s %x %X %q use.
      if (spec.sharpV) return this.fmtString(text, verb, spec, v);
      return 'vsxXq'.includes(verb) ? this.fmtString(text, verb, spec, v) : this.badVerb(verb, v, spec);
    }
    if (Array.isArray(v)) {
      const items = v.map((e) => this.printValue(dataValue(e), verb, spec, depth + 1));
      return spec.sharpV ? `[]interface {}{${items.join(', ')}}` : `[${items.join(' ')}]`;
    }
    if (isMap(v)) {
      const items = sortedKeys(v).map(
        (k) =>
          `${this.printValue(k, verb, spec, depth + 1)}:${this.printValue(dataValue(v[k]), verb, spec, depth + 1)}`,
      );
      return spec.sharpV ? `map[string]interface {}{${items.join(', ')}}` : `map[${items.join(' ')}]`;
    }
    return pad(String(v), spec);
  }

  /** %!verb(type=value) for a verb that does not apply to the value. */
  private badVerb(verb: string, v: Val, spec: Readonly<FmtSpec>): string {
    if (v === null || v === undefined) return `%!${verb}(<nil>)`;
    // fmt prints the operand with %v and the same width and precision: json.Number as its String().
    const text = this.jsonNumberText(v);
    const shown = text !== null ? this.fmtString(text, 'v', spec, v) : this.printValue(v, 'v', spec, 0);
    return `%!${verb}(${this.typeName(v)}=${shown})`;
  }

  private fmtString(s: string, verb: string, spec: Readonly<FmtSpec>, orig: Val): string {
    const truncate = (t: string) => (spec.prec >= 0 ? [...t].slice(0, spec.prec).join('') : t);
    switch (verb) {
      case 'v':
        if (spec.sharpV) return pad(goQuote(s), spec);
        return pad(truncate(s), spec);
      case 's':
        return pad(truncate(s), spec);
      case 'q': {
        const t = truncate(s);
        if (spec.sharp && !/[`\u0000-\u0008\u000a-\u001f\u007f\ufeff]/.test(t)) return pad(`\`${t}\``, spec);
        return pad(goQuote(t, '"', spec.plus), spec);
      }
      case 'x':
      case 'X': {
        let bytes = utf8Encode(s);
        if (spec.prec >= 0) bytes = bytes.slice(0, spec.prec);
        let out = '';
        bytes.forEach((b, i) => {
          if (i > 0 && spec.space) out += ' ';
          if (spec.sharp && (spec.space || i === 0)) out += verb === 'x' ? '0x' : '0X';
          out += verb === 'x' ? hex(b, 2) : hex(b, 2).toUpperCase();
        });
        return pad(out, spec);
      }
      default:
        return this.badVerb(verb, orig, spec);
    }
  }

  private fmtInteger(v: bigint, verb: string, spec: Readonly<FmtSpec>): string {
    const base: Record<string, number> = { v: 10, d: 10, b: 2, o: 8, O: 8, x: 16, X: 16 };
    if (verb === 'c') return pad(this.runeOf(v), spec);
    if (verb === 'q') return pad(goQuote(this.runeOf(v), "'", spec.plus), spec);
    if (verb === 'U') {
      let s = `U+${(v < 0n ? -v : v)
        .toString(16)
        .toUpperCase()
        .padStart(spec.prec >= 0 ? spec.prec : 4, '0')}`;
      if (v < 0n) s = `U+-${s.slice(2)}`;
      if (spec.sharp && isPrint(this.runeOf(v))) s += ` '${this.runeOf(v)}'`;
      return pad(s, spec, true);
    }
    const b = base[verb];
    if (b === undefined) return this.badVerb(verb, v, spec);
    const neg = v < 0n;
    let digits = (neg ? -v : v).toString(b);
    if (verb === 'X') digits = digits.toUpperCase();
    let prec = spec.prec;
    if (prec >= 0) {
      // Precision 0 and value 0 print nothing but padding.
      if (prec === 0 && v === 0n) return pad('', { ...spec, zero: false });
    } else if (spec.zero && !spec.minus && spec.wid >= 0) {
      prec = spec.wid - (neg || spec.plus || spec.space ? 1 : 0);
    }
    digits = digits.padStart(prec, '0');
    if (spec.sharp) {
      if (b === 2) digits = `0b${digits}`;
      else if (b === 8 && digits[0] !== '0') digits = `0${digits}`;
      else if (b === 16) digits = (verb === 'x' ? '0x' : '0X') + digits;
    }
    if (verb === 'O') digits = `0o${digits}`;
    const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
    return pad(sign + digits, { ...spec, zero: false });
  }

  private runeOf(v: bigint): string {
    return v >= 0n && v <= 0x10ffffn && !(v >= 0xd800n && v <= 0xdfffn) ? String.fromCodePoint(Number(v)) : '\ufffd';
  }

  private fmtFloat(x: number, verb: string, spec: Readonly<FmtSpec>, orig: Val): string {
    let fverb = verb;
    let prec: number;
    switch (verb) {
      case 'v':
        fverb = 'g';
        prec = -1;
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        prec = -1;
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
        prec = 6;
        break;
      default:
        return this.badVerb(verb, orig, spec);
    }
    if (spec.prec >= 0) prec = spec.prec;
    let num = formatFloat(x, fverb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = `+${num}`;
    if (spec.space && num[0] === '+' && !spec.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      // Infinities and NaN are never zero padded; NaN only gets a sign when asked for.
      if (num[1] === 'N' && !spec.space && !spec.plus) num = num.slice(1);
      return pad(num, { ...spec, zero: false });
    }
    if (spec.sharp && verb !== 'b') num = this.sharpFloat(num, verb, prec);
    if (spec.plus || num[0] !== '+') {
      // The sign goes before any zero padding.
      if (spec.zero && !spec.minus && spec.wid > runeCount(num))
        return num[0] + '0'.repeat(spec.wid - runeCount(num)) + num.slice(1);
      return pad(num, spec, true);
    }
    return pad(num.slice(1), spec, true);
  }

  /** The '#' flag: always a decimal point, and %g keeps its trailing zeros. */
  private sharpFloat(num: string, verb: string, prec: number): string {
    let digits = 'vgGx'.includes(verb) ? (prec === -1 ? 6 : prec) : 0;
    let tail = '';
    let body = num;
    const expAt = body.slice(1).search(verb === 'x' || verb === 'X' ? /[pP]/ : /[eEpP]/);
    if (expAt >= 0) {
      tail = body.slice(expAt + 1);
      body = body.slice(0, expAt + 1);
    }
    let sawNonzero = false;
    for (const c of body.slice(1)) {
      if (c === '.') continue;
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
    if (!body.includes('.')) {
      if (body.length === 2 && body[1] === '0') digits--;
      body += '.';
    }
    return body + '0'.repeat(Math.max(digits, 0)) + tail;
  }
}
