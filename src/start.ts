// Starting the CLI (called by dist/crictl.cjs, src/startup/loader.ts, through bin.ts).
import * as http2 from 'node:http2';
import { setFlagsFromString } from 'node:v8';
import { commandFacts } from './cli/commands.js';
import { parseGlobalArgs } from './cli/global-flags.js';
import { installSignalHandling, uninterruptibleWorkRunning } from './cli/signals.js';
import { main, reportError } from './main.js';
import { reclaimMovedBuffers } from './stream/limits.js';

export function startCli(argv: readonly string[]): void {
  // First of all: SIGUSR1 must never open the inspector (both start-up paths come through here).
  installSignalHandling();
  // The process is the CLI's own: streams may trigger small collections of their dead buffers.
  reclaimMovedBuffers();
  // Whatever escapes the commands is still one line, never node's dump of the (minified) source.
  const fatal = (err: unknown) => {
    process.exit(reportError(err, process.stderr));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  let words: string[] = [];
  try {
    words = parseGlobalArgs(argv).rest;
  } catch {
    // a flag error: main reports it
  }
  // Commands that stream or read much data keep V8's optimizing compiler. The others are over in
  // a fraction of a second, and the compiler (busy with start-up code) costs them 3-10 MB of
  // memory and saves no time.
  const { longRunning, offline } = commandFacts(words);
  if (!longRunning) {
    // Node loads built-in modules from a code cache that V8 refuses once a flag has changed, and
    // compiling http2 with tls, http and assert instead costs ~13 ms: load them before turning
    // the compiler off.
    if (!offline && typeof http2.connect !== 'function') throw new Error('node:http2 did not load');
    setFlagsFromString('--no-opt');
  }

  // `crictl ps | head -1`: a closed pipe ends the program quietly, as SIGPIPE ends crictl. Work
  // that removes or creates things is not cut short by it: it finishes (see cli/bulk.ts).
  let closedDuringWork = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (closedDuringWork || uninterruptibleWorkRunning()) {
        closedDuringWork = true;
        return;
      }
      if (err.code === 'EPIPE') process.exit(0);
      if (stream === process.stderr) process.exit(1);
      process.exit(reportError(new Error(`cannot write output: ${err.message}`), process.stderr));
    });
  }

  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = reportError(err, process.stderr);
    },
  );
}
