// Registry credentials: which source wins, the password prompt (terminal and pipe), and the
// credentials reaching the PullImage request (fake CRI server).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { readPassword, resolveAuth, resolvePullTimeout, type PasswordIo } from '../../src/cli/credentials.js';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import { tempDir } from '../tmp.js';
import { runCli, type CliRun } from './child.js';

function pipeIo(input?: string): PasswordIo & { prompt: () => string } {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let prompt = '';
  stderr.on('data', (d) => (prompt += d));
  if (input !== undefined) stdin.end(input);
  return { stdin, stderr, prompt: () => prompt };
}

/** A terminal: raw mode is recorded, keys are typed one chunk at a time. */
function ttyIo(): PasswordIo & { type: (s: string) => void; modes: boolean[]; prompt: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => modes.push(raw) });
  const modes: boolean[] = [];
  const stderr = new PassThrough();
  let prompt = '';
  stderr.on('data', (d) => (prompt += d));
  return { stdin, stderr, modes, type: (s) => stdin.write(s), prompt: () => prompt };
}

test('flags win over the environment; two sources at once are refused', async () => {
  const io = pipeIo('');
  assert.deepEqual(await resolveAuth({ creds: 'al:pa:ss' }, { CRICTL_AUTH: 'eA==' }, io), {
    username: 'al',
    password: 'pa:ss',
  });
  assert.deepEqual(await resolveAuth({ creds: 'al' }, {}, io), { username: 'al' });
  assert.deepEqual(await resolveAuth({}, { CRICTL_CREDS: 'env:pw' }, io), { username: 'env', password: 'pw' });
  assert.deepEqual(await resolveAuth({}, { CRICTL_AUTH: 'YTpi' }, io), { auth: 'YTpi' });
  assert.equal(await resolveAuth({}, { CRICTL_CREDS: '' }, io), undefined);
  await assert.rejects(resolveAuth({ creds: 'a:b', auth: 'x' }, {}, io), /--creds and --auth given: use one/);
  await assert.rejects(resolveAuth({ username: 'a', creds: 'a:b' }, {}, io), /--username and --creds given: use one/);
  await assert.rejects(
    resolveAuth({}, { CRICTL_CREDS: 'a:b', CRICTL_AUTH: 'x' }, io),
    /both CRICTL_CREDS and CRICTL_AUTH are set/,
  );
  await assert.rejects(
    resolveAuth({ creds: ':pw' }, {}, io),
    /--creds: expected USERNAME\[:PASSWORD\], the user name is empty/,
  );
  await assert.rejects(resolveAuth({}, { CRICTL_CREDS: ':pw' }, io), /CRICTL_CREDS: expected USERNAME/);
});

test('--username reads the first line of a pipe, without a prompt', async () => {
  const io = pipeIo('s3cret\r\nsecond line\n');
  assert.deepEqual(await resolveAuth({ username: 'bob' }, { CRICTL_CREDS: 'x:y' }, io), {
    username: 'bob',
    password: 's3cret',
  });
  assert.equal(io.prompt(), '');
  assert.equal(await readPassword(pipeIo('no newline')), 'no newline');
  await assert.rejects(readPassword(pipeIo('')), /no password given \(stdin ended\)/);
  await assert.rejects(readPassword(pipeIo('x'.repeat(5000))), /longer than 4096 bytes/);
});

test('--username on a terminal: prompt on stderr, raw mode (no echo), editing keys, mode restored', async () => {
  const io = ttyIo();
  const pending = readPassword(io);
  io.type('pa');
  io.type('x\u007fss');
  io.type('\r');
  assert.equal(await pending, 'pass');
  assert.equal(io.prompt(), 'Enter Password:\n');
  assert.deepEqual(io.modes, [true, false]);

  const interrupted = ttyIo();
  const p2 = readPassword(interrupted);
  interrupted.type('abc\u0003');
  await assert.rejects(p2, (e: Error & { exitCode?: number }) => e.message === 'interrupted' && e.exitCode === 130);
  assert.deepEqual(interrupted.modes, [true, false]);
});

test('--pull-timeout and CRICTL_PULL_TIMEOUT', async () => {
  assert.equal(await resolvePullTimeout(undefined, {}), undefined);
  assert.equal(await resolvePullTimeout('0s', {}), 0);
  assert.equal(await resolvePullTimeout('1m30s', { CRICTL_PULL_TIMEOUT: '5s' }), 90_000);
  assert.equal(await resolvePullTimeout(undefined, { CRICTL_PULL_TIMEOUT: '5s' }), 5000);
  await assert.rejects(resolvePullTimeout('-1s', {}), /--pull-timeout "-1s": must not be negative/);
  await assert.rejects(
    resolvePullTimeout(undefined, { CRICTL_PULL_TIMEOUT: 'soon' }),
    /invalid CRICTL_PULL_TIMEOUT "soon"/,
  );
});

describe('credentials reach PullImage', () => {
  let fake: FakeCri;
  let dir: string;
  const seen: unknown[] = [];
  before(async () => {
    fake = await startFakeCri();
    dir = tempDir('crictl-creds-');
    fake.on('PullImage', (req) => {
      seen.push(req.auth);
      return { imageRef: 'sha256:abc' };
    });
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI without blocking this process, where the fake server lives. */
  function cli(args: string[], env: NodeJS.ProcessEnv = {}, input = ''): Promise<CliRun> {
    return runCli(['-r', fake.endpoint, ...args], { env: { CRI_CONFIG_FILE: join(dir, 'none.yaml'), ...env }, input });
  }

  test('from stdin with -u, and from CRICTL_CREDS / CRICTL_AUTH', async () => {
    seen.length = 0;
    const piped = await cli(['pull', '-u', 'bob', 'registry.example/app:1'], {}, 'hunter2\n');
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, 'Image is up to date for sha256:abc\n');
    assert.equal((await cli(['pull', 'registry.example/app:1'], { CRICTL_CREDS: 'env:pw' })).code, 0);
    assert.equal((await cli(['pull', 'registry.example/app:1'], { CRICTL_AUTH: 'ZW52OnB3' })).code, 0);
    const auths = seen as Record<string, string>[];
    assert.deepEqual([auths[0].username, auths[0].password], ['bob', 'hunter2']);
    assert.deepEqual([auths[1].username, auths[1].password], ['env', 'pw']);
    assert.equal(auths[2].auth, 'ZW52OnB3');
  });

  test('--no-pull with --with-pull is refused before anything happens', async () => {
    const before = fake.calls.length;
    const r = await cli(['run', '--no-pull', '--with-pull', 'c.json', 'p.json']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'crictl: --no-pull and --with-pull contradict each other: give one\n');
    assert.equal(fake.calls.length, before);
  });
});
