// Starting the CLI: shared by the plain bundle (bin.ts) and the V8 startup snapshot (snapshot.ts).
import { main } from './main.js';

export function startCli(argv: readonly string[]): void {
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
