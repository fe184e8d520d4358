// Tokenizer: splits a template into text and action tokens, as Go's text/template/parse lexer does.
import { formatU, goQuote } from './literals.js';

export type TokType =
  | 'error'
  | 'eof'
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'leftParen'
  | 'rightParen'
  | 'pipe'
  | 'assign'
  | 'declare'
  | 'char'
  | 'bool'
  | 'number'
  | 'charConstant'
  | 'complex'
  | 'string'
  | 'rawString'
  | 'field'
  | 'variable'
  | 'identifier'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Token {
  readonly type: TokType;
  /** Index into the template text. */
  readonly pos: number;
  /** Source text of the token, or the message of an error token. */
  readonly val: string;
}

export const KEYWORDS: ReadonlyMap<string, TokType> = new Map<string, TokType>([
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['nil', 'nil'],
  ['range', 'range'],
  ['template', 'template'],
  ['with', 'with'],
]);
export const KEYWORD_TYPES: ReadonlySet<TokType> = new Set<TokType>([...KEYWORDS.values(), 'dot']);

export const LEFT_DELIM = '{{';
export const RIGHT_DELIM = '}}';

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
export const ALNUM_RE = /^[\p{L}\p{Nd}_]$/u;
export function isAlphaNumeric(ch: string): boolean {
  return ch !== '' && ALNUM_RE.test(ch);
}
/** "{{- " trims the text before an action: the marker needs a space after it so {{-3}} stays a number. */
export function hasLeftTrimMarker(s: string, i: number): boolean {
  return s[i] === '-' && isSpace(s[i + 1]);
}
export function hasRightTrimMarker(s: string, i: number): boolean {
  return isSpace(s[i]) && s[i + 1] === '-';
}
/** The code point starting at index i, as a string ('' at the end). */
export function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Splits the whole template into tokens up front; stops at the first error, which becomes an 'error' token. */
export class Lexer {
  private pos = 0;
  private start = 0;
  private parenDepth = 0;
  private readonly toks: Token[] = [];

  constructor(private readonly src: string) {}

  tokenize(): Token[] {
    const src = this.src;
    for (;;) {
      const open = src.indexOf(LEFT_DELIM, this.pos);
      if (open < 0) {
        this.pos = src.length;
        if (this.pos > this.start) this.emit('text');
        this.emit('eof');
        return this.toks;
      }
      const trim = hasLeftTrimMarker(src, open + LEFT_DELIM.length);
      let textEnd = open;
      if (trim) while (textEnd > this.start && isSpace(src[textEnd - 1])) textEnd--;
      if (textEnd > this.start) this.toks.push({ type: 'text', pos: this.start, val: src.slice(this.start, textEnd) });
      const inner = open + LEFT_DELIM.length + (trim ? 2 : 0);
      if (src.startsWith('/*', inner)) {
        this.start = this.pos = inner;
        if (!this.lexComment()) return this.toks;
        continue;
      }
      this.start = open;
      this.pos = open + LEFT_DELIM.length;
      this.emit('leftDelim');
      this.start = this.pos = inner;
      this.parenDepth = 0;
      if (!this.lexInsideAction()) return this.toks;
    }
  }

  private emit(type: TokType): void {
    this.toks.push({ type, pos: this.start, val: this.src.slice(this.start, this.pos) });
    this.start = this.pos;
  }

  private fail(message: string): false {
    this.toks.push({ type: 'error', pos: this.start, val: message });
    return false;
  }

  private atRightDelim(): [delim: boolean, trim: boolean] {
    if (hasRightTrimMarker(this.src, this.pos) && this.src.startsWith(RIGHT_DELIM, this.pos + 2)) return [true, true];
    return [this.src.startsWith(RIGHT_DELIM, this.pos), false];
  }

  private skipSpaces(): void {
    while (isSpace(this.src[this.pos])) this.pos++;
    this.start = this.pos;
  }

  private lexComment(): boolean {
    const close = this.src.indexOf('*/', this.pos + 2);
    if (close < 0) return this.fail('unclosed comment');
    this.pos = close + 2;
    const [delim, trim] = this.atRightDelim();
    if (!delim) return this.fail('comment ends before closing delimiter');
    this.pos += (trim ? 2 : 0) + RIGHT_DELIM.length;
    if (trim) this.skipSpaces();
    this.start = this.pos;
    return true;
  }

