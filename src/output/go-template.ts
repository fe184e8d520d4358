// Go text/template for `-o go-template --template '...'`.
//
// crictl renders the template against the value it gets by JSON-decoding the text it would print
// for `-o json`, so the data here is always JSON-shaped: objects (map[string]interface{} in Go),
// arrays ([]interface{}), strings, numbers, booleans and null. The implementation is a tokenizer,
// a recursive-descent parser producing an AST, and a tree-walking evaluator, each following the
// semantics (and, where it matters to users, the error wording) of Go's text/template, fmt and
// encoding/json for exactly those value kinds.
//
// Go has a few value types a JSON document never produces but a template can: `int` (integer
// literals, len, range indexes) is a bigint here and float64 literals are GoFloat. A JS number in
// the data is a float64, or a json.Number when numbers are decoded the way crictl does
// (json.Decoder.UseNumber), which changes how printf, eq and friends see it.

// ---------------------------------------------------------------------------------------------
// Public API

/** A template parse or execution error, worded like Go's and always on one line. */
export class GoTemplateError extends Error {
  override name = 'GoTemplateError';
}

export interface GoTemplateOptions {
  /** Template name used in messages, as template.New(name) in Go. Omitted from messages when unset. */
  name?: string;
  /**
   * What a missing map key yields, as Go's Option("missingkey=..."): 'default'/'invalid' print
   * `<no value>`, 'zero' gives the map's zero value (nil), 'error' stops with an error.
   */
  missingKey?: 'default' | 'invalid' | 'zero' | 'error';
  /**
   * How JSON numbers behave: 'float64' as after json.Unmarshal, or 'json.Number' as after
   * json.Decoder.UseNumber() (what crictl does: numbers print exactly as written, but are
   * strings to printf %d, eq and lt).
   */
  numbers?: 'float64' | 'json.Number';
}

/** The options that make rendering behave exactly like crictl's tmplExecuteRawJSON. */
export const CRICTL_TEMPLATE_OPTIONS: Readonly<Required<GoTemplateOptions>> = Object.freeze({
  name: 'tmplExecuteRawJSON',
  missingKey: 'error',
  numbers: 'json.Number',
});

/** A parsed template that can be executed any number of times. */
export interface GoTemplate {
  readonly name: string;
  /** Renders the template against `data` (a JSON-shaped value). Throws GoTemplateError. */
  execute(data: unknown): string;
}

/** Parses `template` once; throws GoTemplateError on syntax errors. */
export function parseGoTemplate(template: string, options: GoTemplateOptions = {}): GoTemplate {
  const name = options.name ?? '';
  let defs: Map<string, ListNode>;
  try {
    defs = new Parser(template, name).parseAll();
  } catch (e) {
    if (e instanceof RangeError) throw new GoTemplateError(`template: ${name ? `${name}: ` : ''}max expression depth exceeded`);
    throw e;
  }
  const config: ExecConfig = {
    name,
    src: template,
    defs,
    missingKey: options.missingKey === 'zero' || options.missingKey === 'error' ? options.missingKey : 'invalid',
    fmt: new GoFmt(options.numbers === 'json.Number'),
  };
  return {
    name,
    execute(data: unknown): string {
      try {
        return new Exec(config).run(data);
      } catch (e) {
        if (e instanceof RangeError) throw new GoTemplateError(`template: ${name ? `${name}: ` : ''}exceeded maximum template depth`);
        throw e;
      }
    },
  };
}

