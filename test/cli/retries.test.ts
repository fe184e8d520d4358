// --max-retries (crictl master): retrying with backoff while the runtime cannot be reached,
// against the fake CRI server answering UNAVAILABLE, and a socket that appears late.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import { tempDir } from '../tmp.js';
import { runCli, type CliRun } from './child.js';

const VERSION = { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' };
const unavailable = () => Object.assign(new Error('runtime is restarting'), { code: 14 });

describe('--max-retries', () => {
  let fake: FakeCri;
  let dir: string;
  before(async () => {
    fake = await startFakeCri();
    dir = tempDir('crictl-retries-');
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI without a config file unless `config` gives one's text. */
  function run(args: string[], config?: string): Promise<CliRun> {
    const configFile = join(dir, config === undefined ? 'absent.yaml' : 'crictl.yaml');
    if (config !== undefined) writeFileSync(configFile, config);
    return runCli(args, { env: { CRI_CONFIG_FILE: configFile } });
  }

  /** Version answers UNAVAILABLE `failures` times, then works. */
  function flaky(failures: number): () => number {
    let calls = 0;
    fake.on('Version', () => {
      calls++;
      if (calls <= failures) throw unavailable();
      return VERSION;
    });
    return () => calls;
  }

  test('by default (no config file) 3 retries, 0.5 s then 1 s apart', async () => {
    const calls = flaky(2);
    const r = await run(['-r', fake.endpoint, 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RuntimeName: {2}fake/);
    assert.equal(calls(), 3);
    assert.ok(r.ms >= 1500, `retried after ${r.ms} ms, expected the 0.5 s + 1 s backoff`);
  });

  test('gives up after --max-retries, saying so in one line', async () => {
    const calls = flaky(100);
    const r = await run(['-r', fake.endpoint, '--max-retries', '1', 'version']);
    assert.equal(r.code, 1);
    assert.equal(calls(), 2);
    assert.equal(
      r.stderr,
      'crictl: Version: UNAVAILABLE: runtime is restarting (gave up after 1 retry; see --max-retries)\n',
    );
  });

  test('--max-retries 0, and a config file without the key, do not retry', async () => {
    let calls = flaky(1);
    const zero = await run(['-r', fake.endpoint, '--max-retries=0', 'version']);
    assert.equal(zero.code, 1);
    assert.equal(zero.stderr, 'crictl: Version: UNAVAILABLE: runtime is restarting\n');
    assert.equal(calls(), 1);
    calls = flaky(1);
    const file = await run(['-r', fake.endpoint, 'version'], 'timeout: 5\n');
    assert.equal(file.code, 1, 'crictl master: a config file without max-retries means 0');
    assert.equal(calls(), 1);
    calls = flaky(2);
    const set = await run(['-r', fake.endpoint, 'version'], 'max-retries: 2\n');
    assert.equal(set.code, 0, set.stderr);
    assert.equal(calls(), 3);
    // A negative number is "no limit"; a word is refused.
    calls = flaky(1);
    assert.equal((await run(['-r', fake.endpoint, '--max-retries', '-1', 'version'])).code, 0);
    const bad = await run(['-r', fake.endpoint, '--max-retries', 'many', 'version']);
    assert.equal(
      bad.stderr,
      'crictl: --max-retries "many": expected a whole number (0: no retries, negative: no limit)\n',
    );
  });

  test('--debug says each failed attempt', async () => {
    flaky(1);
    const r = await run(['-r', fake.endpoint, '-D', 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /Version: connection attempt 1\/3 failed: Version: UNAVAILABLE: runtime is restarting, retrying in 500ms/,
    );
  });

  test('errors other than UNAVAILABLE, and failures after the runtime answered, are not retried', async () => {
    let calls = 0;
    fake.on('Version', () => {
      calls++;
      throw Object.assign(new Error('broken'), { code: 13 });
    });
    const r = await run(['-r', fake.endpoint, 'version']);
    assert.equal(r.code, 1);
    assert.equal(calls, 1);
    // ps: ListContainers answers, then ListPodSandbox (for unlabelled containers) is unavailable.
    fake.on('ListContainers', () => ({
      containers: [{ id: 'a'.repeat(64), podSandboxId: 'b'.repeat(64), state: 1, createdAt: '1' }],
    }));
    let podCalls = 0;
    fake.on('ListPodSandbox', () => {
      podCalls++;
      throw unavailable();
    });
    const ps = await run(['-r', fake.endpoint, 'ps']);
    assert.equal(ps.code, 1);
    assert.equal(podCalls, 1);
  });

  test('a socket that appears while retrying is used (a runtime starting up)', async () => {
    const sockDir = tempDir('crictl-late-');
    const socket = join(sockDir, 'cri.sock');
    const pending = run(['-r', `unix://${socket}`, 'version']);
    await new Promise((r) => setTimeout(r, 800));
    const late = await startFakeCri(socket);
    try {
      late.on('Version', () => VERSION);
      const r = await pending;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /RuntimeName: {2}fake/);
    } finally {
      await late.close();
      rmSync(sockDir, { recursive: true, force: true });
    }
  });

  test('a missing socket with retries off fails at once', async () => {
    const sockDir = tempDir('crictl-none-');
    try {
      const r = await run(['-r', `unix://${join(sockDir, 'cri.sock')}`, '--max-retries', '0', 'version']);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `crictl: connect unix://${join(sockDir, 'cri.sock')}: no such file or directory (is the runtime running?)\n`,
      );
      assert.ok(r.ms < 1500, `took ${r.ms} ms`);
    } finally {
      rmSync(sockDir, { recursive: true, force: true });
    }
  });
});
