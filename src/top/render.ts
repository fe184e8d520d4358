// `top`'s screen as pure functions: the model's rows laid out for a terminal of a given size
// (columns dropped by importance when it is narrow), sparklines, the selected row's details, the
// event log and the key footer. Every line is exactly as wide as the terminal, so a frame drawn
// over the last one leaves nothing behind. Runtime text is shown with control characters escaped.
import { humanSize } from '../output/human.js';
import { escapeControls } from '../output/escape.js';
import type { Row, SortKey, TopEvent } from './model.js';

const BARS = '▁▂▃▄▅▆▇█';
const BOLD = '\x1b[1m';
const REVERSE = '\x1b[7m';
const RESET = '\x1b[0m';

/**
 * The last `width` values as bars, scaled to the largest of them (at least `floor`, so an idle
 * row stays flat instead of magnifying noise). Missing history is blank on the left.
 */
export function sparkline(values: readonly number[], width: number, floor: number): string {
  const shown = values.slice(-width);
  const top = Math.max(floor, ...shown);
  const bars = shown.map(
    (v) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round((v / top) * (BARS.length - 1))))],
  );
  return ' '.repeat(width - bars.length) + bars.join('');
}

export interface Details {
  id: string;
  image: string;
  state: string;
  restarts: number;
  /** Extra facts (exit code, reason, started), one line each. */
  facts: string[];
  lastLines: string[];
}

export interface View {
  title: string;
  rows: readonly Row[];
  selected: number;
  sort: SortKey;
  pods: boolean;
  filter: string;
  /** The filter being typed after `/` (undefined when not typing). */
  typing: string | undefined;
  /** A one-line note shown in the footer (a bad filter, the runtime gone). */
  note: string;
  events: readonly TopEvent[];
  details: Details | undefined;
  sparkWidth: number;
}

interface Column {
  head: string;
  /** Lower is more important: narrow terminals drop the highest first. */
  rank: number;
  width: number;
  /** Takes the room left over. */
  flex?: boolean;
  right?: boolean;
  cell(r: Row): string;
}

const size = (n: number | undefined) => (n === undefined ? '-' : humanSize(n));
const age = (ms: number, now: number) => {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120
    ? `${s}s`
    : s < 7200
      ? `${Math.round(s / 60)}m`
      : s < 172_800
        ? `${Math.round(s / 3600)}h`
        : `${Math.round(s / 86_400)}d`;
};

function columns(v: View, now: number): Column[] {
  const spark = v.sparkWidth;
  const cols: Column[] = [
    { head: v.pods ? 'POD' : 'CONTAINER', rank: 0, width: 14, flex: true, cell: (r) => r.name },
    { head: 'CPU%', rank: 0, width: 6, right: true, cell: (r) => (r.cpu === undefined ? '-' : r.cpu.toFixed(1)) },
    { head: 'CPU 1m', rank: 1, width: spark, cell: (r) => sparkline(r.cpuHistory, spark, 5) },
    { head: 'MEM', rank: 0, width: 8, right: true, cell: (r) => size(r.mem) },
    { head: 'MEM 1m', rank: 2, width: spark, cell: (r) => sparkline(r.memHistory, spark, 1 << 20) },
    { head: 'LIMIT', rank: 3, width: 8, right: true, cell: (r) => size(r.memLimit) },
    { head: 'STATE', rank: 1, width: 8, cell: (r) => r.state },
    v.pods
      ? { head: 'NAMESPACE', rank: 2, width: 10, flex: true, cell: (r) => r.namespace }
      : { head: 'POD', rank: 2, width: 12, flex: true, cell: (r) => r.podName },
    { head: 'RST', rank: 4, width: 3, right: true, cell: (r) => String(r.attempt) },
    { head: 'AGE', rank: 4, width: 4, right: true, cell: (r) => age(r.createdMs, now) },
    { head: 'SWAP', rank: 6, width: 8, right: true, cell: (r) => size(r.swap) },
    { head: 'DISK', rank: 5, width: 8, right: true, cell: (r) => size(r.disk) },
    { head: 'INODES', rank: 6, width: 7, right: true, cell: (r) => (r.inodes === undefined ? '-' : String(r.inodes)) },
  ];
  if (v.pods)
    cols.push({
      head: 'PIDS',
      rank: 3,
      width: 5,
      right: true,
      cell: (r) => (r.pids === undefined ? '-' : String(r.pids)),
    });
  return cols;
}

/** Fits text into exactly `width` terminal cells (one per code point; runtime text escaped). */
export function fit(text: string, width: number, right = false): string {
  const chars = [...escapeControls(text)];
  if (chars.length > width)
    return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
  const pad = ' '.repeat(width - chars.length);
  return right ? pad + chars.join('') : chars.join('') + pad;
}

