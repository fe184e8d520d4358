// Column alignment as Go's text/tabwriter does it for crictl (minwidth 20, padding 3, spaces):
// every column but the last is padded to max(widest cell + padding, minwidth). One pass to
// measure, one to write: O(total characters), no per-cell objects beyond the strings themselves.
import { escapeControls } from './escape.js';

export interface TableStyle {
  minWidth: number;
  padding: number;
}

/** crictl's tabwriter settings. */
export const CRICTL_TABLE: TableStyle = { minWidth: 20, padding: 3 };

const CONTROL_IN_CELL = /[\u0000-\u001f\u007f-\u009f]/;
const HIGH_SURROGATE = /[\ud800-\udbff]/;

/** Width as tabwriter counts it: code points, not UTF-16 units. */
function width(s: string): number {
  if (!HIGH_SURROGATE.test(s)) return s.length; // the usual case, checked natively
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--; // a surrogate pair is one rune
  }
  return n;
}

/** Renders rows (the first is usually the header) as aligned text, one line per row. Control
 *  characters in cells are shown escaped (see escape.ts): cells hold runtime-provided text. */
export function formatTable(rawRows: readonly (readonly string[])[], style: TableStyle = CRICTL_TABLE): string {
  if (rawRows.length === 0) return '';
  const rows = rawRows.map((row) => (row.some((cell) => CONTROL_IN_CELL.test(cell)) ? row.map(escapeControls) : row));
  let columns = 0;
  for (const row of rows) if (row.length > columns) columns = row.length;
  const widths: number[] = new Array(columns).fill(0);
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      const w = width(row[c]);
      if (w > widths[c]) widths[c] = w;
    }
  }
  let widest = 0;
  for (let c = 0; c < columns; c++) {
    widths[c] = Math.max(widths[c] + style.padding, style.minWidth);
    if (widths[c] > widest) widest = widths[c];
  }
  const spaces = ' '.repeat(widest);
  const parts: string[] = [];
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) parts.push(row[c], spaces.slice(0, widths[c] - width(row[c])));
    parts.push(row.length > 0 ? row[row.length - 1] : '', '\n');
  }
  return parts.join('');
}
