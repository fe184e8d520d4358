// Re-indents JSON text without parsing it, as Go's json.Indent does: key order, number spelling
// and string escapes stay byte-for-byte (JSON.parse would lose int64 precision and reorder keys).

/** Indents compact or indented JSON with two spaces per level; throws on malformed input. */
export function indentJson(text: string, prefixIndent = '  '): string {
  let out = '';
  let depth = 0;
  let needIndent = false;
  const newline = () => `\n${prefixIndent.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += newline();
    }
    switch (c) {
      case '"': {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        if (j >= text.length) throw new SyntaxError('unterminated string in JSON');
        out += text.slice(i, j + 1);
        i = j;
        break;
      }
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case ',':
        out += c + newline();
        break;
      case ':':
        out += ': ';
        break;
      case '}':
      case ']':
        if (needIndent) {
          needIndent = false; // empty object or array stays on one line
        } else {
          depth--;
          out += newline();
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
  if (depth !== 0 || needIndent) throw new SyntaxError('unbalanced JSON');
  return out;
}

/** True when `text` is valid JSON (crictl embeds such info values raw, others as strings). */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
