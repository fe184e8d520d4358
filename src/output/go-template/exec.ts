// The evaluator: walks the parse tree against the data, with Go's builtins and error wording.
import {
  type AnyNode,
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type ListNode,
  location,
  type Node,
  nodeString,
  type NumberNode,
  oneLine,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './ast.js';
import { GoTemplateError } from './errors.js';
import { htmlEscape, jsEscape, jsonString, titleCase, urlQueryEscape } from './escapers.js';
import { formatFloat } from './float.js';
import { type GoFmt, PLAIN } from './fmt.js';
import { goQuote } from './literals.js';
import { utf8Decode, utf8Encode, utf8Length } from './utf8.js';
import {
  compareGoStrings,
  dataValue,
  type Final,
  GoFloat,
  hasKey,
  isMap,
  isTrue,
  MISSING,
  sortedKeys,
  type Val,
} from './values.js';

/** Parameter kinds of builtin functions: interface{}, reflect.Value (sees nil and missing apart), string. */
export type Param = 'any' | 'value' | 'string';
export interface FuncSig {
  readonly params: readonly Param[];
  /** Element kind of a trailing variadic parameter. */
  readonly variadic: Param | null;
}
export const sig = (params: Param[], variadic: Param | null = null): FuncSig => ({ params, variadic });
export const FUNC_SIGS: ReadonlyMap<string, FuncSig> = new Map([
  ['and', sig(['value'], 'value')],
  ['or', sig(['value'], 'value')],
  ['not', sig(['value'])],
  ['len', sig(['value'])],
  ['index', sig(['value'], 'value')],
  ['slice', sig(['value'], 'value')],
  ['call', sig(['value'], 'value')],
  ['eq', sig(['value'], 'value')],
  ['ne', sig(['value', 'value'])],
  ['lt', sig(['value', 'value'])],
  ['le', sig(['value', 'value'])],
  ['gt', sig(['value', 'value'])],
  ['ge', sig(['value', 'value'])],
  ['print', sig([], 'any')],
  ['println', sig([], 'any')],
  ['printf', sig(['string'], 'any')],
  ['html', sig([], 'any')],
  ['js', sig([], 'any')],
  ['urlquery', sig([], 'any')],
  ['json', sig(['any'])],
  ['title', sig(['string'])],
  ['lower', sig(['string'])],
  ['upper', sig(['string'])],
]);

/** An error a function returns; the evaluator reports it as "error calling NAME: ...". */
export class FuncError extends Error {}

/** What a walk step asks its enclosing range to do. */
export enum Signal {
  None,
  Break,
  Continue,
}

/** Dot, and whether it is an interface{} slot (a range element) rather than a concrete value. */
export interface Dot {
  readonly value: Val;
  readonly iface: boolean;
}
export interface Variable {
  name: string;
  value: Val;
  iface: boolean;
}

export interface ExecConfig {
  readonly name: string;
  readonly src: string;
  readonly defs: ReadonlyMap<string, ListNode>;
  readonly missingKey: 'invalid' | 'zero' | 'error';
  readonly fmt: GoFmt;
}

export const MAX_TEMPLATE_DEPTH = 1000;

/** One execution: output buffer, variable stack and the node being evaluated (for errors). */
export class Exec {
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
    if (isTrue(val, this.fmt.jsonNumbers))
      s = this.walk(node.kind === 'with' ? { value: val, iface: false } : dot, node.list);
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
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot.value;
      case 'nil':
        return this.fail('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): Val {
    this.node = n;
    switch (n.value.type) {
      case 'int':
        return n.value.value;
      case 'float':
        return new GoFloat(n.value.value);
      case 'overflow':
        this.fail(`${n.text} overflows int`);
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

  private evalFieldChain(
    dot: Dot,
    receiver: Val,
    iface: boolean,
    node: AnyNode,
    ident: readonly string[],
    args: readonly ArgNode[] | null,
    final: Final,
  ): Val {
    let r = receiver;
    let ri = iface;
    for (let i = 0; i < ident.length - 1; i++) {
      r = this.evalField(dot, ident[i], node, null, MISSING, r, ri);
      ri = this.lastIface;
    }
    return this.evalField(dot, ident[ident.length - 1], node, args, final, r, ri);
  }

  /** .Name on a value: a map key, or one of json.Number's methods. */
  private evalField(
    dot: Dot,
    name: string,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
    receiver: Val,
    iface: boolean,
  ): Val {
    this.lastIface = false;
    if (receiver === undefined) {
      if (this.cfg.missingKey === 'error') this.fail(`nil data; no entry for key ${goQuote(name)}`);
      return undefined;
    }
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    const numberText = this.fmt.jsonNumberText(receiver);
    if (numberText !== null && (name === 'String' || name === 'Int64' || name === 'Float64')) {
      return this.callNumberMethod(dot, name, node, args, final, numberText);
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

  private callNumberMethod(
    dot: Dot,
    name: string,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
    text: string,
  ): Val {
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

  private evalFunction(
    dot: Dot,
    ident: IdentifierNode,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
  ): Val {
    this.node = ident;
    const fn = FUNC_SIGS.get(ident.name);
    if (!fn) this.fail(`${goQuote(ident.name)} is not a defined function`);
    return this.evalCall(dot, fn, node, ident.name, args, final);
  }

  /** Calls a builtin. args, when given, starts with the function's own name (as in Go). */
  private evalCall(
    dot: Dot,
    fn: FuncSig,
    node: AnyNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): Val {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    const numFixed = fn.params.length;
    if (fn.variadic) {
      if (numIn < numFixed)
        this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (name === 'and' || name === 'or') {
      // and/or evaluate arguments only until the result is known.
      let v: Val;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v, this.fmt.jsonNumbers) === (name === 'or')) return v;
      }
      return final === MISSING ? v : this.validateType(final, 'value');
    }
    const argv: Val[] = [];
    for (const [i, a] of argNodes.entries())
      argv.push(this.evalArg(dot, i < numFixed ? fn.params[i] : (fn.variadic as Param), a));
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
      case 'dot':
        return this.validateType(dot.value, typ);
      case 'nil':
        if (typ === 'string') this.fail('cannot assign nil to string');
        return typ === 'any' ? null : undefined;
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === 'string') {
      if (n.kind === 'string') return n.text;
      this.fail(`expected string; found ${nodeString(n)}`);
    }
    switch (n.kind) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
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
      case 'not':
        return !isTrue(argv[0], fmt.jsonNumbers);
      case 'len':
        return this.builtinLen(argv[0]);
      case 'index':
        return this.builtinIndex(argv[0], argv.slice(1));
      case 'slice':
        return this.builtinSlice(argv[0], argv.slice(1));
      case 'eq':
        return this.builtinEq(argv[0], argv.slice(1));
      case 'ne':
        return !this.builtinEq(argv[0], [argv[1]]);
      case 'lt':
        return this.builtinLt(argv[0], argv[1]);
      case 'le':
        return this.builtinLt(argv[0], argv[1]) || this.builtinEq(argv[0], [argv[1]]);
      case 'gt':
        return !(this.builtinLt(argv[0], argv[1]) || this.builtinEq(argv[0], [argv[1]]));
      case 'ge':
        return !this.builtinLt(argv[0], argv[1]);
      case 'print':
        return fmt.sprint(argv);
      case 'println':
        return fmt.sprintln(argv);
      case 'printf':
        return fmt.sprintf(argv[0] as string, argv.slice(1));
      case 'html':
        return htmlEscape(this.evalArgs(argv));
      case 'js':
        return jsEscape(this.evalArgs(argv));
      case 'urlquery':
        return urlQueryEscape(this.evalArgs(argv));
      case 'call': {
        // The data never holds functions, so call can only fail; word it like Go.
        const fnVal = argv[0] === null ? undefined : argv[0];
        if (fnVal === undefined) throw new FuncError('call of nil');
        const callee =
          argNodes.length > 0
            ? nodeString(argNodes[0])
            : typeof final === 'string'
              ? final
              : `<${fmt.typeName(final)} Value>`;
        throw new FuncError(`non-function ${callee} of type ${fmt.typeName(fnVal)}`);
      }
      case 'json':
        return `${this.jsonEncode(argv[0])}\n`; // json.Encoder.Encode ends with a newline
      case 'title':
        return titleCase(argv[0] as string);
      case 'lower':
        return (argv[0] as string).toLowerCase();
      case 'upper':
        return (argv[0] as string).toUpperCase();
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
    const text = this.stringKind(v);
    if (text !== null) return BigInt(utf8Length(text));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new FuncError(`len of type ${this.fmt.typeName(v)}`);
  }

  /** The text of a string-kind value (a string, or a json.Number), else null. */
  private stringKind(v: Val): string | null {
    return typeof v === 'string' ? v : this.fmt.jsonNumberText(v);
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
    for (const [i, ix] of indexes.entries()) idx[i] = this.indexArg(ix, len);
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
          throw new FuncError(
            `non-comparable types ${this.fmt.printArg(x, 's', PLAIN)}: ${this.fmt.typeName(x)}, ${this.fmt.typeName(y)}: ${this.fmt.printArg(y, 'v', PLAIN)}`,
          );
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
    if (k1 !== k2)
      throw new FuncError(`incompatible types for comparison: ${this.fmt.typeName(x)} and ${this.fmt.typeName(y)}`);
    switch (k1) {
      case 'bool':
        throw new FuncError('invalid type for comparison');
      case 'int':
        return (x as bigint) < (y as bigint);
      case 'float':
        return (this.fmt.floatOf(x) as number) < (this.fmt.floatOf(y) as number);
      case 'string':
        return compareGoStrings(this.stringKind(x) as string, this.stringKind(y) as string) < 0;
    }
  }

  /** encoding/json's Marshal: compact, map keys sorted, <, > and & escaped. */
  private jsonEncode(v: Val): string {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    if (typeof v === 'string') return jsonString(v);
    const numberText = this.fmt.jsonNumberText(v);
    if (numberText !== null) return numberText;
    const f = this.fmt.floatOf(v);
    if (f !== null) {
      if (!Number.isFinite(f)) throw new FuncError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
      // Go's float encoding ('f', or 'e' outside [1e-6, 1e21)) is the one JavaScript uses too.
      return Object.is(f, -0) ? '-0' : JSON.stringify(f);
    }
    if (Array.isArray(v)) return `[${v.map((e) => this.jsonEncode(dataValue(e))).join(',')}]`;
    if (isMap(v))
      return `{${sortedKeys(v)
        .map((k) => `${jsonString(k)}:${this.jsonEncode(dataValue(v[k]))}`)
        .join(',')}}`;
    return 'null';
  }
}
