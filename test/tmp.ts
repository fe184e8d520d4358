// Temporary files for tests. Every directory a test process makes lives under one root that is
// removed when the process exits (node --test runs each file in its own process), so a run
// leaves nothing behind in /tmp, whatever the tests do in between.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | undefined;

function testRoot(): string {
  if (root === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'crictl-test-'));
    // Traversable by the unprivileged users some tests run as; what lies inside keeps its own modes.
    chmodSync(made, 0o755);
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    root = made;
  }
  return root;
}

/** A fresh, empty directory, removed with the others when the test process exits. */
export function tempDir(prefix = 'tmp-'): string {
  return mkdtempSync(join(testRoot(), prefix));
}

/** A path that does not exist: a name inside a fresh empty directory (no test relies on
 *  a fixed path such as /nonexistent being absent). */
export function missingPath(name = 'absent'): string {
  const dir = tempDir('missing-');
  // Searchable by any user, so a missing file reads as missing, not as permission denied.
  chmodSync(dir, 0o755);
  return join(dir, name);
}

/** For CRI_CONFIG_FILE: a config file that is absent, so a test sees only its own flags. */
export const NO_CONFIG = missingPath('crictl.yaml');
