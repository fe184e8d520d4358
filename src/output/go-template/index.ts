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
import type { ListNode } from './ast.js';
import { GoTemplateError } from './errors.js';
import { Exec, type ExecConfig } from './exec.js';
import { GoFmt } from './fmt.js';
import { Parser } from './parser.js';

export { GoTemplateError } from './errors.js';
export { parseJsonData } from './json-data.js';

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
    if (e instanceof RangeError)
      throw new GoTemplateError(`template: ${name ? `${name}: ` : ''}max expression depth exceeded`);
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
        if (e instanceof RangeError)
          throw new GoTemplateError(`template: ${name ? `${name}: ` : ''}exceeded maximum template depth`);
        throw e;
      }
    },
  };
}

/** Parses and renders in one go. */
export function renderGoTemplate(template: string, data: unknown, options?: GoTemplateOptions): string {
  return parseGoTemplate(template, options).execute(data);
}
