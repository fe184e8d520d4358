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
      const { renderGoTemplate, parseJsonData, CRICTL_TEMPLATE_OPTIONS } = await import('./go-template/index.js');
      return renderGoTemplate(template, parseJsonData(json), CRICTL_TEMPLATE_OPTIONS);
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
  const { stringify } = await yamlLib();
  return stringify(value, { indentSeq: false, sortMapEntries: true, lineWidth: 0, nullStr: 'null' });
}