  /** Scans one action up to and including its right delimiter. */
  private lexInsideAction(): boolean {
    const src = this.src;
    for (;;) {
      const [delim, trim] = this.atRightDelim();
      if (delim) {
        if (this.parenDepth !== 0) return this.fail('unclosed left paren');
        if (trim) this.start = this.pos += 2;
        this.pos += RIGHT_DELIM.length;
        this.emit('rightDelim');
        if (trim) this.skipSpaces();
        return true;
      }
      if (this.pos >= src.length) return this.fail('unclosed action');
      const ch = charAt(src, this.pos);
      if (isSpace(ch)) {
        this.lexSpace();
        continue;
      }
      this.pos += ch.length;
      let ok = true;
      switch (ch) {
        case '=':
          this.emit('assign');
          break;
        case ':':
          if (src[this.pos] !== '=') {
            this.pos++;
            return this.fail('expected :=');
          }
          this.pos++;
          this.emit('declare');
          break;
        case '|':
          this.emit('pipe');
          break;
        case '"':
          ok = this.lexQuoted('"', 'string', 'unterminated quoted string');
          break;
        case '`':
          ok = this.lexRawQuote();
          break;
        case "'":
          ok = this.lexQuoted("'", 'charConstant', 'unterminated character constant');
          break;
        case '$':
          if (this.atTerminator()) {
            this.emit('variable');
            ok = true;
          } else {
            ok = this.lexFieldOrVariable('variable');
          }
          break;
        case '(':
          this.emit('leftParen');
          this.parenDepth++;
          break;
        case ')':
          this.emit('rightParen');
          if (--this.parenDepth < 0) return this.fail(`unexpected right paren ${formatU(')')}`);
          break;
        case '.':
          // ".5" is a number, ".x" a field and "." alone is dot.
          if (this.pos < src.length && !isDigit(src[this.pos])) {
            ok = this.lexFieldOrVariable('field');
            break;
          }
          this.pos--;
          ok = this.lexNumber();
          break;
        default:
          if (ch === '+' || ch === '-' || isDigit(ch)) {
            this.pos--;
            ok = this.lexNumber();
          } else if (isAlphaNumeric(ch)) {
            this.pos -= ch.length;
            ok = this.lexIdentifier();
          } else if (ch.length === 1 && ch >= ' ' && ch <= '~') {
            this.emit('char');
          } else {
            return this.fail(`unrecognized character in action: ${formatU(ch)}`);
          }
      }
      if (!ok) return false;
    }
  }

  private lexSpace(): void {
    let end = this.pos;
    while (isSpace(this.src[end])) end++;
    const count = end - this.pos;
    // A trim-marked " -}}" begins with a space: leave that space to the delimiter.
    if (hasRightTrimMarker(this.src, end - 1) && this.src.startsWith(RIGHT_DELIM, end + 1)) {
      end--;
      if (count === 1) return;
    }
    this.pos = end;
    this.emit('space');
  }

  /** Identifiers, fields and variables must end where an operand can end. */
  private atTerminator(): boolean {
    const c = this.src[this.pos];
    if (c === undefined || isSpace(c)) return true;
    return c === '.' || c === ',' || c === '|' || c === ':' || c === ')' || c === '(' || c === RIGHT_DELIM[0];
  }

  private scanAlphaNumeric(): void {
    for (;;) {
      const ch = charAt(this.src, this.pos);
      if (!isAlphaNumeric(ch)) return;
      this.pos += ch.length;
    }
  }

  private lexIdentifier(): boolean {
    this.scanAlphaNumeric();
    if (!this.atTerminator()) return this.fail(`bad character ${formatU(charAt(this.src, this.pos))}`);
    const word = this.src.slice(this.start, this.pos);
    this.emit(KEYWORDS.get(word) ?? (word === 'true' || word === 'false' ? 'bool' : 'identifier'));
    return true;
  }

  /** The '.' or '$' has been consumed. */
  private lexFieldOrVariable(type: 'field' | 'variable'): boolean {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    this.scanAlphaNumeric();
    if (!this.atTerminator()) return this.fail(`bad character ${formatU(charAt(this.src, this.pos))}`);
    this.emit(type);
    return true;
  }

  private lexQuoted(quote: string, type: TokType, unterminated: string): boolean {
    const src = this.src;
    for (;;) {
      const c = src[this.pos++];
      if (c === '\\') {
        const escaped = src[this.pos++];
        if (escaped === undefined || escaped === '\n') return this.fail(unterminated);
      } else if (c === undefined || c === '\n') {
        return this.fail(unterminated);
      } else if (c === quote) {
        this.emit(type);
        return true;
      }
    }
  }

  private lexRawQuote(): boolean {
    const close = this.src.indexOf('`', this.pos);
    if (close < 0) return this.fail('unterminated raw quoted string');
    this.pos = close + 1;
    this.emit('rawString');
    return true;
  }

  /** Accepts roughly what Go's lexer accepts; the parser validates the number itself. */
  private lexNumber(): boolean {
    if (!this.scanNumber()) return this.fail(`bad number syntax: ${goQuote(this.src.slice(this.start, this.pos))}`);
    const sign = this.src[this.pos];
    if (sign === '+' || sign === '-') {
      // Complex: 1+2i, no spaces, must end in 'i'.
      if (!this.scanNumber() || this.src[this.pos - 1] !== 'i') {
        return this.fail(`bad number syntax: ${goQuote(this.src.slice(this.start, this.pos))}`);
      }
      this.emit('complex');
    } else {
      this.emit('number');
    }
    return true;
  }

  private accept(valid: string): boolean {
    const c = this.src[this.pos];
    if (c !== undefined && valid.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    const next = charAt(this.src, this.pos);
    if (isAlphaNumeric(next)) {
      this.pos += next.length;
      return false;
    }
    return true;
  }
}
