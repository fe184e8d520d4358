// -o json|yaml|go-template for CRI messages and for composite objects (inspect's status+info).
// Formatters load lazily so table output never pays for YAML or template code.
import { UsageError } from '../cri/errors.js';
import { yamlLib } from './yaml-lib.js';

export type OutputFormat = 'table' | 'json' | 'yaml' | 'go-template';

/** Renders crictl-style JSON text in the requested format; the caller adds the final newline. */
export async function renderJsonText(json: string, format: OutputFormat, template?: string): Promise<string> {
  switch (format) {
    case 'json':
      return json;
    case 'yaml':
      // crictl prints YAML with Println, so its output ends in a blank line: keep that.
      return toGoYaml(JSON.parse(json));
    case 'go-template': {
      if (!template) throw new UsageError('--template is required with -o go-template');
      // crictl's semantics: a missing key is an error, numbers print as written.
      const { renderGoTemplate, CRICTL_TEMPLATE_OPTIONS } = await import('./go-template.js');
      return renderGoTemplate(template, JSON.parse(json), CRICTL_TEMPLATE_OPTIONS);
    }
    default:
      throw new UsageError(`unsupported output format "${format}"`);
  }
}

/** A CRI message of `typeName` rendered as crictl prints it. */
export async function renderMessage(typeName: string, value: unknown, format: OutputFormat, template?: string): Promise<string> {
  const { messageToJson } = await import('./protojson.js');
  return renderJsonText(messageToJson(typeName, value), format, template);
}

/**
 * YAML as crictl produces it (JSON converted by go-yaml): keys sorted, sequences not indented
 * under their key, strings quoted only where they would read as something else.
 */
export async function toGoYaml(value: unknown): Promise<string> {
  const { Document, isScalar, visit } = await yamlLib();
  const doc = new Document(value, { sortMapEntries: true });
  // go-yaml (YAML 1.1) also reads timestamps, base-60 numbers and yes/no/on/off as non-strings,
  // so it double-quotes strings spelled like them; the YAML 1.2 writer would not.
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && GO_YAML_NOT_PLAIN.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, nullStr: 'null' });
}

/** Strings go-yaml v2 resolves to another type (its parseTimestamp formats, isBase60Float, and
 *  the YAML 1.1 booleans and merge key). */
const GO_YAML_NOT_PLAIN = new RegExp(
  [
    String.raw`^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})|[ ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)?$`,
    String.raw`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`,
    '^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<)$',
  ].join('|'),
);