/** The columns that fit `width`, flexible ones widened to use the rest. */
function fitColumns(all: Column[], width: number): Column[] {
  const cols = [...all];
  const total = () => cols.reduce((n, c) => n + c.width, 0) + cols.length - 1;
  while (total() > width && cols.length > 1) {
    let drop = cols.length - 1;
    for (let i = cols.length - 1; i >= 0; i--) if (cols[i].rank > cols[drop].rank) drop = i;
    if (cols[drop].rank === 0) break;
    cols.splice(drop, 1);
  }
  const flex = cols.filter((c) => c.flex);
  let spare = width - total();
  for (let i = 0; spare > 0 && flex.length > 0; i = (i + 1) % flex.length, spare--)
    flex[i] = { ...flex[i], width: flex[i].width + 1 };
  return cols.map((c) => flex.find((f) => f.head === c.head) ?? c);
}

export function layout(v: View, width: number, height: number, now = Date.now()): string[] {
  const cols = fitColumns(columns(v, now), width);
  const line = (cells: string[]) => fit(cells.join(' '), width);
  const rowText = (r: Row) => cols.map((c) => fit(c.cell(r), c.width, c.right)).join(' ');
  const detailsHeight = height >= 20 ? Math.min(8, Math.floor(height / 5)) : 0;
  const eventsHeight = height >= 16 ? Math.min(8, Math.floor(height / 6)) : 0;
  const listHeight = Math.max(1, height - 3 - detailsHeight - eventsHeight);

  const out: string[] = [];
  const sortMark = `sort: ${v.sort}`;
  const filterMark = v.filter ? `  filter: ${v.filter}` : '';
  out.push(
    BOLD +
      fit(`${v.title}  ${v.rows.length} ${v.pods ? 'pods' : 'containers'}  ${sortMark}${filterMark}`, width) +
      RESET,
  );
  out.push(BOLD + fit(cols.map((c) => fit(c.head, c.width, c.right)).join(' '), width) + RESET);
  const top = Math.min(Math.max(0, v.selected - listHeight + 1), Math.max(0, v.rows.length - listHeight));
  for (let i = 0; i < listHeight; i++) {
    const r = v.rows[top + i];
    if (!r) out.push(' '.repeat(width));
    else out.push(top + i === v.selected ? REVERSE + fit(rowText(r), width) + RESET : fit(rowText(r), width));
  }
  if (detailsHeight > 0) {
    const d = v.details;
    const lines = d
      ? [
          `${d.id.slice(0, 13)}  ${d.image}  state ${d.state}  restarts ${d.restarts}`,
          ...d.facts,
          ...d.lastLines.map((l) => `│ ${l}`),
        ]
      : [v.rows.length === 0 ? 'nothing to show' : ''];
    out.push(BOLD + fit('─ details ', width).replace(/ +$/, (s) => '─'.repeat(s.length)) + RESET);
    for (let i = 0; i < detailsHeight - 1; i++) out.push(fit(lines[i] ?? '', width));
  }
  if (eventsHeight > 0) {
    out.push(BOLD + fit('─ events ', width).replace(/ +$/, (s) => '─'.repeat(s.length)) + RESET);
    const recent = v.events.slice(-(eventsHeight - 1));
    for (let i = 0; i < eventsHeight - 1; i++) {
      const e = recent[i];
      out.push(fit(e ? `${new Date(e.at).toISOString().slice(11, 19)} ${e.text}` : '', width));
    }
  }
  const footer =
    v.typing !== undefined
      ? `filter (name regex, pod=RE, ns=RE, label=K=V; enter applies, esc cancels): ${v.typing}`
      : v.note || 'q quit  ↑↓ select  c cpu  m mem  n name  a age  s next sort  / filter  p pods/containers';
  out.push(REVERSE + line([footer]) + RESET);
  return out;
}

/** One plain table for a pipe or --once: no escape codes, no sparklines. */
export function snapshotTable(rows: readonly Row[], pods: boolean, now = Date.now()): string {
  const head = pods
    ? ['POD', 'NAMESPACE', 'STATE', 'CPU %', 'MEM', 'LIMIT', 'DISK', 'PIDS', 'ATTEMPT', 'AGE', 'POD ID']
    : [
        'CONTAINER',
        'POD',
        'STATE',
        'CPU %',
        'MEM',
        'LIMIT',
        'SWAP',
        'DISK',
        'INODES',
        'ATTEMPT',
        'AGE',
        'CONTAINER ID',
      ];
  const body = rows.map((r) => {
    const cpu = r.cpu === undefined ? '-' : r.cpu.toFixed(2);
    return pods
      ? [
          r.name,
          r.namespace,
          r.state,
          cpu,
          size(r.mem),
          size(r.memLimit),
          size(r.disk),
          r.pids === undefined ? '-' : String(r.pids),
          String(r.attempt),
          age(r.createdMs, now),
          r.id.slice(0, 13),
        ]
      : [
          r.name,
          r.podName,
          r.state,
          cpu,
          size(r.mem),
          size(r.memLimit),
          size(r.swap),
          size(r.disk),
          r.inodes === undefined ? '-' : String(r.inodes),
          String(r.attempt),
          age(r.createdMs, now),
          r.id.slice(0, 13),
        ];
  });
  const table = [head, ...body].map((cells) => cells.map(escapeControls));
  const widths = head.map((_, i) => Math.max(...table.map((cells) => [...cells[i]].length)));
  return `${table
    .map((cells) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('   '),
    )
    .join('\n')}\n`;
}
