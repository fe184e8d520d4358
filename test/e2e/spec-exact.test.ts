// Values in pod/container config files reach the real runtime exactly as written: env values as
// text (not base64), int64 limits without a detour through a double; what cannot be kept
// exactly is refused before anything is created.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BUSYBOX, closeCri, cri, crictl, removePods, SKIP } from './harness.js';
import { tempDir } from '../tmp.js';

/** Values chosen to break a base64 or escaping detour: spaces, '=', quotes, non-ASCII, empty, and valid base64. */
const ENVS: [string, string][] = [
  ['PLAIN', 'bar'],
  ['SPACES', 'two words  and more'],
  ['EQUALS', 'a=b==c'],
  ['QUOTES', `"double" 'single' \\back`],
  ['UNICODE', 'ünïcødé € 日本 🚀'],
  ['EMPTY', ''],
  ['LOOKS_BASE64', 'YWJj'],
];
const MAX_INT64 = '9223372036854775807';

describe('config values reach the runtime exactly', { skip: SKIP }, () => {
  const dir = tempDir('crictl-spec-exact-');
  let n = 0;
  const pods: string[] = [];
  after(async () => {
    await removePods(pods);
    closeCri();
    rmSync(dir, { recursive: true, force: true });
  });

  const podFile = () => {
    const name = `spec-exact-${process.pid}-${++n}`;
    const path = join(dir, `pod-${n}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        metadata: { name, namespace: 'e2e', uid: `uid-${name}` },
        log_directory: dir,
        labels: { 'crictl-e2e': 'spec-exact' },
      }),
    );
    return path;
  };
  /** `crictl run` of a container file; returns the container ID and remembers its pod. */
  const run = async (containerFile: string, extraArgs: string[] = []) => {
    const r = crictl([...extraArgs, 'run', containerFile, podFile()]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const { status } = await cri().runtime.containerStatus({ containerId: id });
    const pod = (await cri().runtime.listPodSandbox({ filter: { labelSelector: { 'crictl-e2e': 'spec-exact' } } }))
      .items;
    pods.push(...pod.map((p) => p.id));
    assert.ok(status);
    return { id, r };
  };
  const envOf = (id: string) => {
    const r = crictl(['exec', '-s', id, 'env']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n');
  };

  test('env values from JSON reach the process byte for byte, with the int64 limit exact', async () => {
    const file = join(dir, 'ctr.json');
    const config = {
      metadata: { name: 'envs-json' },
      image: { image: BUSYBOX },
      command: ['sleep', '300'],
      log_path: 'envs-json.log',
      envs: ENVS.map(([key, value]) => ({ key, value })),
    };
    // The limit is written as a bare JSON number, which a double cannot hold.
    const text = JSON.stringify(config).replace(/}$/, `,"linux":{"resources":{"memory_limit_in_bytes":${MAX_INT64}}}}`);
    writeFileSync(file, text);
    const { id, r } = await run(file, ['--debug']);
    const env = envOf(id);
    for (const [key, value] of ENVS)
      assert.ok(env.includes(`${key}=${value}`), `${key}=${value} missing from:\n${env.join('\n')}`);
    // What --debug says was sent, and what the runtime reports back.
    assert.match(r.stderr, new RegExp(`request CreateContainer: .*"memoryLimitInBytes":"${MAX_INT64}"`));
    assert.match(r.stderr, /request CreateContainer: .*"key":"LOOKS_BASE64","value":"YWJj"/);
    const inspect = JSON.parse(crictl(['inspect', id]).stdout);
    assert.equal(inspect.status.resources.linux.memoryLimitInBytes, MAX_INT64);
    // The runtime's own record of the config, as inspect prints it: the same text (it omits empty values).
    const recorded = new Map(
      (inspect.info.config.envs as { key: string; value?: string }[]).map((e) => [e.key, e.value ?? '']),
    );
    for (const [key, value] of ENVS) assert.equal(recorded.get(key), value, key);
  });

  test('the same from YAML, with a quoted int64 in range', async () => {
    const file = join(dir, 'ctr.yaml');
    const envLines = ENVS.map(([key, value]) => `  - key: ${key}\n    value: ${JSON.stringify(value)}\n`).join('');
    writeFileSync(
      file,
      `metadata:\n  name: envs-yaml\nimage:\n  image: ${BUSYBOX}\ncommand: [sleep, "300"]\nlog_path: envs-yaml.log\nenvs:\n${envLines}linux:\n  resources:\n    memory_limit_in_bytes: "${MAX_INT64}"\n`,
    );
    const { id } = await run(file);
    const env = envOf(id);
    for (const [key, value] of ENVS)
      assert.ok(env.includes(`${key}=${value}`), `${key}=${value} missing from:\n${env.join('\n')}`);
    const { status } = await cri().runtime.containerStatus({ containerId: id });
    assert.equal(status?.resources?.linux?.memoryLimitInBytes, MAX_INT64);
  });

  test('out-of-range and non-integer limits are refused, and nothing is created', async () => {
    const before = (await cri().runtime.listPodSandbox({})).items.length;
    for (const limit of ['"18446744073709551617"', '99999999999999999999999', '9223372036854775808', '1.5', '1e3']) {
      const file = join(dir, 'bad.json');
      writeFileSync(
        file,
        `{"metadata":{"name":"bad"},"image":{"image":"${BUSYBOX}"},"linux":{"resources":{"memory_limit_in_bytes":${limit}}}}`,
      );
      const r = crictl(['run', file, podFile()]);
      assert.notEqual(r.code, 0, `limit ${limit} was accepted`);
      assert.equal(r.stdout, '');
      const line = r.stderr.trim();
      assert.ok(!line.includes('\n'), `more than one line: ${line}`);
      assert.ok(line.includes(`${file}: linux.resources.memory_limit_in_bytes: expected an integer`), line);
    }
    assert.equal((await cri().runtime.listPodSandbox({})).items.length, before);
  });
});