/** Parses and renders in one go. */
export function renderGoTemplate(template: string, data: unknown, options?: GoTemplateOptions): string {
  return parseGoTemplate(template, options).execute(data);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokType =
  | 'error' | 'eof' | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'leftParen' | 'rightParen'
  | 'pipe' | 'assign' | 'declare' | 'char' | 'bool' | 'number' | 'charConstant' | 'complex'
  | 'string' | 'rawString' | 'field' | 'variable' | 'identifier'
  // keywords
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range'
  | 'template' | 'with';

interface Token {
  readonly type: TokType;
  /** Index into the template text. */
  readonly pos: number;
  /** Source text of the token, or the message of an error token. */
  readonly val: string;
}

const KEYWORDS: ReadonlyMap<string, TokType> = new Map<string, TokType>([
  ['block', 'block'], ['break', 'break'], ['continue', 'continue'], ['define', 'define'],
  ['else', 'else'], ['end', 'end'], ['if', 'if'], ['nil', 'nil'], ['range', 'range'],
  ['template', 'template'], ['with', 'with'],
]);
const KEYWORD_TYPES: ReadonlySet<TokType> = new Set<TokType>([...KEYWORDS.values(), 'dot']);

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
const ALNUM_RE = /^[\p{L}\p{Nd}_]$/u;
function isAlphaNumeric(ch: string): boolean {
  return ch !== '' && ALNUM_RE.test(ch);
}
/** "{{- " trims the text before an action: the marker needs a space after it so {{-3}} stays a number. */
function hasLeftTrimMarker(s: string, i: number): boolean {
  return s[i] === '-' && isSpace(s[i + 1]);
}
function hasRightTrimMarker(s: string, i: number): boolean {
  return isSpace(s[i]) && s[i + 1] === '-';
}
/** The code point starting at index i, as a string ('' at the end). */
function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Splits the whole template into tokens up front; stops at the first error, which becomes an 'error' token. */
class Lexer {
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
        case '=': this.emit('assign'); break;
        case ':':
          if (src[this.pos] !== '=') {
            this.pos++;
            return this.fail('expected :=');
          }
          this.pos++;
          this.emit('declare');
          break;
        case '|': this.emit('pipe'); break;
        case '"': ok = this.lexQuoted('"', 'string', 'unterminated quoted string'); break;
        case '`': ok = this.lexRawQuote(); break;
        case "'": ok = this.lexQuoted("'", 'charConstant', 'unterminated character constant'); break;
        case '$': ok = this.atTerminator() ? (this.emit('variable'), true) : this.lexFieldOrVariable('variable'); break;
        case '(': this.emit('leftParen'); this.parenDepth++; break;
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

// ---------------------------------------------------------------------------------------------
// AST

type ConstValue = { type: 'int'; value: bigint } | { type: 'float'; value: number } | { type: 'overflow' };

interface FieldNode { kind: 'field'; pos: number; ident: string[] }
/** ident[0] is the variable ("$x"), the rest are fields. */
interface VariableNode { kind: 'variable'; pos: number; ident: string[] }
/** A field chain on something that is not dot or a variable, like (pipeline).Field. */
interface ChainNode { kind: 'chain'; pos: number; node: ArgNode; field: string[] }
interface IdentifierNode { kind: 'identifier'; pos: number; name: string }
interface DotNode { kind: 'dot'; pos: number }
interface NilNode { kind: 'nil'; pos: number }
interface BoolNode { kind: 'bool'; pos: number; value: boolean }
interface NumberNode { kind: 'number'; pos: number; text: string; value: ConstValue }
interface StringNode { kind: 'string'; pos: number; quoted: string; text: string }
interface PipeNode { kind: 'pipe'; pos: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
interface CommandNode { kind: 'command'; pos: number; args: ArgNode[] }
type ArgNode = FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | PipeNode;

interface TextNode { kind: 'text'; pos: number; text: string }
interface ActionNode { kind: 'action'; pos: number; pipe: PipeNode }
interface BranchNode { kind: 'if' | 'with' | 'range'; pos: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null }
interface ListNode { kind: 'list'; pos: number; nodes: Node[] }
interface TemplateNode { kind: 'template'; pos: number; name: string; pipe: PipeNode | null }
interface LoopControlNode { kind: 'break' | 'continue'; pos: number }
type Node = TextNode | ActionNode | BranchNode | ListNode | TemplateNode | LoopControlNode;
/** {{end}} and {{else}} only exist while parsing. */
interface MarkerNode { kind: 'end' | 'else'; pos: number }
type AnyNode = Node | ArgNode | CommandNode | MarkerNode;

function isMarker(n: Node | MarkerNode): n is MarkerNode {
  return n.kind === 'end' || n.kind === 'else';
}

/** The node printed back as template source, the way Go shows it in error messages. */
function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'text': return n.text;
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'with':
    case 'range':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'list': return n.nodes.map(nodeString).join('');
    case 'template': return `{{template ${goQuote(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
    case 'break':
    case 'continue':
    case 'end':
    case 'else':
      return `{{${n.kind}}}`;
    case 'pipe': {
      const decl = n.decl.length ? `${n.decl.map(nodeString).join(', ')}${n.isAssign ? ' = ' : ' := '}` : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
    case 'command': return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field': return n.ident.map((id) => `.${id}`).join('');
    case 'variable': return n.ident.join('.');
    case 'chain': return (n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => `.${f}`).join('');
    case 'identifier': return n.name;
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
  }
}

function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}

/** "line:col" of a position, with Go's conventions: 1-based line, column in UTF-8 bytes from 0. */
function location(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  return `${line}:${utf8Length(before.slice(lineStart))}`;
}

// Go strings are UTF-8 bytes: len, index, slice and %x work on bytes, and error columns count them.
function utf8Encode(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    let cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate has no UTF-8 form
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Decodes UTF-8, turning each byte of an invalid sequence into U+FFFD as Go's range over a string does. */
function utf8Decode(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    let cp = need === 0 ? b : need === 1 ? b & 0x1f : need === 2 ? b & 0x0f : b & 0x07;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    const min = [0, 0x80, 0x800, 0x10000][need] ?? 0;
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += '\ufffd';
      i++;
    } else {
      out += String.fromCodePoint(cp);
      i += need + 1;
    }
  }
  return out;
}

/** Messages must fit on one line even when they quote template text or values. */
function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n');
}

// ---------------------------------------------------------------------------------------------
// Parser

/** Functions the parser accepts: Go's builtins plus the ones crictl adds. */
const FUNCTION_NAMES: ReadonlySet<string> = new Set([
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println',
  'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'json', 'title', 'lower', 'upper',
]);
const MAX_PAREN_DEPTH = 1000;

class Parser {
  private readonly toks: Token[];
  private i = 0;
  /** Variables visible at this point; starts with "$". */
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private parenDepth = 0;
  /** Where the action being parsed started, to explain errors in multi-line actions. */
  private actionPos = -1;
  private readonly defs = new Map<string, ListNode>();

  constructor(private readonly src: string, private readonly name: string) {
    this.toks = new Lexer(src).tokenize();
  }

  parseAll(): Map<string, ListNode> {
    const root: ListNode = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (isMarker(n)) this.fail(n.pos, `unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.add(this.name, root, this.peek().pos);
    return this.defs;
  }

  private fail(pos: number, message: string): never {
    const where = `${this.name ? `${this.name}:` : ''}${location(this.src, pos)}`;
    throw new GoTemplateError(oneLine(`template: ${where}: ${message}`));
  }

  // Token access. The token list always ends with 'eof' or 'error'; reading past it keeps
  // returning that token, while the index still moves so backup() after next() is exact.
  private next(): Token {
    return this.toks[Math.min(this.i++, this.toks.length - 1)];
  }
  private backup(): void {
    this.i--;
  }
  private peek(): Token {
    return this.toks[Math.min(this.i, this.toks.length - 1)];
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  /** Skips spaces and returns the next token without consuming it. */
  private peekNonSpace(): Token {
    while (this.peek().type === 'space') this.next();
    return this.peek();
  }

  private unexpected(tok: Token, context: string): never {
    if (tok.type === 'error') {
      let extra = '';
      if (this.actionPos >= 0) {
        const started = location(this.src, this.actionPos);
        if (started.split(':')[0] !== location(this.src, tok.pos).split(':')[0]) {
          // "unclosed action in action started at" reads badly: drop the second "in action".
          extra = `${tok.val.endsWith(' action') ? '' : ' in action'} started at ${this.name ? `${this.name}:` : ''}${started}`;
        }
      }
      this.fail(tok.pos, tok.val + extra);
    }
    this.fail(tok.pos, `unexpected ${tokenString(tok)} in ${context}`);
  }

  private expect(type: TokType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  /** Records a named template; an empty body never replaces a non-empty one. */
  private add(name: string, list: ListNode, pos: number): void {
    const existing = this.defs.get(name);
    if (existing && !isEmptyTree(existing)) {
      if (!isEmptyTree(list)) this.fail(pos, `template: multiple definition of template ${goQuote(name)}`);
      return;
    }
    this.defs.set(name, list);
  }

  /** Parses a nested template body ({{define}} or {{block}}) with a fresh variable scope. */
  private parseNamedBody(name: string, context: string, pos: number): void {
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.fail(end.pos, `unexpected ${nodeString(end)} in ${context}`);
    this.vars = saved.vars;
    this.rangeDepth = saved.rangeDepth;
    this.add(name, list, pos);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const tok = this.nextNonSpace();
    if (tok.type !== 'string' && tok.type !== 'rawString') this.unexpected(tok, context);
    const name = this.unquote(tok);
    this.expect('rightDelim', context);
    this.parseNamedBody(name, context, tok.pos);
  }

  /** textOrAction* up to {{end}} or {{else}}, which is returned separately. */
  private itemList(): [ListNode, MarkerNode] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (isMarker(n)) return [list, n];
      list.nodes.push(n);
    }
    this.fail(this.peek().pos, 'unexpected EOF');
  }

  private textOrAction(): Node | MarkerNode {
    const tok = this.nextNonSpace();
    if (tok.type === 'text') return { kind: 'text', pos: tok.pos, text: tok.val };
    if (tok.type !== 'leftDelim') this.unexpected(tok, 'input');
    this.actionPos = tok.pos;
    try {
      return this.action();
    } finally {
      this.actionPos = -1;
    }
  }

  private action(): Node | MarkerNode {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case 'block': return this.blockControl();
      case 'break':
      case 'continue': {
        const after = this.nextNonSpace();
        if (after.type !== 'rightDelim') this.unexpected(after, `{{${tok.type}}}`);
        if (this.rangeDepth === 0) this.fail(tok.pos, `{{${tok.type}}} outside {{range}}`);
        return { kind: tok.type, pos: tok.pos };
      }
      case 'else': return this.elseControl(tok.pos);
      case 'end':
        this.expect('rightDelim', 'end');
        return { kind: 'end', pos: tok.pos };
      case 'if':
      case 'range':
      case 'with':
        return this.branchControl(tok.type);
      case 'template': return this.templateControl();
    }
    this.backup();
    const start = this.peek();
    // Variables declared here stay visible until the enclosing {{end}}.
    return { kind: 'action', pos: start.pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private elseControl(pos: number): MarkerNode {
    // "{{else if ...}}" and "{{else with ...}}" leave the keyword for branchControl to chain on.
    const peek = this.peekNonSpace();
    if (peek.type !== 'if' && peek.type !== 'with') this.expect('rightDelim', 'else');
    return { kind: 'else', pos };
  }

  private branchControl(kind: 'if' | 'with' | 'range'): BranchNode {
    const savedVars = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.kind === 'else') {
      const peek = this.peek().type;
      if ((kind === 'if' && peek === 'if') || (kind === 'with' && peek === 'with')) {
        // {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}: the inner
        // branch consumes the one {{end}}.
        this.next();
        elseList = { kind: 'list', pos: next.pos, nodes: [this.branchControl(kind)] };
      } else {
        const [list2, end] = this.itemList();
        if (end.kind !== 'end') this.fail(end.pos, `expected end; found ${nodeString(end)}`);
        elseList = list2;
      }
    }
    this.vars.length = savedVars;
    return { kind, pos: pipe.pos, pipe, list, elseList };
  }

  private templateName(tok: Token, context: string): string {
    if (tok.type !== 'string' && tok.type !== 'rawString') this.unexpected(tok, context);
    return this.unquote(tok);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', pos: tok.pos, name, pipe };
  }

  /** {{block "name" pipeline}}body{{end}} defines "name" and executes it in place. */
  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.parseNamedBody(name, context, tok.pos);
    return { kind: 'template', pos: tok.pos, name, pipe };
  }

  /** declarations? command ('|' command)* up to `end`. */
  private pipeline(context: string, end: TokType): PipeNode {
    const pipe: PipeNode = { kind: 'pipe', pos: this.peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const varIndex = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        pipe.isAssign = after.type === 'assign';
        this.next();
        this.declare(pipe, v);
        break;
      }
      if (after.type === 'char' && after.val === ',') {
        this.next();
        this.declare(pipe, v);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue; // $i, $e := ...
          this.fail(after.pos, 'range can only initialize variables');
        }
        this.fail(after.pos, `too many declarations in ${context}`);
      }
      this.i = varIndex; // just a variable used as an operand
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.type === end) {
        this.checkPipeline(pipe, context, tok);
        return pipe;
      }
      switch (tok.type) {
        case 'bool': case 'charConstant': case 'complex': case 'dot': case 'field': case 'identifier':
        case 'number': case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  private declare(pipe: PipeNode, v: Token): void {
    pipe.decl.push({ kind: 'variable', pos: v.pos, ident: [v.val] });
    this.vars.push(v.val);
  }

  private checkPipeline(pipe: PipeNode, context: string, endTok: Token): void {
    if (pipe.cmds.length === 0) this.fail(endTok.pos, `missing value for ${context}`);
    // Only the first command can be a plain value: "x | 1" has nothing to pass 1 to.
    pipe.cmds.forEach((c, i) => {
      const k = c.args[0].kind;
      if (i > 0 && (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string')) {
        this.fail(c.pos, `non executable command in pipeline stage ${i + 1}`);
      }
    });
  }

  /** Space-separated operands up to '|', which is consumed, or a closing delimiter/paren, which is not. */
  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const tok = this.next();
      if (tok.type === 'space') continue;
      if (tok.type === 'rightDelim' || tok.type === 'rightParen') this.backup();
      else if (tok.type !== 'pipe') this.unexpected(tok, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail(cmd.pos, 'empty command');
    return cmd;
  }

  /** A term possibly followed by .Field accesses. */
  private operand(): ArgNode | null {
    const node = this.term();
    if (!node || this.peek().type !== 'field') return node;
    // Go positions a chained field at its second element; keep that for identical error columns.
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field': return { kind: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable': return { kind: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.fail(pos, `unexpected . after term ${goQuote(nodeString(node))}`);
      default:
        return { kind: 'chain', pos, node, field: fields };
    }
  }

  private term(): ArgNode | null {
    const tok = this.nextNonSpace();
    switch (tok.type) {
      case 'identifier':
        if (!FUNCTION_NAMES.has(tok.val)) this.fail(tok.pos, `function ${goQuote(tok.val)} not defined`);
        return { kind: 'identifier', pos: tok.pos, name: tok.val };
      case 'dot': return { kind: 'dot', pos: tok.pos };
      case 'nil': return { kind: 'nil', pos: tok.pos };
      case 'variable':
        if (!this.vars.includes(tok.val)) this.fail(tok.pos, `undefined variable ${goQuote(tok.val)}`);
        return { kind: 'variable', pos: tok.pos, ident: [tok.val] };
      case 'field': return { kind: 'field', pos: tok.pos, ident: [tok.val.slice(1)] };
      case 'bool': return { kind: 'bool', pos: tok.pos, value: tok.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return { kind: 'number', pos: tok.pos, text: tok.val, value: this.numberValue(tok) };
      case 'leftParen': {
        if (this.parenDepth >= MAX_PAREN_DEPTH) this.fail(tok.pos, 'max expression depth exceeded');
        this.parenDepth++;
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.parenDepth--;
        return pipe;
      }
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: tok.pos, quoted: tok.val, text: this.unquote(tok) };
    }
    this.backup();
    return null;
  }

  private unquote(tok: Token): string {
    const text = unquoteGoString(tok.val);
    if (text === null) this.fail(tok.pos, 'invalid syntax');
    return text;
  }

  /**
   * The constant a number literal stands for where no type is imposed (Go's "ideal constant"):
   * float64 when written with a '.', exponent or 'p', else int.
   */
  private numberValue(tok: Token): ConstValue {
    const text = tok.val;
    if (tok.type === 'charConstant') {
      const r = unquoteGoChar(text);
      if (r === null) this.fail(tok.pos, `malformed character constant: ${text}`);
      return { type: 'int', value: BigInt(r) };
    }
    if (tok.type === 'complex' || text.endsWith('i')) this.fail(tok.pos, `complex constant ${text} is not supported`);
    const int = parseGoInteger(text);
    const isInt = int !== null && int >= -(2n ** 63n) && int < 2n ** 63n;
    const isUint = int !== null && !/^[+-]/.test(text) && int >= 0n && int < 2n ** 64n;
    let float: number | null = null;
    if (isInt || isUint) float = Number(int);
    else {
      float = parseGoFloat(text);
      // A float that looks like an integer is an integer too large for int64.
      if (float !== null && !/[.eEpP]/.test(text)) this.fail(tok.pos, `integer overflow: ${goQuote(text)}`);
      if (float === null) this.fail(tok.pos, `illegal number syntax: ${goQuote(text)}`);
    }
    const hexInt = /^0[xX]/.test(text) && !/[pP]/.test(text);
    if (!hexInt && /[.eEpP]/.test(text)) return { type: 'float', value: float };
    if (isInt) return { type: 'int', value: int as bigint };
    if (float !== null && Number.isInteger(float) && Math.abs(float) < 2 ** 63) return { type: 'int', value: BigInt(float) };
    return { type: 'overflow' };
  }
}

/** How the parser names a token in "unexpected X" messages. */
function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (KEYWORD_TYPES.has(t.type)) return `<${t.val}>`;
  const chars = [...t.val];
  return chars.length > 10 ? `${goQuote(chars.slice(0, 10).join(''))}...` : goQuote(t.val);
}

