// A unix socket that accepts connections and never answers: what a hung runtime looks like.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './tmp.js';

/** How long the CLI holds a connection to a socket that accepts and never answers, measured by
 *  the server (from accept to close), so that start-up time on a loaded machine does not count. */
export async function heldFor(
  command: string,
  timeout: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; code: number | null; stderr: string }> {
  const dir = tempDir('crictl-silent-');
  const sock = join(dir, 'silent.sock');
  let accepted = 0;
  let closed = 0;
  const server = createServer((s) => {
    accepted ||= performance.now();
    s.on('close', () => (closed ||= performance.now()));
    s.on('error', () => {});
    s.resume(); // read (and drop) what comes, or the end of the connection goes unseen
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    const child = spawn(command, ['-t', timeout, '-r', `unix://${sock}`, 'version'], { env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 50 && !closed; i++) await sleep(10);
    assert.ok(accepted && closed, `connected and closed (${stderr})`);
    return { ms: closed - accepted, code, stderr };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
