// The CLI bundle, dist/cli.cjs. dist/crictl.cjs (src/startup/loader.ts) compiles it, from a V8
// code cache when it has a valid one, and calls startCli; a background run of the loader calls
// warmUp instead and saves the compiled code as that cache.
export { startCli } from './start.js';
export { setStartPath } from './startup/start-path.js';

/** Runs common commands against canned replies, so that V8 compiles their code. */
export async function warmUp(): Promise<void> {
  const { warmUp: run } = await import('./startup/warm-up.js');
  await run();
}
