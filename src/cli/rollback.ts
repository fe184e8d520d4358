// What runp, create and run make, removed again when the command fails or is stopped by a
// signal, so that neither leaves a pod or container behind. On the first signal the call in
// flight finishes, what it made is removed and the command says so; a second signal exits at
// once, naming what is left.
import { CommandError } from '../errors.js';
import { escapeControls } from '../output/escape.js';
import { interruptible, STOP_SIGNALS, type StopSignal } from './signals.js';

interface Made {
  /** "pod sandbox 1f6e…" */
  what: string;
  undo(): Promise<void>;
}

/** The command was stopped by a signal (after removing what it made). */
export class InterruptedError extends CommandError {}

export class Rollback {
  private readonly made: Made[] = [];
  private inFlight: string | undefined;
  private signal: StopSignal | undefined;
  private readonly release: () => void;

  constructor(private readonly stderr: NodeJS.WritableStream) {
    this.release = interruptible({
      onSignal: (signal) => {
        this.signal = signal;
        // Nothing made and nothing being made (say, a pull in flight): nothing to wait for.
        if (this.made.length === 0 && this.inFlight === undefined) return 'exit';
        const waiting = this.inFlight ? `letting ${this.inFlight} finish, then ` : '';
        this.stderr.write(
          `crictl: ${signal}: ${waiting}removing what this command made (signal again to exit at once)\n`,
        );
        return undefined;
      },
      onForce: () => {
        const left = this.made.map((m) => m.what).join(', ') || 'nothing yet';
        const more = this.inFlight ? `; ${this.inFlight} was still in flight (what it makes stays)` : '';
        this.stderr.write(`crictl: ${escapeControls(`exiting at once; left behind: ${left}${more}`)}\n`);
      },
    });
  }

  /**
   * Runs one call that creates or changes something (`name` is the rpc, for messages) and records
   * what it made (`made` may instead amend an earlier record and return nothing). If a signal came meanwhile, removes everything made and throws.
   */
  async step<T>(name: string, call: () => Promise<T>, made?: (result: T) => Made | undefined): Promise<T> {
    this.inFlight = name;
    let result: T;
    try {
      result = await call();
    } finally {
      this.inFlight = undefined;
    }
    const thing = made?.(result);
    if (thing) this.made.push(thing);
    if (this.signal) {
      const signal = this.signal;
      const undone = await this.undo();
      throw new InterruptedError(
        `interrupted by ${signal}: ${undone || 'nothing was left to remove'}`,
        STOP_SIGNALS[signal],
      );
    }
    return result;
  }

  /** Removes what was made, newest first; says what happened ("removed pod sandbox …"). */
  async undo(): Promise<string> {
    const said: string[] = [];
    while (this.made.length > 0) {
      const m = this.made[this.made.length - 1];
      try {
        await m.undo();
        said.push(`removed ${m.what}`);
      } catch (err) {
        said.push(`could not remove ${m.what}: ${(err as Error).message}`);
      }
      this.made.pop();
    }
    return said.join(', ');
  }

  /** After a failed step: removes what was made and throws one line saying so; a signal's exit
   *  code if one came meanwhile. */
  async fail(what: string, err: unknown): Promise<never> {
    if (err instanceof InterruptedError) throw err;
    const undone = await this.undo();
    const code = this.signal ? STOP_SIGNALS[this.signal] : 1;
    throw new CommandError(`${what} failed: ${(err as Error).message}${undone ? ` (${undone})` : ''}`, code);
  }

  /** Work done (or undone): signals are the program's again. */
  end(): void {
    this.release();
  }
}
