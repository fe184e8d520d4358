// -o json|yaml|go-template for CRI messages and for composite objects (inspect's status+info).
// Formatters load lazily so table output never pays for YAML or template code.
import { UsageError } from '../errors.js';
import { yamlLib } from '../yaml-lib.js';

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
export async function renderMessage(
  typeName: string,
  value: unknown,
  format: OutputFormat,
  template?: string,
): Promise<string> {
  const { messageToJson } = await import('./protojson.js');
  return renderJsonText(messageToJson(typeName, value), format, template);
}

/**
 * YAML as crictl produces it (JSON converted by go-yaml): keys sorted, sequences not indented
 * under their key, strings quoted only where they would read as something else.
 */
export async function toGoYaml(value: unknown): Promise<string> {
  const { Document, isScalar, visit } = await yamlLib();
  const keyText = (k: unknown) => String(isScalar(k) ? k.value : k);
  const doc = new Document(value, { sortMapEntries: (a, b) => goYamlKeyCompare(keyText(a.key), keyText(b.key)) });
  // go-yaml (YAML 1.1) also reads timestamps, base-60 numbers and yes/no/on/off as non-strings,
  // so it double-quotes strings spelled like them; the YAML 1.2 writer would not.
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && goYamlNeedsQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, nullStr: 'null' });
}

/**
 * Whether go-yaml v2 would read `s`, written plain, as something other than a string (its
 * resolve: the first character picks what to try) or as a base-60 float, which it also quotes.
 */
export function goYamlNeedsQuotes(s: string): boolean {
  if (BASE60_FLOAT.test(s)) return true;
  const c = s.charAt(0);
  if (c === '' || 'yYnNtTfFoO~'.includes(c)) return GO_YAML_WORDS.has(s);
  if (c === '.') return GO_YAML_WORDS.has(s) || /^\.\d+(?:[eE][-+]?\d+)?$/.test(s);
  if (!/[-+0-9]/.test(c)) return false;
  if (GO_YAML_WORDS.has(s) || GO_YAML_TIMESTAMP.test(s)) return true;
  const plain = s.replaceAll('_', '');
  return GO_INT.test(plain) || GO_YAML_FLOAT.test(plain);
}

const GO_YAML_WORDS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
/** Its parseTimestamp formats: RFC 3339 with short date fields, "date time", or a date. */
const GO_YAML_TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})|[ ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)?$/;
/** What Go's strconv.ParseInt/ParseUint(s, 0, 64) accept (ranges aside). */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/**
 * go-yaml v2's map key order (its keyList.Less): rune by rune, a letter after anything else,
 * runs of digits compared as numbers ("a9" before "a10"), a shorter key first.
 */
export function goYamlKeyCompare(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  return goYamlLess(ar, br) ? -1 : goYamlLess(br, ar) ? 1 : 0;
}

function goYamlLess(ar: string[], br: string[]): boolean {
  const rune = (c: string) => c.codePointAt(0) ?? 0;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = LETTER.test(ar[i]);
    const bl = LETTER.test(br[i]);
    if (al && bl) return rune(ar[i]) < rune(br[i]);
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      // A zero inside a longer number (as in "10" against "1x") keeps both sides non-zero.
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]); ai++) an = an * 10 + (rune(ar[ai]) - 48);
    for (; bi < br.length && DIGIT.test(br[bi]); bi++) bn = bn * 10 + (rune(br[bi]) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return rune(ar[i]) < rune(br[i]);
  }
  return ar.length < br.length;
}
