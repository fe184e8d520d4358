// A root tool facing hostile input: control characters from the runtime are shown escaped,
// out-of-range durations and odd endpoints are one line, and config --set writes safely.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { updateConfigFile } from '../../src/config/write.js';
import { escapeControls, escapeText } from '../../src/output/escape.js';
import { formatTable } from '../../src/output/table.js';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import { CLI } from '../e2e/harness.js';
import { tempDir } from '../tmp.js';
import { runCli, startCli } from './child.js';

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// What a hostile runtime sends: retitle the window (OSC … BEL), clear the screen, a C1 CSI.
const EVIL = 'web\x1b]0;pwned\x07\x1b[2J\u009b1m';
const SHOWN = 'web\\x1b]0;pwned\\a\\x1b[2J\\u009b1m';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('escaping: Go-like spellings, layout kept only in multi-line text', () => {
  assert.equal(escapeControls(EVIL), SHOWN);
  assert.equal(escapeControls('a\tb\nc\r\u0000\u007f'), 'a\\tb\\nc\\r\\x00\\x7f');
  assert.equal(escapeText('Name: x\x1b[2J\n\tk -> v\n'), 'Name: x\\x1b[2J\n\tk -> v\n');
  assert.equal(escapeControls('plain ünïcode ✓'), 'plain ünïcode ✓');
  // Table cells are escaped before they are measured, so columns still line up.
  assert.equal(
    formatTable([
      ['A', 'B'],
      ['x\x1b', 'y'],
    ]),
    `A${' '.repeat(19)}B\nx\\x1b${' '.repeat(15)}y\n`,
  );
});

