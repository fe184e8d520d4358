// Signals for the whole program. One handler per stop signal, installed at start-up, gives each
// its shell exit code (128 + number: SIGINT 130, SIGTERM 143, SIGHUP 129). Work that must not be
// cut short (bulk removals, run's pod and container) registers hooks: the first signal asks it to
// stop after the calls in flight, a second one exits at once after the hooks say what is left.
// SIGUSR1 would open node's inspector on 127.0.0.1:9229 — code execution for any local user in a
// root process — so it is caught and ignored.

export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

export interface Interruptible {
  /** The first stop signal: start nothing new; calls in flight finish. 'exit' when there is
   *  nothing to finish: the program then exits at once (if every registered work agrees). */
  onSignal(signal: StopSignal): 'exit' | undefined | undefined;
  /** A second stop signal: the program exits right after this returns (say what is left). */
  onForce?(signal: StopSignal): void;
}

const active = new Set<Interruptible>();
const installed = new Map<NodeJS.Signals, (signal: NodeJS.Signals) => void>();
let received = 0;

/** Registers hooks for as long as uninterruptible work runs; returns the function that ends it. */
export function interruptible(hooks: Interruptible): () => void {
  active.add(hooks);
  return () => {
    active.delete(hooks);
  };
}

/** True while some registered work is running (a closed stdout must not end it, see start.ts). */
export function uninterruptibleWorkRunning(): boolean {
  return active.size > 0;
}

/** Other listeners for `signal` than ours: commands that end themselves (logs -f, events, a raw terminal). */
function ownListeners(signal: NodeJS.Signals): Array<(...args: unknown[]) => void> {
  return process.listeners(signal).filter((l) => l !== installed.get(signal)) as Array<(...args: unknown[]) => void>;
}

function onStopSignal(signal: StopSignal, exit: (code: number) => void): void {
  received++;
  const code = STOP_SIGNALS[signal];
  if (active.size > 0) {
    const hooks = [...active];
    if (received === 1) {
      const answers = hooks.map((h) => h.onSignal(signal));
      if (answers.every((a) => a === 'exit')) exit(code);
    } else {
      for (const h of hooks) h.onForce?.(signal);
      exit(code);
    }
    return;
  }
  if (received === 1) {
    if (ownListeners(signal).length > 0) return;
    // A command that stops cleanly on SIGINT (and so handles it) stops the same way on the others.
    const onInterrupt = signal === 'SIGINT' ? [] : ownListeners('SIGINT');
    if (onInterrupt.length > 0) {
      // Told which signal it was, so that it can exit with that signal's code.
      for (const l of onInterrupt) l(signal);
      return;
    }
  }
  exit(code);
}

/**
 * For a command that ends itself on a stop signal (cancels its stream, closes its listeners):
 * calls `stop` on the first SIGINT, SIGTERM or SIGHUP. `exitCode()` is then that signal's code
 * (an interrupted command did not succeed); `release()` when the command is done.
 */
export function stopOnSignals(stop: (signal: StopSignal) => void): { exitCode(): number | undefined; release(): void } {
  let code: number | undefined;
  const listeners = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => {
    const listener = () => {
      if (code !== undefined) return;
      code = STOP_SIGNALS[signal];
      stop(signal);
    };
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return {
    exitCode: () => code,
    release: () => {
      for (const off of listeners) off();
    },
  };
}

/** Installs the program's signal handling (once, at start-up; never in the build's snapshot). */
export function installSignalHandling(exit: (code: number) => void = (code) => process.exit(code)): void {
  if (installed.size > 0) return;
  const ignore = () => undefined;
  installed.set('SIGUSR1', ignore);
  process.on('SIGUSR1', ignore);
  for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const handler = () => onStopSignal(signal, exit);
    installed.set(signal, handler);
    process.on(signal, handler);
  }
}
