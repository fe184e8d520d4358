// Progress on a terminal for image transfers (load, save, pull): one line per blob with bytes
// done/total, speed and ETA, redrawn in place at most a few times a second. Never used when the
// output is not a terminal.
import { humanSize } from '../output/human.js';

interface Item {
  label: string;
  done: number;
  total: number;
  started: number;
  firstDone: number;
  finished: boolean;
}

/** At most this many blob lines are shown (the active ones first); the total line sums all. */
const MAX_LINES = 12;
const REDRAW_MS = 150;

const size = (n: number): string => humanSize(n, 4);

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBoard {
  private readonly items = new Map<string, Item>();
  private drawnLines = 0;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Records progress of one blob (creating its line on first sight). */
  set(key: string, label: string, done: number, total: number): void {
    let item = this.items.get(key);
    if (!item) {
      // Labels come from archives and the runtime: no control characters reach the terminal.
      item = {
        label: label.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'),
        done,
        total,
        started: this.now(),
        firstDone: done,
        finished: false,
      };
      this.items.set(key, item);
    }
    item.done = done;
    item.total = Math.max(total, item.total);
    if (total > 0 && done >= total) item.finished = true;
    this.draw(false);
  }

  /** Marks a blob complete (e.g. it left containerd's list of ingests). */
  finish(key: string): void {
    const item = this.items.get(key);
    if (item && !item.finished) {
      item.finished = true;
      item.done = Math.max(item.done, item.total);
      this.draw(false);
    }
  }

  /** Draws the last state and leaves the cursor below it. */
  end(): void {
    this.draw(true);
  }

  private line(item: Item): string {
    const label = item.label.length > 24 ? `${item.label.slice(0, 23)}…` : item.label.padEnd(24);
    if (item.finished) return `${label}  ${size(item.total)} done`;
    const total = item.total > 0 ? size(item.total) : '?';
    const elapsed = this.now() - item.started;
    const speed = elapsed > 0 ? ((item.done - item.firstDone) * 1000) / elapsed : 0;
    const eta = speed > 0 && item.total > 0 ? `  ETA ${duration(((item.total - item.done) / speed) * 1000)}` : '';
    return `${label}  ${size(item.done)} / ${total}${speed > 0 ? `  ${size(speed)}/s` : ''}${eta}`;
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const all = [...this.items.values()];
    const shown = [...all.filter((i) => !i.finished), ...all.filter((i) => i.finished)].slice(0, MAX_LINES);
    const done = all.reduce((s, i) => s + i.done, 0);
    const total = all.reduce((s, i) => s + i.total, 0);
    const lines = shown.map((i) => this.line(i));
    lines.push(`${'total'.padEnd(24)}  ${size(done)} / ${size(total)}  ${duration(t - this.started)}`);
    // Back to the first line of the previous frame, clear to the end of the screen, redraw.
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    this.out.write(`${up}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

/** A spinner with elapsed time, for waits whose progress cannot be seen (other runtimes' pulls). */
export function startSpinner(out: NodeJS.WritableStream, text: string, now: () => number = Date.now): () => void {
  const frames = ['|', '/', '-', '\\'];
  const start = now();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    out.write(`\r\x1b[2K${frames[n++ % frames.length]} ${text} ${duration(now() - start)}`);
    timer = setTimeout(tick, 250);
  };
  tick();
  return () => {
    clearTimeout(timer);
    out.write('\r\x1b[2K');
  };
}