// ---------------------------------------------------------------------------------------------
// Go literal syntax

/** Go's underscore rule: '_' only between digits (a base prefix counts as a digit). */
function underscoresOK(s: string): boolean {
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
function parseGoInteger(text: string): bigint | null {
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
function parseGoFloat(text: string): number | null {
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
function readGoChar(s: string, i: number, quote: string): { bytes: number[]; next: number } | null {
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
  if (/^[0-7]{3}$/.test(oct) && Number.parseInt(oct, 8) <= 255) return { bytes: [Number.parseInt(oct, 8)], next: i + 4 };
  return null;
}

/** strconv.Unquote for "..." and `...` literals; null on invalid syntax. */
function unquoteGoString(lit: string): string | null {
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
function unquoteGoChar(lit: string): number | null {
  const r = readGoChar(lit, 1, "'");
  if (!r || r.next !== lit.length - 1) return null;
  if (lit[1] === '\\' && (lit[2] === 'x' || /[0-7]/.test(lit[2]))) return r.bytes[0];
  return utf8Decode(r.bytes).codePointAt(0) ?? null;
}

const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
function isPrint(ch: string): boolean {
  return PRINTABLE_RE.test(ch);
}
function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's strconv.Quote (and QuoteToASCII / QuoteRune via the flags). */
function goQuote(s: string, quote = '"', asciiOnly = false): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') {
      out += `\\${ch}`;
    } else if (isPrint(ch) && (!asciiOnly || cp < 0x80)) {
      out += ch;
    } else {
      const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };
      if (named[cp]) out += named[cp];
      else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
      else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd'; // lone surrogate: Go would see invalid UTF-8
      else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    }
  }
  return out + quote;
}

