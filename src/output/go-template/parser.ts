// Recursive-descent parser from tokens to the parse tree, with Go's error wording.
import {
  type ArgNode,
  type BranchNode,
  type CommandNode,
  type ConstValue,
  isEmptyTree,
  isMarker,
  lineOf,
  type ListNode,
  type MarkerNode,
  type Node,
  nodeString,
  oneLine,
  type PipeNode,
  type TemplateNode,
} from './ast.js';
import { GoTemplateError } from './errors.js';
import { KEYWORD_TYPES, Lexer, type Token, type TokType } from './lexer.js';
import { goQuote, parseGoFloat, parseGoInteger, unquoteGoChar, unquoteGoString } from './literals.js';

/** Functions the parser accepts: Go's builtins plus the ones crictl adds. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
  'json',
  'title',
  'lower',
  'upper',
]);
export const MAX_PAREN_DEPTH = 1000;

export class Parser {
  private readonly toks: Token[];
  private i = 0;
  /** Variables visible at this point; starts with "$". */
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private parenDepth = 0;
  /** Where the action being parsed started, to explain errors in multi-line actions. */
  private actionPos = -1;
  private readonly defs = new Map<string, ListNode>();

  constructor(
    private readonly src: string,
    private readonly name: string,
  ) {
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

  /** Go's parse errors name the line only (parse.Tree.errorf); execution errors add the column. */
  private fail(pos: number, message: string): never {
    const where = `${this.name ? `${this.name}:` : ''}${lineOf(this.src, pos)}`;
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
        const started = lineOf(this.src, this.actionPos);
        if (started !== lineOf(this.src, tok.pos)) {
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
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue': {
        const after = this.nextNonSpace();
        if (after.type !== 'rightDelim') this.unexpected(after, `{{${tok.type}}}`);
        if (this.rangeDepth === 0) this.fail(tok.pos, `{{${tok.type}}} outside {{range}}`);
        return { kind: tok.type, pos: tok.pos };
      }
      case 'else':
        return this.elseControl(tok.pos);
      case 'end':
        this.expect('rightDelim', 'end');
        return { kind: 'end', pos: tok.pos };
      case 'if':
      case 'range':
      case 'with':
        return this.branchControl(tok.type);
      case 'template':
        return this.templateControl();
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
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
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
      case 'field':
        return { kind: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { kind: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(pos, `unexpected . after term ${goQuote(nodeString(node))}`);
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
      case 'dot':
        return { kind: 'dot', pos: tok.pos };
      case 'nil':
        return { kind: 'nil', pos: tok.pos };
      case 'variable':
        if (!this.vars.includes(tok.val)) this.fail(tok.pos, `undefined variable ${goQuote(tok.val)}`);
        return { kind: 'variable', pos: tok.pos, ident: [tok.val] };
      case 'field':
        return { kind: 'field', pos: tok.pos, ident: [tok.val.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: tok.pos, value: tok.val === 'true' };
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
    if (float !== null && Number.isInteger(float) && Math.abs(float) < 2 ** 63)
      return { type: 'int', value: BigInt(float) };
    return { type: 'overflow' };
  }
}

/** How the parser names a token in "unexpected X" messages. */
export function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (KEYWORD_TYPES.has(t.type)) return `<${t.val}>`;
  const chars = [...t.val];
  return chars.length > 10 ? `${goQuote(chars.slice(0, 10).join(''))}...` : goQuote(t.val);
}
