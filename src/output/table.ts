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
  // Usually no cell has a control character or a character outside the BMP: one native scan of
  // all the text says so, and then every cell is shown as it is and its width is its length.
  const all = rawRows.map((row) => row.join('')).join('');
  if (!CONTROL_IN_CELL.test(all) && !HIGH_SURROGATE.test(all)) return padded(rawRows, style);
  const rows = rawRows.map((row) => (row.some((cell) => CONTROL_IN_CELL.test(cell)) ? row.map(escapeControls) : row));
  return aligned(rows, style, width);
}

/** The table when every cell's width is its length: padEnd does the padding. */
function padded(rows: readonly (readonly string[])[], style: TableStyle): string {
  const widths = columnWidths(rows, style, (s) => s.length);
  let out = '';
  for (const row of rows) {
    const last = row.length - 1;
    for (let c = 0; c < last; c++) out += row[c].padEnd(widths[c]);
    out += last >= 0 ? `${row[last]}\n` : '\n';
  }
  return out;
}

/** Each column's width: its widest cell (but the last column's) plus padding, at least minWidth. */
function columnWidths(rows: readonly (readonly string[])[], style: TableStyle, width: (s: string) => number): number[] {
  let columns = 0;
  for (const row of rows) if (row.length > columns) columns = row.length;
  const widths: number[] = new Array(columns).fill(0);
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      const w = width(row[c]);
      if (w > widths[c]) widths[c] = w;
    }
  }
  for (let c = 0; c < columns; c++) widths[c] = Math.max(widths[c] + style.padding, style.minWidth);
  return widths;
}

function aligned(rows: readonly (readonly string[])[], style: TableStyle, width: (s: string) => number): string {
  const widths = columnWidths(rows, style, width);
  const spaces = ' '.repeat(Math.max(0, ...widths));
  const parts: string[] = [];
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) parts.push(row[c], spaces.slice(0, widths[c] - width(row[c])));
    parts.push(row.length > 0 ? row[row.length - 1] : '', '\n');
  }
  return parts.join('');
}
