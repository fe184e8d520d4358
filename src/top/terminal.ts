// The terminal side of `top`: alternate screen, hidden cursor and raw keys while it runs, and the
// terminal put back as it was on every way out (q, ctrl-c, SIGTERM, SIGHUP, an error, exit).
// Frames are written only when the previous one has drained, so a slow terminal skips frames
// instead of queueing them.

export type Key =
  | { kind: 'char'; char: string }
  | { kind: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'interrupt' };

/** Splits raw terminal input into keys (arrow keys arrive as escape sequences). */
export function decodeKeys(data: string): Key[] {
  const keys: Key[] = [];
  const sequences: Record<string, Key['kind']> = {
    '\x1b[A': 'up',
    '\x1bOA': 'up',
    '\x1b[B': 'down',
    '\x1bOB': 'down',
    '\x1b[5~': 'pageup',
    '\x1b[6~': 'pagedown',
    '\x1b[H': 'home',
    '\x1b[F': 'end',
    '\x1b[1~': 'home',
    '\x1b[4~': 'end',
  };
  for (let i = 0; i < data.length; ) {
    const seq = Object.keys(sequences).find((s) => data.startsWith(s, i));
    if (seq) {
      keys.push({ kind: sequences[seq] } as Key);
      i += seq.length;
      continue;
    }
    const c = data[i++];
    if (c === '\x1b') {
      // An unknown sequence: skip its parameters; a lone ESC is the escape key.
      const m = /^\[[0-9;]*[A-Za-z~]/.exec(data.slice(i));
      if (m) i += m[0].length;
      else keys.push({ kind: 'escape' });
    } else if (c === '\r' || c === '\n') keys.push({ kind: 'enter' });
    else if (c === '\x7f' || c === '\b') keys.push({ kind: 'backspace' });
    else if (c === '\x03') keys.push({ kind: 'interrupt' });
    else if (c >= ' ') keys.push({ kind: 'char', char: c });
  }
  return keys;
}

export class Screen {
  private active = false;
  private draining = false;
  private pending: string[] | undefined;
  private readonly restoreOnExit = () => this.leave();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
  ) {}

  enter(onKeys: (keys: Key[]) => void): void {
    this.active = true;
    process.on('exit', this.restoreOnExit);
    this.input.setRawMode(true);
    this.input.setEncoding('utf8');
    this.input.on('data', (d: string) => onKeys(decodeKeys(d)));
    this.input.resume();
    // Alternate screen, cursor hidden, screen cleared.
    this.out.write('\x1b[?1049h\x1b[?25l\x1b[2J');
  }

  /** Draws a frame from the top-left corner; a frame that cannot be written yet replaces the waiting one. */
  draw(lines: string[]): void {
    if (!this.active) return;
    if (this.draining) {
      this.pending = lines;
      return;
    }
    // Raw mode turns off output processing: lines end in CR LF.
    const ok = this.out.write(`\x1b[H${lines.join('\r\n')}`);
    if (!ok) {
      this.draining = true;
      this.out.once('drain', () => {
        this.draining = false;
        const next = this.pending;
        this.pending = undefined;
        if (next) this.draw(next);
      });
    }
  }

  leave(): void {
    if (!this.active) return;
    this.active = false;
    process.off('exit', this.restoreOnExit);
    try {
      this.input.setRawMode(false);
    } catch {
      // the terminal is gone (SIGHUP): nothing to restore
    }
    this.input.pause();
    this.out.write('\x1b[?25h\x1b[?1049l');
  }
}