/** Go's %#U: U+0041 'A'. */
function formatU(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(ch) ? `${u} '${ch}'` : u;
}

// ---------------------------------------------------------------------------------------------
// Values

/** A float64 that did not come from the data (template literals, json.Number's Float64). */
class GoFloat {
  constructor(readonly value: number) {}
}

/**
 * A runtime value: undefined is Go's "no value" (an invalid reflect.Value, e.g. a missing key),
 * null a nil interface{} (a JSON null), bigint an int, GoFloat a float64, number a JSON number,
 * arrays and plain objects JSON arrays and objects.
 */
type Val = unknown;
type JsonMap = Record<string, unknown>;

const MISSING: unique symbol = Symbol('missing');
type Final = Val | typeof MISSING;

function isMap(v: Val): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);
}
function hasKey(m: JsonMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}
/** Data only holds JSON values; treat a stray undefined inside it as null. */
function dataValue(v: unknown): Val {
  return v === undefined ? null : v;
}

/** Go orders strings by bytes; comparing code points gives the same order as UTF-8. */
function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return (a.codePointAt(i) as number) < (b.codePointAt(i) as number) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}
function sortedKeys(m: JsonMap): string[] {
  return Object.keys(m).sort(compareGoStrings);
}

/** The text of a JSON number, as Go's json.Number keeps it (what protojson / encoding/json wrote). */
function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/**
 * Go's truth: false, 0, nil, and empty strings, arrays and maps are false. A json.Number is a
 * non-empty string, so it is true even when it is "0".
 */
function isTrue(v: Val, jsonNumbers: boolean): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return jsonNumbers || v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof GoFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Float formatting (Go's strconv 'e', 'f', 'g' with correct rounding)

/** A decimal: value = 0.d × 10^dp, with no leading or trailing zeros in d ('' for zero). */
interface Decimal {
  d: string;
  dp: number;
}

function float64Bits(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mant, exp: -1074 };
  mant |= 1n << 52n;
  return { mant, exp: biased - 1075 };
}

function trimDecimal(d: string, dp: number): Decimal {
  const t = d.replace(/0+$/, '');
  return t === '' ? { d: '', dp: 0 } : { d: t, dp };
}

/** The exact decimal expansion of |x| (a double is m·2^e, which always has a finite one). */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const { mant, exp } = float64Bits(Math.abs(x));
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimDecimal(s, s.length);
  }
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return trimDecimal(s, s.length + exp);
}

/** The shortest decimal that reads back as |x|, as Go's and JS's shortest formatting pick. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [mantissa, e] = Math.abs(x).toExponential().split('e');
  return trimDecimal(mantissa.replace('.', ''), Number(e) + 1);
}

/** Rounds to nd significant digits, half to even (ties are exact since the expansion is exact). */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const digit = a.d.charCodeAt(nd) - 48;
  const up = digit > 5 || (digit === 5 && (nd + 1 < a.d.length || (nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1)));
  if (!up) return trimDecimal(a.d.slice(0, nd), a.dp);
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return trimDecimal(a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), a.dp);
}

