// pull and rmi against a real local registry (Debian's docker-registry, htpasswd auth, plain
// HTTP), reached by the lab containerd through a hosts.toml.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { crictl, type LabRegistry, SKIP, startLabRegistry } from './harness.js';

const LAB = process.env.CRICTL_LAB_DIR ?? '';
const lines = (s: string) => s.split('\n').filter(Boolean);

describe('pull and rmi with a real registry', {
  skip: SKIP || (!LAB && 'needs CRICTL_LAB_DIR'),
  timeout: 300_000,
}, () => {
  let registry: LabRegistry;
  let address = '';
  let password = '';
  let image = '';

  before(() => {
    registry = startLabRegistry();
    ({ address, password } = registry);
    image = `${address}/test/busybox:pulltest`;
  });

  after(() => {
    registry?.down();
  });

  test('right credentials pull; images lists it; rmi removes it', () => {
    const r = crictl(['pull', '--creds', `crictl:${password}`, image]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Image is up to date for sha256:[0-9a-f]{64}\n$/);
    assert.match(
      crictl(['images']).stdout,
      new RegExp(`^${address.replace(/\./g, '\\.')}/test/busybox\\s+pulltest\\s+[0-9a-f]{13}\\s+\\S+B$`, 'm'),
    );
    const rmi = crictl(['rmi', image]);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.ok(lines(rmi.stdout).includes(`Deleted: ${image}`));
    assert.ok(!crictl(['images']).stdout.includes('pulltest'));
  });

  test('--auth (base64 user:password), --pod-config and --annotation are accepted', () => {
    const auth = Buffer.from(`crictl:${password}`).toString('base64');
    const r = crictl([
      'pull',
      '--auth',
      auth,
      '--pod-config',
      'fixtures/pod-config.json',
      '--annotation',
      'purpose=e2e',
      image,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(crictl(['rmi', '--quiet', image]).code, 0);
  });

  test("wrong credentials: one line with the registry's reason, exit 1", () => {
    const r = crictl(['pull', '--creds', 'crictl:wrong-password', image]);
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /401 Unauthorized/);
  });

  test('an unreachable registry fails in one line within the timeout', () => {
    const start = Date.now();
    const r = crictl(['-t', '10s', 'pull', '127.0.0.1:1/test/busybox:none']);
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /connection refused/);
    assert.ok(Date.now() - start < 15_000);
  });

  test('--debug never shows the password or the auth string', () => {
    const auth = Buffer.from(`crictl:${password}`).toString('base64');
    for (const args of [
      ['--creds', `crictl:${password}`],
      ['--auth', auth],
    ]) {
      const r = crictl(['--debug', 'pull', ...args, image]);
      assert.equal(r.code, 0, r.stderr);
      const all = r.stdout + r.stderr;
      assert.match(all, /DEBU request PullImage: /);
      assert.ok(!all.includes(password) && !all.includes(auth), 'secret in --debug output');
    }
    assert.equal(crictl(['rmi', '--quiet', image]).code, 0);
  });
});
