// Starting the CLI: shared by the plain bundle (bin.ts) and the V8 startup snapshot (snapshot.ts).
import * as http2 from 'node:http2';
import { setFlagsFromString } from 'node:v8';
import { main, parseGlobalArgs } from './main.js';

/** Commands that stream or read much data keep V8's optimizing compiler. The others are over in
 *  a fraction of a second, and the compiler (busy with code the snapshot's warm-up made hot)
 *  costs them 3-10 MB of memory and saves no time. */
const LONG_RUNNING = new Set(['logs', 'exec', 'attach', 'port-forward', 'events', 'stats', 'statsp', 'metricsp', 'pull']);
/** Commands that never talk to the runtime. */
const OFFLINE = new Set(['config', 'completion', 'jsonschema', 'help']);

export function startCli(argv: readonly string[]): void {
  let command: string | undefined;
  try {
    command = parseGlobalArgs(argv).rest[0];
  } catch {
    // a flag error: main reports it
  }
  if (!LONG_RUNNING.has(command ?? '')) {
    // Node loads built-in modules from a code cache that V8 refuses once a flag has changed, and
    // compiling http2 with tls, http and assert instead costs ~13 ms: load them (the snapshot
    // holds a stand-in, see scripts/build.mjs) before turning the compiler off.
    if (command !== undefined && !OFFLINE.has(command) && typeof http2.connect !== 'function') throw new Error('node:http2 did not load');
    setFlagsFromString('--no-opt');
  }

  // `crictl ps | head -1`: a closed pipe ends the program quietly, as SIGPIPE ends crictl.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }

  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`crictl: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