function fmtE(a: Decimal, prec: number, e: string): string {
  let s = a.d.length ? a.d[0] : '0';
  if (prec > 0) s += `.${a.d.slice(1, prec + 1).padEnd(prec, '0')}`;
  let exp = a.d.length ? a.dp - 1 : 0;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${s}${e}${sign}${exp < 10 ? `0${exp}` : exp}`;
}

function fmtF(a: Decimal, prec: number): string {
  let s = a.dp > 0 ? a.d.slice(0, a.dp).padEnd(a.dp, '0') : '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = a.dp + i - 1;
      s += j >= 0 && j < a.d.length ? a.d[j] : '0';
    }
  }
  return s;
}

/** Hexadecimal mantissa and binary exponent, Go's %x for floats: 0x1.8p+01. */
function fmtHexFloat(x: number, prec: number, upper: boolean): string {
  let { mant, exp } = float64Bits(Math.abs(x));
  let s: string;
  if (mant === 0n) {
    s = `0x0${prec > 0 ? `.${'0'.repeat(prec)}` : ''}p+00`;
  } else {
    while (mant < 1n << 52n) {
      mant <<= 1n;
      exp--;
    }
    exp += 52;
    let frac = mant & ((1n << 52n) - 1n);
    let lead = 1n;
    if (prec >= 0 && prec < 13) {
      const shift = BigInt(52 - 4 * prec);
      const half = 1n << (shift - 1n);
      const rest = frac & ((1n << shift) - 1n);
      frac >>= shift;
      if (rest > half || (rest === half && (frac & 1n) === 1n)) frac++;
      if (frac >> BigInt(4 * prec) !== 0n) {
        frac = 0n;
        lead = 2n;
      }
      if (lead === 2n) {
        lead = 1n;
        exp++;
      }
    }
    let digits = prec >= 0 && prec < 13 ? (prec === 0 ? '' : frac.toString(16).padStart(prec, '0')) : frac.toString(16).padStart(13, '0').replace(/0+$/, '');
    if (prec >= 13) digits = digits.padEnd(prec, '0');
    const e = Math.abs(exp);
    s = `0x${lead}${digits ? `.${digits}` : ''}p${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return upper ? s.toUpperCase() : s;
}

/** strconv.FormatFloat(x, verb, prec, 64); prec < 0 means the shortest exact representation. */
function formatFloat(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (verb === 'b') {
    const { mant, exp } = float64Bits(Math.abs(x));
    const e = exp;
    return `${sign}${mant}p${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
  }
  if (verb === 'x' || verb === 'X') return sign + fmtHexFloat(x, prec, verb === 'X');
  const shortest = prec < 0;
  let a: Decimal;
  if (shortest) {
    a = shortestDecimal(x);
    if (verb === 'e' || verb === 'E') prec = Math.max(a.d.length - 1, 0);
    else if (verb === 'f' || verb === 'F') prec = Math.max(a.d.length - a.dp, 0);
    else prec = a.d.length;
  } else {
    a = exactDecimal(x);
    if (verb === 'e' || verb === 'E') a = roundDecimal(a, prec + 1);
    else if (verb === 'f' || verb === 'F') a = roundDecimal(a, a.dp + prec);
    else {
      if (prec === 0) prec = 1;
      a = roundDecimal(a, prec);
    }
  }
  switch (verb) {
    case 'e':
    case 'E':
      return sign + fmtE(a, prec, verb);
    case 'f':
    case 'F':
      return sign + fmtF(a, prec);
    default: {
      // %g: %e for large and small exponents, %f otherwise.
      let eprec = prec;
      if (eprec > a.d.length && a.d.length >= a.dp) eprec = a.d.length;
      if (shortest) eprec = 6;
      const exp = a.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > a.d.length) prec = a.d.length;
        return sign + fmtE(a, prec - 1, verb === 'G' ? 'E' : 'e');
      }
      if (prec > a.dp) prec = a.d.length;
      return sign + fmtF(a, Math.max(prec - a.dp, 0));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// fmt: Print, Println and Printf for the values above

interface FmtSpec {
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

function plainSpec(): FmtSpec {
  return { minus: false, plus: false, sharp: false, space: false, zero: false, wid: -1, prec: -1, plusV: false, sharpV: false };
}
const PLAIN: Readonly<FmtSpec> = Object.freeze(plainSpec());

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Pads to the width in runes; zero padding only where Go allows it (numbers, not strings). */
function pad(s: string, spec: Readonly<FmtSpec>, zeros = false): string {
  if (spec.wid < 0) return s;
  const n = spec.wid - runeCount(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  return (zeros && spec.zero ? '0' : ' ').repeat(n) + s;
}

class GoFmt {
  constructor(readonly jsonNumbers: boolean) {}

  /** Go's type name for a value, as %T and error messages show it. */
  typeName(v: Val): string {
    if (v === null || v === undefined) return 'interface {}';
    switch (typeof v) {
      case 'boolean': return 'bool';
      case 'bigint': return 'int';
      case 'string': return 'string';
      case 'number': return this.jsonNumbers ? 'json.Number' : 'float64';
    }
    if (v instanceof GoFloat) return 'float64';
    if (Array.isArray(v)) return '[]interface {}';
    return 'map[string]interface {}';
  }

  /** Whether fmt treats the value as a string operand (reflect kind String). */
  isStringKind(v: Val): boolean {
    return typeof v === 'string' || (this.jsonNumbers && typeof v === 'number');
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
          case '#': spec.sharp = true; break;
          case '0': spec.zero = !spec.minus; break; // only pad with zeros on the left
          case '+': spec.plus = true; break;
          case '-': spec.minus = true; spec.zero = false; break;
          case ' ': spec.space = true; break;
          default: break flags;
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
      const extra = args.slice(argNum).map((a) => (a === null || a === undefined ? '<nil>' : `${this.typeName(a)}=${this.printArg(a, 'v', PLAIN)}`));
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
    if (typeof v === 'boolean') return verb === 't' || verb === 'v' ? pad(String(v), spec, true) : this.badVerb(verb, v, spec);
    if (typeof v === 'bigint') return this.fmtInteger(v, verb, spec);
    if (typeof v === 'string') return this.fmtString(v, verb, spec, v);
    const f = this.floatOf(v);
    if (f !== null) return this.fmtFloat(f, verb, spec, v);
    if (typeof v === 'number') {
      // json.Number: a string type with a String method, which %v %s %x %X %q use.
      const text = numberText(v);
      if (spec.sharpV) return this.fmtString(text, verb, spec, v);
      return 'vsxXq'.includes(verb) ? this.fmtString(text, verb, spec, v) : this.badVerb(verb, v, spec);
    }
    if (Array.isArray(v)) {
      const items = v.map((e) => this.printValue(dataValue(e), verb, spec, depth + 1));
      return spec.sharpV ? `[]interface {}{${items.join(', ')}}` : `[${items.join(' ')}]`;
    }
    if (isMap(v)) {
      const items = sortedKeys(v).map((k) => `${this.printValue(k, verb, spec, depth + 1)}:${this.printValue(dataValue(v[k]), verb, spec, depth + 1)}`);
      return spec.sharpV ? `map[string]interface {}{${items.join(', ')}}` : `map[${items.join(' ')}]`;
    }
    return pad(String(v), spec);
  }

  /** %!verb(type=value) for a verb that does not apply to the value. */
  private badVerb(verb: string, v: Val, spec: Readonly<FmtSpec>): string {
    if (v === null || v === undefined) return `%!${verb}(<nil>)`;
    const shown = typeof v === 'number' && this.jsonNumbers ? pad(numberText(v), spec) : this.printValue(v, 'v', spec, 0);
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
      let s = `U+${(v < 0n ? -v : v).toString(16).toUpperCase().padStart(spec.prec >= 0 ? spec.prec : 4, '0')}`;
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
      case 'v': fverb = 'g'; prec = -1; break;
      case 'b': case 'g': case 'G': case 'x': case 'X': prec = -1; break;
      case 'e': case 'E': case 'f': case 'F': prec = 6; break;
      default: return this.badVerb(verb, orig, spec);
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
      if (spec.zero && !spec.minus && spec.wid > runeCount(num)) return num[0] + '0'.repeat(spec.wid - runeCount(num)) + num.slice(1);
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

// ---------------------------------------------------------------------------------------------
// Escapers and encoders used by builtins

function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => ({ '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\ufffd' })[c] as string);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const named: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' };
    if (named[ch]) out += named[ch];
    else if (cp < 0x20) out += `\\u00${hex(cp, 2).toUpperCase()}`;
    else if (cp < 0x80 || isPrint(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape: everything but unreserved characters as %XX, space as '+'. */
function urlQueryEscape(s: string): string {
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
function jsonString(s: string): string {
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
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += `\\u${hex(c, 4)}`;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

// Unicode word-break classes, simplified the way golang.org/x/text/cases uses them for Title.
const CASED_RE = /^[\p{Lu}\p{Ll}\p{Lt}]$/u;
const WORD_RE = /^[\p{L}\p{M}\p{Nd}\p{Pc}]$/u;
const MID_WORD = new Set(["'", '.', ':', '\u00b7', '\u0387', '\u05f4', '\u2018', '\u2019', '\u2024', '\u2027', '\ufe13', '\ufe52', '\ufe55', '\uff07', '\uff0e', '\uff1a']);
const TITLE_CASE: Record<string, string> = {
  'ǆ': 'ǅ', 'Ǆ': 'ǅ', 'ǉ': 'ǈ', 'Ǉ': 'ǈ', 'ǌ': 'ǋ', 'Ǌ': 'ǋ', 'ǳ': 'ǲ', 'Ǳ': 'ǲ',
  'ß': 'Ss', 'ﬀ': 'Ff', 'ﬁ': 'Fi', 'ﬂ': 'Fl', 'ﬃ': 'Ffi', 'ﬄ': 'Ffl', 'ﬅ': 'St', 'ﬆ': 'St',
};

/**
 * crictl's title: cases.Title(language.Und, cases.NoLower). Upper-cases the first cased letter of
 * each word and leaves the rest alone; '_', digits and marks stay inside a word, and one of ' . :
 * between letters does too ("don't" -> "Don't"), but two in a row end it.
 */
function titleCase(s: string): string {
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

// ---------------------------------------------------------------------------------------------
// Evaluator

/** Parameter kinds of builtin functions: interface{}, reflect.Value (sees nil and missing apart), string. */
type Param = 'any' | 'value' | 'string';
interface FuncSig {
  readonly params: readonly Param[];
  /** Element kind of a trailing variadic parameter. */
  readonly variadic: Param | null;
}
const sig = (params: Param[], variadic: Param | null = null): FuncSig => ({ params, variadic });
const FUNC_SIGS: ReadonlyMap<string, FuncSig> = new Map([
  ['and', sig(['value'], 'value')], ['or', sig(['value'], 'value')], ['not', sig(['value'])],
  ['len', sig(['value'])], ['index', sig(['value'], 'value')], ['slice', sig(['value'], 'value')],
  ['call', sig(['value'], 'value')],
  ['eq', sig(['value'], 'value')], ['ne', sig(['value', 'value'])], ['lt', sig(['value', 'value'])],
  ['le', sig(['value', 'value'])], ['gt', sig(['value', 'value'])], ['ge', sig(['value', 'value'])],
  ['print', sig([], 'any')], ['println', sig([], 'any')], ['printf', sig(['string'], 'any')],
  ['html', sig([], 'any')], ['js', sig([], 'any')], ['urlquery', sig([], 'any')],
  ['json', sig(['any'])], ['title', sig(['string'])], ['lower', sig(['string'])], ['upper', sig(['string'])],
]);

/** An error a function returns; the evaluator reports it as "error calling NAME: ...". */
class FuncError extends Error {}

/** What a walk step asks its enclosing range to do. */
const enum Signal {
  None,
  Break,
  Continue,
}

/** Dot, and whether it is an interface{} slot (a range element) rather than a concrete value. */
interface Dot {
  readonly value: Val;
  readonly iface: boolean;
}
interface Variable {
  name: string;
  value: Val;
  iface: boolean;
}

interface ExecConfig {
  readonly name: string;
  readonly src: string;
  readonly defs: ReadonlyMap<string, ListNode>;
  readonly missingKey: 'invalid' | 'zero' | 'error';
  readonly fmt: GoFmt;
}

const MAX_TEMPLATE_DEPTH = 1000;

/** One execution: output buffer, variable stack and the node being evaluated (for errors). */
class Exec {
  private out = '';
  private vars: Variable[] = [];
  private node: AnyNode | null = null;
  private depth = 0;
  private tmplName: string;
  /** Whether the value evalField returned sits in an interface{} slot (a map element). */
  private lastIface = false;
  private readonly fmt: GoFmt;

  constructor(private readonly cfg: ExecConfig) {
    this.tmplName = cfg.name;
    this.fmt = cfg.fmt;
  }

  run(data: unknown): string {
    // reflect.ValueOf(nil) is no value at all, not a nil interface.
    const root: Val = data === null || data === undefined ? undefined : data;
    this.vars = [{ name: '$', value: root, iface: false }];
    const main = this.cfg.defs.get(this.cfg.name);
    if (main) this.walk({ value: root, iface: false }, main);
    return this.out;
  }

  private fail(message: string): never {
    const name = this.tmplName;
    let text: string;
    if (this.node === null) {
      text = `template: ${name ? `${name}: ` : ''}${message}`;
    } else {
      const where = `${this.cfg.name ? `${this.cfg.name}:` : ''}${location(this.cfg.src, this.node.pos)}`;
      text = `template: ${where}: executing ${name ? `${goQuote(name)} ` : ''}at <${nodeString(this.node)}>: ${message}`;
    }
    throw new GoTemplateError(oneLine(text));
  }

  // Variables -----------------------------------------------------------------------------------

  private lookupVar(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i];
    this.fail(`undefined variable: ${name}`);
  }
  private setVar(name: string, value: Val, iface: boolean): void {
    const v = this.lookupVar(name);
    v.value = value;
    v.iface = iface;
  }
  private setTopVar(n: number, value: Val, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    v.value = value;
    v.iface = iface;
  }

  // Walking the tree ----------------------------------------------------------------------------

  private walk(dot: Dot, node: Node): Signal {
    this.node = node;
    switch (node.kind) {
      case 'text':
        this.out += node.text;
        return Signal.None;
      case 'action': {
        // Declarations stay on the stack until the enclosing block ends, and are not printed.
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, v);
        return Signal.None;
      }
      case 'list':
        for (const n of node.nodes) {
          const s = this.walk(dot, n);
          if (s !== Signal.None) return s;
        }
        return Signal.None;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'break':
        return Signal.Break;
      case 'continue':
        return Signal.Continue;
    }
  }

  private printValue(node: AnyNode, v: Val): void {
    this.node = node;
    this.out += v === undefined ? '<no value>' : this.fmt.sprintValue(v);
  }

  private walkIfOrWith(dot: Dot, node: BranchNode): Signal {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    let s = Signal.None;
    if (isTrue(val, this.fmt.jsonNumbers)) s = this.walk(node.kind === 'with' ? { value: val, iface: false } : dot, node.list);
    else if (node.elseList) s = this.walk(dot, node.elseList);
    this.vars.length = mark;
    return s;
  }

  private walkRange(dot: Dot, r: BranchNode): Signal {
    this.node = r;
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    const mark = this.vars.length;
    const decl = r.pipe.decl;
    const iteration = (index: Val, elem: Val, iface: boolean): Signal => {
      if (decl.length > 0) {
        // $e := ... sets the element; $i, $e := ... also the index. With '=' they are assigned.
        if (r.pipe.isAssign) {
          if (decl.length > 1) this.setVar(decl[0].ident[0], index, false);
          else this.setVar(decl[0].ident[0], elem, iface);
        } else {
          this.setTopVar(1, elem, iface);
        }
      }
      if (decl.length > 1) {
        if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem, iface);
        else this.setTopVar(2, index, false);
      }
      const s = this.walk({ value: elem, iface }, r.list);
      this.vars.length = mark;
      return s;
    };
    let ran = false;
    if (typeof val === 'bigint') {
      // Go 1.22+ ranges over an integer n as 0..n-1.
      if (decl.length > 1) this.fail(`can't use ${this.fmt.sprintValue(val)} to iterate over more than one variable`);
      for (let i = 0n; i < val; i++) {
        ran = true;
        if (iteration(undefined, i, false) === Signal.Break) break;
      }
    } else if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (iteration(BigInt(i), dataValue(val[i]), true) === Signal.Break) break;
      }
    } else if (isMap(val)) {
      for (const k of sortedKeys(val)) {
        ran = true;
        if (iteration(k, dataValue(val[k]), true) === Signal.Break) break;
      }
    } else if (val !== undefined) {
      this.fail(`range can't iterate over ${this.fmt.sprintValue(val)}`);
    }
    let s = Signal.None;
    // Like Go, a {{break}} reaching here from the else branch only ends this range.
    if (!ran && r.elseList && this.walk(dot, r.elseList) === Signal.Continue) s = Signal.Continue;
    this.vars.length = outer;
    return s;
  }

  private walkTemplate(dot: Dot, t: TemplateNode): Signal {
    this.node = t;
    const body = this.cfg.defs.get(t.name);
    if (!body) this.fail(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= MAX_TEMPLATE_DEPTH) this.fail(`exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
    const value = this.evalPipeline(dot, t.pipe);
    // No dynamic scoping: the called template sees only its own $.
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value, iface: false }];
    this.tmplName = t.name;
    this.depth++;
    this.walk({ value, iface: false }, body);
    this.depth--;
    this.vars = saved.vars;
    this.tmplName = saved.name;
    return Signal.None;
  }

  // Evaluating pipelines ----------------------------------------------------------------------

  private evalPipeline(dot: Dot, pipe: PipeNode | null): Val {
    if (!pipe) return undefined;
    this.node = pipe;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // Go digs into interface{} results; a nil interface leaves no value at all.
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value, false);
      else this.vars.push({ name: v.ident[0], value, iface: false });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[] | null, final: Final): void {
    if ((args !== null && args.length > 1) || final !== MISSING) {
      this.fail(`can't give argument to non-function ${nodeString((args as ArgNode[])[0])}`);
    }
  }

  /** One command of a pipeline; `final` is the previous command's value, passed as last argument. */
  private evalCommand(dot: Dot, cmd: CommandNode, final: Final): Val {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': return first.value;
      case 'dot': return dot.value;
      case 'nil': this.fail('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
  }

  private idealConstant(n: NumberNode): Val {
    this.node = n;
    switch (n.value.type) {
      case 'int': return n.value.value;
      case 'float': return new GoFloat(n.value.value);
      case 'overflow': this.fail(`${n.text} overflows int`);
    }
  }

  private evalFieldNode(dot: Dot, field: FieldNode, args: readonly ArgNode[] | null, final: Final): Val {
    this.node = field;
    return this.evalFieldChain(dot, dot.value, dot.iface, field, field.ident, args, final);
  }

  private evalChainNode(dot: Dot, chain: ChainNode, args: readonly ArgNode[] | null, final: Final): Val {
    this.node = chain;
    if (chain.node.kind === 'nil') this.fail(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, receiver, false, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: Dot, v: VariableNode, args: readonly ArgNode[] | null, final: Final): Val {
    this.node = v;
    const variable = this.lookupVar(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return variable.value;
    }
    return this.evalFieldChain(dot, variable.value, variable.iface, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: Dot, receiver: Val, iface: boolean, node: AnyNode, ident: readonly string[], args: readonly ArgNode[] | null, final: Final): Val {
    let r = receiver;
    let ri = iface;
    for (let i = 0; i < ident.length - 1; i++) {
      r = this.evalField(dot, ident[i], node, null, MISSING, r, ri);
      ri = this.lastIface;
    }
    return this.evalField(dot, ident[ident.length - 1], node, args, final, r, ri);
  }

  /** .Name on a value: a map key, or one of json.Number's methods. */
  private evalField(dot: Dot, name: string, node: AnyNode, args: readonly ArgNode[] | null, final: Final, receiver: Val, iface: boolean): Val {
    this.lastIface = false;
    if (receiver === undefined) {
      if (this.cfg.missingKey === 'error') this.fail(`nil data; no entry for key ${goQuote(name)}`);
      return undefined;
    }
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    if (typeof receiver === 'number' && this.fmt.jsonNumbers && (name === 'String' || name === 'Int64' || name === 'Float64')) {
      return this.callNumberMethod(dot, name, node, args, final, numberText(receiver));
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (isMap(receiver)) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      if (hasKey(receiver, name)) {
        this.lastIface = true;
        return dataValue(receiver[name]);
      }
      if (this.cfg.missingKey === 'error') this.fail(`map has no entry for key ${goQuote(name)}`);
      if (this.cfg.missingKey === 'zero') {
        this.lastIface = true;
        return null;
      }
      return undefined;
    }
    this.fail(`can't evaluate field ${name} in type ${iface ? 'interface {}' : this.fmt.typeName(receiver)}`);
  }

  private callNumberMethod(dot: Dot, name: string, node: AnyNode, args: readonly ArgNode[] | null, final: Final, text: string): Val {
    const numIn = (args ? args.length - 1 : 0) + (final === MISSING ? 0 : 1);
    if (numIn !== 0) this.fail(`wrong number of args for ${name}: want 0 got ${numIn}`);
    if (name === 'String') return text;
    if (name === 'Int64') {
      if (/^[+-]?\d+$/.test(text) && BigInt(text) >= -(2n ** 63n) && BigInt(text) < 2n ** 63n) return BigInt(text);
      this.node = node;
      const why = /^[+-]?\d+$/.test(text) ? 'value out of range' : 'invalid syntax';
      this.fail(`error calling Int64: strconv.ParseInt: parsing ${goQuote(text)}: ${why}`);
    }
    void dot;
    return new GoFloat(Number(text));
  }

  private evalFunction(dot: Dot, ident: IdentifierNode, node: AnyNode, args: readonly ArgNode[] | null, final: Final): Val {
    this.node = ident;
    const fn = FUNC_SIGS.get(ident.name);
    if (!fn) this.fail(`${goQuote(ident.name)} is not a defined function`);
    return this.evalCall(dot, fn, node, ident.name, args, final);
  }

  /** Calls a builtin. args, when given, starts with the function's own name (as in Go). */
  private evalCall(dot: Dot, fn: FuncSig, node: AnyNode, name: string, args: readonly ArgNode[] | null, final: Final): Val {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    const numFixed = fn.params.length;
    if (fn.variadic) {
      if (numIn < numFixed) this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (name === 'and' || name === 'or') {
      // and/or evaluate arguments only until the result is known.
      let v: Val = undefined;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v, this.fmt.jsonNumbers) === (name === 'or')) return v;
      }
      return final === MISSING ? v : this.validateType(final, 'value');
    }
    const argv: Val[] = [];
    argNodes.forEach((a, i) => argv.push(this.evalArg(dot, i < numFixed ? fn.params[i] : (fn.variadic as Param), a)));
    if (final !== MISSING) {
      const t = fn.variadic ? (numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.variadic) : fn.params[numFixed - 1];
      argv.push(this.validateType(final, t));
    }
    try {
      return this.callBuiltin(name, argv, argNodes, final);
    } catch (e) {
      if (!(e instanceof FuncError)) throw e;
      this.node = node;
      this.fail(`error calling ${name}: ${e.message}`);
    }
  }

  /** Evaluates an argument for a parameter of kind `typ` (null: no type, as for a chain's receiver). */
  private evalArg(dot: Dot, typ: Param | null, n: ArgNode): Val {
    this.node = n;
    switch (n.kind) {
      case 'dot': return this.validateType(dot.value, typ);
      case 'nil':
        if (typ === 'string') this.fail('cannot assign nil to string');
        return typ === 'any' ? null : undefined;
      case 'field': return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable': return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe': return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier': return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain': return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === 'string') {
      if (n.kind === 'string') return n.text;
      this.fail(`expected string; found ${nodeString(n)}`);
    }
    switch (n.kind) {
      case 'bool': return n.value;
      case 'number': return this.idealConstant(n);
      case 'string': return n.text;
    }
  }

  /** Checks a value against a parameter kind, converting "no value" the way reflect does. */
  private validateType(v: Val, typ: Param | null): Val {
    if (typ === null || typ === 'value') return v;
    if (typ === 'any') return v === undefined ? null : v;
    if (typeof v === 'string') return v;
    if (v === undefined) this.fail('invalid value; expected string');
    this.fail(`wrong type for value; expected string; got ${this.fmt.typeName(v)}`);
  }

  // Builtins ------------------------------------------------------------------------------------

  private callBuiltin(name: string, argv: Val[], argNodes: readonly ArgNode[], final: Final): Val {
    const fmt = this.fmt;
    switch (name) {
      case 'not': return !isTrue(argv[0], fmt.jsonNumbers);
      case 'len': return this.builtinLen(argv[0]);
      case 'index': return this.builtinIndex(argv[0], argv.slice(1));
      case 'slice': return this.builtinSlice(argv[0], argv.slice(1));
      case 'eq': return this.builtinEq(argv[0], argv.slice(1));
      case 'ne': return !this.builtinEq(argv[0], [argv[1]]);
      case 'lt': return this.builtinLt(argv[0], argv[1]);
      case 'le': return this.builtinLt(argv[0], argv[1]) || this.builtinEq(argv[0], [argv[1]]);
      case 'gt': return !(this.builtinLt(argv[0], argv[1]) || this.builtinEq(argv[0], [argv[1]]));
      case 'ge': return !this.builtinLt(argv[0], argv[1]);
      case 'print': return fmt.sprint(argv);
      case 'println': return fmt.sprintln(argv);
      case 'printf': return fmt.sprintf(argv[0] as string, argv.slice(1));
      case 'html': return htmlEscape(this.evalArgs(argv));
      case 'js': return jsEscape(this.evalArgs(argv));
      case 'urlquery': return urlQueryEscape(this.evalArgs(argv));
      case 'call': {
        // The data never holds functions, so call can only fail; word it like Go.
        const fnVal = argv[0] === null ? undefined : argv[0];
        if (fnVal === undefined) throw new FuncError('call of nil');
        const callee = argNodes.length > 0 ? nodeString(argNodes[0]) : typeof final === 'string' ? final : `<${fmt.typeName(final)} Value>`;
        throw new FuncError(`non-function ${callee} of type ${fmt.typeName(fnVal)}`);
      }
      case 'json': return `${this.jsonEncode(argv[0])}\n`; // json.Encoder.Encode ends with a newline
      case 'title': return titleCase(argv[0] as string);
      case 'lower': return (argv[0] as string).toLowerCase();
      case 'upper': return (argv[0] as string).toUpperCase();
    }
    throw new FuncError(`function ${name} is not implemented`);
  }

  /** html, js and urlquery format their arguments like print, except nil shows as <no value>. */
  private evalArgs(argv: Val[]): string {
    if (argv.length === 1 && typeof argv[0] === 'string') return argv[0];
    return this.fmt.sprint(argv.map((a) => (a === null || a === undefined ? '<no value>' : a)));
  }

  private builtinLen(v: Val): bigint {
    if (v === null) throw new FuncError('len of nil pointer');
    if (v === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
    if (typeof v === 'string') return BigInt(utf8Length(v));
    if (typeof v === 'number' && this.fmt.jsonNumbers) return BigInt(utf8Length(numberText(v)));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new FuncError(`len of type ${this.fmt.typeName(v)}`);
  }

  /** The text of a string-kind value (a string, or a json.Number), else null. */
  private stringKind(v: Val): string | null {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && this.fmt.jsonNumbers) return numberText(v);
    return null;
  }

  private indexArg(ix: Val, cap: number): number {
    if (ix === null || ix === undefined) throw new FuncError('cannot index slice/array with nil');
    if (typeof ix !== 'bigint') throw new FuncError(`cannot index slice/array with type ${this.fmt.typeName(ix)}`);
    if (ix < 0n || ix > BigInt(cap)) throw new FuncError(`index out of range: ${ix}`);
    return Number(ix);
  }

  private builtinIndex(item: Val, indexes: Val[]): Val {
    let cur = item;
    if (cur === null || cur === undefined) throw new FuncError('index of untyped nil');
    for (const raw of indexes) {
      if (cur === null) throw new FuncError('index of nil pointer');
      const s = this.stringKind(cur);
      if (Array.isArray(cur) || s !== null) {
        const bytes = s === null ? null : utf8Encode(s);
        const len = bytes ? bytes.length : (cur as unknown[]).length;
        const x = this.indexArg(raw, len);
        if (x === len) throw new FuncError(`reflect: ${bytes ? 'string' : 'slice'} index out of range`);
        // Indexing a string yields a byte.
        cur = bytes ? BigInt(bytes[x]) : dataValue((cur as unknown[])[x]);
      } else if (isMap(cur)) {
        if (raw === null || raw === undefined) throw new FuncError('value is nil; should be of type string');
        if (typeof raw !== 'string') throw new FuncError(`value has type ${this.fmt.typeName(raw)}; should be string`);
        // A missing key gives the zero value of interface{}: nil.
        cur = hasKey(cur, raw) ? dataValue(cur[raw]) : null;
      } else {
        throw new FuncError(`can't index item of type ${this.fmt.typeName(cur)}`);
      }
    }
    return cur;
  }

  private builtinSlice(item: Val, indexes: Val[]): Val {
    if (item === null || item === undefined) throw new FuncError('slice of untyped nil');
    if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
    const s = this.stringKind(item);
    let len: number;
    if (s !== null) {
      if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
      len = utf8Length(s);
    } else if (Array.isArray(item)) {
      len = item.length;
    } else {
      throw new FuncError(`can't slice item of type ${this.fmt.typeName(item)}`);
    }
    const idx = [0, len, len];
    indexes.forEach((ix, i) => (idx[i] = this.indexArg(ix, len)));
    if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
    if (indexes.length === 3 && idx[1] > idx[2]) throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
    if (s !== null) return utf8Decode(utf8Encode(s).slice(idx[0], idx[1]));
    return (item as unknown[]).slice(idx[0], idx[1]);
  }

  /** Go's basic kinds for comparisons; maps, arrays and nil have none. */
  private basicKind(v: Val): 'bool' | 'int' | 'float' | 'string' | null {
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'bigint') return 'int';
    if (this.fmt.floatOf(v) !== null) return 'float';
    if (this.stringKind(v) !== null) return 'string';
    return null;
  }

  private builtinEq(a1: Val, rest: Val[]): boolean {
    const x = a1 === null ? undefined : a1;
    if (rest.length === 0) throw new FuncError('missing argument for comparison');
    const k1 = this.basicKind(x);
    for (const raw of rest) {
      const y = raw === null ? undefined : raw;
      const k2 = this.basicKind(y);
      let truth = false;
      if (k1 !== k2) {
        if (x !== undefined && y !== undefined) {
          throw new FuncError(`incompatible types for comparison: ${this.fmt.typeName(x)} and ${this.fmt.typeName(y)}`);
        }
      } else if (k1 === 'float') {
        truth = this.fmt.floatOf(x) === this.fmt.floatOf(y);
      } else if (k1 === 'string') {
        truth = this.stringKind(x) === this.stringKind(y);
      } else if (k1 !== null) {
        truth = x === y;
      } else {
        // Maps and arrays can only be compared with nil.
        const kindOf = (v: Val) => (v === undefined ? 'nil' : Array.isArray(v) ? 'slice' : 'map');
        if (kindOf(x) !== kindOf(y) && x !== undefined && y !== undefined) {
          throw new FuncError(`non-comparable types ${this.fmt.printArg(x, 's', PLAIN)}: ${this.fmt.typeName(x)}, ${this.fmt.typeName(y)}: ${this.fmt.printArg(y, 'v', PLAIN)}`);
        }
        if (x === undefined || y === undefined) truth = x === y;
        else throw new FuncError(`non-comparable type ${this.fmt.printArg(y, 's', PLAIN)}: ${this.fmt.typeName(y)}`);
      }
      if (truth) return true;
    }
    return false;
  }

  private builtinLt(a: Val, b: Val): boolean {
    const x = a === null ? undefined : a;
    const y = b === null ? undefined : b;
    const k1 = this.basicKind(x);
    const k2 = this.basicKind(y);
    if (k1 === null || k2 === null) throw new FuncError('invalid type for comparison');
    if (k1 !== k2) throw new FuncError(`incompatible types for comparison: ${this.fmt.typeName(x)} and ${this.fmt.typeName(y)}`);
    switch (k1) {
      case 'bool': throw new FuncError('invalid type for comparison');
      case 'int': return (x as bigint) < (y as bigint);
      case 'float': return (this.fmt.floatOf(x) as number) < (this.fmt.floatOf(y) as number);
      case 'string': return compareGoStrings(this.stringKind(x) as string, this.stringKind(y) as string) < 0;
    }
  }

  /** encoding/json's Marshal: compact, map keys sorted, <, > and & escaped. */
  private jsonEncode(v: Val): string {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    if (typeof v === 'string') return jsonString(v);
    if (typeof v === 'number' && this.fmt.jsonNumbers) return numberText(v);
    const f = this.fmt.floatOf(v);
    if (f !== null) {
      if (!Number.isFinite(f)) throw new FuncError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
      // Go's float encoding ('f', or 'e' outside [1e-6, 1e21)) is the one JavaScript uses too.
      return Object.is(f, -0) ? '-0' : JSON.stringify(f);
    }
    if (Array.isArray(v)) return `[${v.map((e) => this.jsonEncode(dataValue(e))).join(',')}]`;
    if (isMap(v)) return `{${sortedKeys(v).map((k) => `${jsonString(k)}:${this.jsonEncode(dataValue(v[k]))}`).join(',')}}`;
    return 'null';
  }
}
