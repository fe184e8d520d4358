// Waiting in tests for something another process does, bounded so a run fails instead of hanging.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every `everyMs` until it holds; fails naming `what` after `ms`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
  everyMs = 100,
): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(everyMs)) {
    if (await check()) return;
  }
  assert.fail(`timed out waiting for ${what}`);
}
