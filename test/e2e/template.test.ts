// The starter configs of `template` run as they are on the lab containerd.
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closeCri, cri, crictl, removePods, SKIP } from './harness.js';
import { tempDir } from '../tmp.js';

// The pod template's log_directory; the runtime creates it on the node.
const LOG_PARENT = '/var/log/crictl-ts';
const LOG_DIR = join(LOG_PARENT, 'starter-pod');

describe('template on a real runtime', { skip: SKIP }, () => {
  const pods: string[] = [];
  const logDirExisted = existsSync(LOG_PARENT);
  after(async () => {
    await removePods(pods);
    closeCri();
    if (!logDirExisted) rmSync(LOG_PARENT, { recursive: true, force: true });
  });

  test('template pod > p.yaml; template container > c.yaml; run c.yaml p.yaml', async () => {
    const dir = tempDir('template-e2e-');
    const podFile = join(dir, 'p.yaml');
    const ctrFile = join(dir, 'c.yaml');
    writeFileSync(podFile, crictl(['template', 'pod']).stdout);
    writeFileSync(ctrFile, crictl(['template', 'container']).stdout);
    const run = crictl(['run', ctrFile, podFile]);
    const ctr = run.stdout.trim();
    const status = ctr
      ? await cri()
          .runtime.containerStatus({ containerId: ctr })
          .catch(() => undefined)
      : undefined;
    if (status?.status?.metadata)
      pods.push(...(await cri().runtime.listContainers({ filter: { id: ctr } })).containers.map((c) => c.podSandboxId));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(status?.status?.state, 'CONTAINER_RUNNING');
    // The command's greeting, in the log file the template names.
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('hello'); i++) {
      logs = crictl(['logs', ctr]).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    // (A log file left by an earlier run of the template is appended to.)
    assert.match(logs, /(^|\n)hello from a crictl-ts template\n$/);
    assert.equal(status?.status?.logPath, join(LOG_DIR, 'starter.log'));
  });
});
