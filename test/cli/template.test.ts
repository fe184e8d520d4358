// `template pod|container`: starter configs the strict loader accepts, commented in YAML only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadContainerConfig, loadPodConfig } from '../../src/spec/configs.js';
import { CLI } from '../e2e/harness.js';
import { NO_CONFIG, tempDir } from '../tmp.js';

function cli(args: string[]) {
  const r = spawnSync(CLI, args, {
    encoding: 'utf8',
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('templates load as pod and container configs, in YAML and JSON', async () => {
  const dir = tempDir('template-');
  for (const format of ['yaml', 'json']) {
    const pod = cli(['template', 'pod', '-o', format]);
    const ctr = cli(['template', 'container', '-o', format]);
    assert.equal(pod.code, 0, pod.stderr);
    assert.equal(ctr.code, 0, ctr.stderr);
    const podFile = join(dir, `pod.${format}`);
    const ctrFile = join(dir, `container.${format}`);
    writeFileSync(podFile, pod.stdout);
    writeFileSync(ctrFile, ctr.stdout);
    const podConfig = await loadPodConfig(podFile);
    const ctrConfig = await loadContainerConfig(ctrFile);
    assert.equal(podConfig.metadata?.name, 'starter-pod');
    assert.equal(ctrConfig.image?.image, 'docker.io/library/busybox:1.33.1');
    assert.deepEqual(
      ctrConfig.envs?.map((e) => [e?.key, Buffer.from(e?.value ?? '').toString()]),
      [['GREETING', 'hello']],
    );
    if (format === 'json') {
      assert.doesNotMatch(pod.stdout + ctr.stdout, /#/);
      assert.equal(JSON.parse(ctr.stdout).log_path, 'starter.log');
    } else {
      assert.match(pod.stdout, /^# Pod sandbox config/);
      assert.match(ctr.stdout, /^ {2}# Required: the image to run/m);
    }
  }
  // YAML is the default; a pod template is refused where a container config belongs.
  assert.equal(cli(['template', 'pod']).stdout, cli(['template', 'pod', '-o', 'yaml']).stdout);
  await assert.rejects(loadContainerConfig(join(dir, 'pod.yaml')), /looks like a pod config/);
});

test('template: bad kind or format is one line and exit 1', () => {
  assert.deepEqual(cli(['template', 'node']), {
    code: 1,
    stdout: '',
    stderr: 'crictl: template: unknown kind "node": use pod or container\n',
  });
  assert.equal(
    cli(['template', 'pod', '-o', 'table']).stderr,
    'crictl: unsupported output format "table": use one of yaml, json\n',
  );
  assert.match(
    cli(['template']).stderr,
    /^crictl: template: missing pod\|container; usage: crictl template \[OPTIONS\] pod\|container\n$/,
  );
});