describe('text from the runtime reaches the terminal escaped', () => {
  let fake: FakeCri;
  before(async () => {
    fake = await startFakeCri();
    const meta = { name: EVIL, namespace: EVIL, uid: 'u', attempt: 0 };
    const labels = { [EVIL]: EVIL };
    fake.on('ListContainers', () => ({
      containers: [
        {
          id: 'a'.repeat(64),
          podSandboxId: 'b'.repeat(64),
          metadata: { name: EVIL },
          image: { image: EVIL },
          state: 'CONTAINER_RUNNING',
          createdAt: '1',
          labels,
          annotations: labels,
        },
      ],
    }));
    fake.on('ListPodSandbox', () => ({
      items: [
        { id: 'b'.repeat(64), metadata: meta, state: 'SANDBOX_READY', createdAt: '1', labels, annotations: labels },
      ],
    }));
    fake.on('ContainerStatus', () => ({
      status: {
        id: 'a'.repeat(64),
        metadata: { name: EVIL },
        state: 'CONTAINER_EXITED',
        createdAt: '1',
        reason: EVIL,
        message: EVIL,
        labels,
        annotations: labels,
        image: { image: EVIL },
      },
    }));
    fake.on('Version', () => ({ version: '0.1.0', runtimeName: EVIL, runtimeVersion: EVIL, runtimeApiVersion: 'v1' }));
    fake.on('StopPodSandbox', () => {
      throw Object.assign(new Error(`refused: ${EVIL}\nsecond line`), { code: 9 });
    });
  });
  after(async () => {
    await fake.close();
  });

  test('tables, -v text, inspect tables and version text', async () => {
    for (const args of [
      ['ps'],
      ['ps', '-v'],
      ['pods'],
      ['pods', '-v'],
      ['inspect', '-o', 'table', 'a'.repeat(64)],
      ['version'],
    ]) {
      const r = await run(['-r', fake.endpoint, ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, RAW_CONTROL, args.join(' '));
      assert.ok(r.stdout.includes(SHOWN), `${args.join(' ')} shows the escaped text:\n${r.stdout}`);
    }
  });

  test('error lines from the runtime are one escaped line', async () => {
    const r = await run(['-r', fake.endpoint, 'stopp', 'b'.repeat(64)]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `crictl: stopping pod sandbox ${'b'.repeat(64)}: StopPodSandbox: FAILED_PRECONDITION: refused: ${SHOWN} second line\n`,
    );
  });
});

test('exec in several containers: headers and error lines escaped', async () => {
  const fake = await startFakeCri();
  try {
    const container = (c: string) => ({
      id: c.repeat(64),
      podSandboxId: 'b'.repeat(64),
      metadata: { name: `${EVIL}-${c}` },
      image: { image: 'busybox' },
      state: 'CONTAINER_RUNNING',
      createdAt: '1',
    });
    fake.on('ListContainers', () => ({ containers: [container('a'), container('c')] }));
    fake.on('ExecSync', () => {
      throw Object.assign(new Error(`refused: ${EVIL}`), { code: 9 });
    });
    const r = await run(['-r', fake.endpoint, 'exec', '-s', '--name', 'web', 'true']);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
    assert.ok(r.stdout.includes(`(${SHOWN}-a) <==`), r.stdout);
    assert.ok(r.stderr.includes(`ExecSync: FAILED_PRECONDITION: refused: ${SHOWN}\n`), r.stderr);
  } finally {
    await fake.close();
  }
});

describe('one line, never a stack trace', () => {
  let dir: string;
  before(() => {
    dir = tempDir('crictl-hardening-');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("durations beyond Go's range: --timeout and the config file", async () => {
    const flag = await run(['-r', `unix://${join(dir, 'none.sock')}`, '-t', '99999999999999999999', 'version']);
    assert.equal(flag.code, 1);
    assert.equal(
      flag.stderr,
      'crictl: invalid --timeout "99999999999999999999": out of range (at most 2562047h, about 292 years)\n',
    );
    const config = join(dir, 'crictl.yaml');
    writeFileSync(config, 'timeout: 999999999999999\n');
    const file = await run(['-r', `unix://${join(dir, 'none.sock')}`, '-c', config, 'version']);
    assert.equal(file.code, 1);
    assert.equal(
      file.stderr,
      `crictl: ${config}: timeout: 999999999999999 seconds is out of range (at most 9223372036, about 292 years)\n`,
    );
    // The longest Go duration itself is fine (and, like a day, waits on a runtime that never answers).
    const longest = await run(['-r', `unix://${join(dir, 'none.sock')}`, '-t', '2562047h', 'version']);
    assert.match(longest.stderr, /^crictl: connect unix:\/\/.*: no such file or directory/);
  });

  test("stats --seconds beyond a timer's range waits instead of firing at once; stop -t out of range", async () => {
    const fake = await startFakeCri();
    try {
      fake.on('ListContainerStats', () => ({ stats: [] }));
      fake.on('ListContainers', () => ({ containers: [] }));
      const { child, done } = startCli(['-r', fake.endpoint, 'stats', '--seconds', '2147484']);
      await sleep(2000);
      assert.equal(child.exitCode, null, 'still waiting for the second sample');
      child.kill('SIGINT');
      const waited = await done;
      assert.equal(waited.code, 130);
      assert.doesNotMatch(waited.stderr, /TimeoutOverflowWarning/);
      const huge = await run(['-r', fake.endpoint, 'stats', '--seconds', '99999999999']);
      assert.equal(
        huge.stderr,
        'crictl: --seconds "99999999999": out of range (at most 9223372036 seconds, about 292 years)\n',
      );
      fake.on('ListContainers', () => ({
        containers: [{ id: 'a'.repeat(64), state: 'CONTAINER_RUNNING', createdAt: '1' }],
      }));
      const stop = await run(['-r', fake.endpoint, 'stop', '-t', '99999999999999999999', 'a'.repeat(64)]);
      assert.equal(stop.code, 1);
      assert.equal(
        stop.stderr,
        'crictl: --timeout "99999999999999999999": out of range (at most 9223372036 seconds, about 292 years)\n',
      );
    } finally {
      await fake.close();
    }
  });

  test('a regular file or a directory as endpoint says what it is', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    const f = await run(['-r', `unix://${file}`, 'version']);
    assert.equal(f.stderr, `crictl: connect unix://${file}: is a regular file, not a socket\n`);
    const d = await run(['-r', `unix://${dir}`, 'version']);
    assert.equal(d.stderr, `crictl: connect unix://${dir}: is a directory, not a socket\n`);
  });

  test('an endpoint that accepts and closes at once: one clean line', async () => {
    for (const close of ['destroy', 'end'] as const) {
      const sock = join(dir, `${close}.sock`);
      const server = createServer((s) => (close === 'destroy' ? s.destroy() : s.end()));
      await new Promise<void>((r) => server.listen(sock, r));
      const r = await run(['-r', `unix://${sock}`, '-t', '5s', 'version']);
      server.close();
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `crictl: connect unix://${sock}: the endpoint closed the connection (not a CRI runtime, or it went away)\n`,
        close,
      );
    }
  });
});

describe('config --set on a root tool', () => {
  let dir: string;
  before(() => {
    dir = tempDir('crictl-config-write-');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes through a symlink, keeping the link, the mode and the owner', {
    skip: process.getuid?.() !== 0 && 'needs root to chown',
  }, async () => {
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'crictl.yaml');
    writeFileSync(real, '# mine\ntimeout: 3\n');
    chmodSync(real, 0o640);
    chownSync(real, 65534, 65534);
    const link = join(dir, 'link.yaml');
    symlinkSync('real/crictl.yaml', link);
    const r = await run(['-c', link, 'config', '--set', 'timeout=5']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.equal(readFileSync(real, 'utf8'), '# mine\ntimeout: 5\n');
    const st = statSync(real);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.deepEqual([st.uid, st.gid], [65534, 65534]);
    assert.deepEqual(readdirSync(join(dir, 'real')), ['crictl.yaml'], 'no temp or lock file left');
  });

  test('the temp file never follows a planted symlink', async () => {
    const config = join(dir, 'planted.yaml');
    writeFileSync(config, 'timeout: 3\n');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    // The name the old code used (this process writes, so its pid is known).
    symlinkSync(victim, `${config}.tmp-${process.pid}`);
    await updateConfigFile(config, [['timeout', 4]]);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(readFileSync(config, 'utf8'), 'timeout: 4\n');
  });

  test('a root-owned file for a non-root user: run as root or pick another file', {
    skip: process.getuid?.() !== 0 && 'needs root to switch user',
  }, () => {
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    chmodSync(dir, 0o755);
    chmodSync(etc, 0o755);
    const config = join(etc, 'crictl.yaml');
    writeFileSync(config, 'timeout: 3\n');
    chmodSync(config, 0o644);
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', CLI, 'config', '--set', 'timeout=4'],
      {
        encoding: 'utf8',
        env: { ...process.env, CRI_CONFIG_FILE: config },
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stderr,
      `crictl: ${config}: needs root to change; run as root, or write another file with -c FILE or CRI_CONFIG_FILE=FILE\n`,
    );
    assert.equal(readFileSync(config, 'utf8'), 'timeout: 3\n');
    assert.ok(!existsSync(`${config}.lock`));
  });
});
