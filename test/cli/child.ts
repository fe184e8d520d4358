// The built CLI as a child process that does not block this one (the fake servers these tests
// talk to live in this process), with what it printed collected.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI } from '../e2e/harness.js';
import { NO_CONFIG } from '../tmp.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
  /** When the process ended (Date.now()). */
  endedAt: number;
}

export interface CliOptions {
  /** Added to this process's environment (no config file and no endpoint variable are set). */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin stays open. */
  input?: string;
  /** Sends SIGINT this long after the start. */
  interruptAfterMs?: number;
}

/** Whatever happens, a test must not hang: this is far past every bound a test asserts. */
const GUARD_MS = 60_000;

export function startCli(
  args: string[],
  opts: CliOptions = {},
): { child: ChildProcessWithoutNullStreams; done: Promise<CliRun> } {
  const begin = Date.now();
  const child = spawn(CLI, args, {
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '', ...opts.env },
  });
  // Bytes, decoded once at the end: a character split across two chunks stays whole.
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS);
  if (opts.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs).unref();
  if (opts.input !== undefined) child.stdin.end(opts.input);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      const endedAt = Date.now();
      const [stdout, stderr] = [out, err].map((chunks) => Buffer.concat(chunks).toString('utf8'));
      resolve({ code, signal, stdout, stderr, ms: endedAt - begin, endedAt });
    }),
  );
  return { child, done };
}

export const runCli = (args: string[], opts: CliOptions = {}): Promise<CliRun> => startCli(args, opts).done;
