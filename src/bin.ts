// The `crictl` / `crictl-ts` program when it is not started from the startup snapshot
// (dist/crictl, the launcher, falls back to this bundle; see scripts/build.mjs).
import { startCli } from './start.js';

startCli(process.argv.slice(2));
