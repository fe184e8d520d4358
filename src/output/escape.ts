// Text from the runtime (names, labels, annotations, messages, streaming error bodies) reaches a
// terminal, where control characters act: ESC ] 0 ; … BEL retitles the window, ESC [ 2 J clears
// it, and some terminals answer queries as if typed. They are shown instead, spelled as Go quotes
// them (\x1b, \a, \n, \u009b), the same in tables, -v text and error lines. JSON and YAML
// escape them already; go-template output is the user's own format and is left as is.

// C0 controls, DEL and the C1 controls (U+0080-U+009F; some terminals read U+009B as CSI).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// Multi-line text keeps its line breaks and the tabs that indent it.
const CONTROLS_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const NAMED: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function spell(c: string): string {
  const code = c.charCodeAt(0);
  return (
    NAMED[c] ?? (code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/** One field or line: every control character shown escaped. */
export function escapeControls(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, spell) : text;
}

/** Multi-line text: like escapeControls, but newlines and tabs stay. */
export function escapeText(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS_BUT_LAYOUT, spell) : text;
}
