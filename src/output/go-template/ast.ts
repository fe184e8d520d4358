// The parse tree: node shapes, their Go-style String() rendering, and position helpers for messages.
import { goQuote } from './literals.js';
import { utf8Length } from './utf8.js';

export type ConstValue = { type: 'int'; value: bigint } | { type: 'float'; value: number } | { type: 'overflow' };

export interface FieldNode {
  kind: 'field';
  pos: number;
  ident: string[];
}
/** ident[0] is the variable ("$x"), the rest are fields. */
export interface VariableNode {
  kind: 'variable';
  pos: number;
  ident: string[];
}
/** A field chain on something that is not dot or a variable, like (pipeline).Field. */
export interface ChainNode {
  kind: 'chain';
  pos: number;
  node: ArgNode;
  field: string[];
}
export interface IdentifierNode {
  kind: 'identifier';
  pos: number;
  name: string;
}
export interface DotNode {
  kind: 'dot';
  pos: number;
}
export interface NilNode {
  kind: 'nil';
  pos: number;
}
export interface BoolNode {
  kind: 'bool';
  pos: number;
  value: boolean;
}
export interface NumberNode {
  kind: 'number';
  pos: number;
  text: string;
  value: ConstValue;
}
export interface StringNode {
  kind: 'string';
  pos: number;
  quoted: string;
  text: string;
}
export interface PipeNode {
  kind: 'pipe';
  pos: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode {
  kind: 'command';
  pos: number;
  args: ArgNode[];
}
export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export interface TextNode {
  kind: 'text';
  pos: number;
  text: string;
}
export interface ActionNode {
  kind: 'action';
  pos: number;
  pipe: PipeNode;
}
export interface BranchNode {
  kind: 'if' | 'with' | 'range';
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface ListNode {
  kind: 'list';
  pos: number;
  nodes: Node[];
}
export interface TemplateNode {
  kind: 'template';
  pos: number;
  name: string;
  pipe: PipeNode | null;
}
export interface LoopControlNode {
  kind: 'break' | 'continue';
  pos: number;
}
export type Node = TextNode | ActionNode | BranchNode | ListNode | TemplateNode | LoopControlNode;
/** {{end}} and {{else}} only exist while parsing. */
export interface MarkerNode {
  kind: 'end' | 'else';
  pos: number;
}
export type AnyNode = Node | ArgNode | CommandNode | MarkerNode;

export function isMarker(n: Node | MarkerNode): n is MarkerNode {
  return n.kind === 'end' || n.kind === 'else';
}

/** The node printed back as template source, the way Go shows it in error messages. */
export function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'text':
      return n.text;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'with':
    case 'range':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'template':
      return `{{template ${goQuote(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
    case 'break':
    case 'continue':
    case 'end':
    case 'else':
      return `{{${n.kind}}}`;
    case 'pipe': {
      const decl = n.decl.length ? `${n.decl.map(nodeString).join(', ')}${n.isAssign ? ' = ' : ' := '}` : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field':
      return n.ident.map((id) => `.${id}`).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain':
      return (
        (n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => `.${f}`).join('')
      );
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
  }
}

export function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}

/** "line:col" of a position, with Go's conventions: 1-based line, column in UTF-8 bytes from 0. */
/** The 1-based line of byte position `pos`. */
export function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < pos; i = src.indexOf('\n', i + 1)) line++;
  return line;
}

export function location(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  return `${line}:${utf8Length(before.slice(lineStart))}`;
}

/** Messages must fit on one line even when they quote template text or values. */
export function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n');
}
