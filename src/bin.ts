// The `crictl` / `crictl-ts` executable.
import { main } from './main.js';

// `crictl ps | head -1`: a closed pipe ends the program quietly, as SIGPIPE ends crictl.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`crictl: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
