// Signals and closed pipes against the fake CRI server: SIGTERM/SIGHUP are handled like SIGINT
// (143/129), a second signal exits at once, a closed stdout does not cut destructive work short,
// and SIGUSR1 never opens node's inspector.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import { spdySwitch, startFakeStreaming } from '../fake-streaming.js';
import { startCli } from './child.js';
import { waitFor } from '../wait.js';

/** Polled often: some tests time what follows. */
const until = (cond: () => boolean, what: string) => waitFor(cond, what, 30_000, 20);

const start = (args: string[], env: NodeJS.ProcessEnv = {}) => startCli(args, { env });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ids = Array.from({ length: 20 }, (_, i) => String(i).padStart(64, 'd'));

/** TCP ports the process listens on (its own sockets only, from /proc). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address state ... inode: state 0A is LISTEN
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

describe('signals and pipes', () => {
  let fake: FakeCri;
  let removed: string[] = [];
  before(async () => {
    fake = await startFakeCri();
    fake.on('ListContainers', () => ({
      containers: ids.map((id) => ({ id, state: 'CONTAINER_EXITED', createdAt: '1' })),
    }));
    // rm reads each container's status first (for its log path).
    fake.on('ContainerStatus', (req) => ({
      status: { id: req.containerId, state: 'CONTAINER_EXITED', createdAt: '1', logPath: '' },
    }));
  });
  after(async () => {
    await fake.close();
  });

  const slowRemove = (ms: number) => {
    removed = [];
    fake.on('RemoveContainer', async (req) => {
      await sleep(ms);
      removed.push(String(req.containerId));
      return {};
    });
  };

  test('SIGTERM and SIGHUP stop bulk work like SIGINT, exiting 143 and 129', async () => {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      slowRemove(1000);
      const { child, done } = start(['-r', fake.endpoint, 'rm', '-a']);
      await until(() => fake.calls.filter((c) => c === 'RemoveContainer').length >= 8, 'eight removals in flight');
      fake.calls.length = 0;
      child.kill(signal);
      const r = await done;
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout.split('\n').filter(Boolean).length, 8, 'the calls in flight were finished and reported');
      assert.equal(r.stderr, 'crictl: interrupted: 8 done, 0 failed, 12 not attempted of 20\n');
    }
  });

  test('any command: SIGINT, SIGTERM and SIGHUP end it promptly with 130, 143 and 129', async () => {
    fake.on('Version', () => new Promise(() => undefined));
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      fake.calls.length = 0;
      const { child, done } = start(['-r', fake.endpoint, '-t', '0', 'version']);
      await until(() => fake.calls.includes('Version'), 'the Version call');
      child.kill(signal);
      const r = await done;
      assert.deepEqual([r.code, r.signal], [code, null], `${signal}: ${r.stderr}`);
      assert.ok(r.ms < 10_000, `${signal} took ${r.ms} ms`);
    }
  });

  test('a second signal ends bulk work at once and says how far it got', async () => {
    slowRemove(30_000);
    const { child, done } = start(['-r', fake.endpoint, 'rm', '-a']);
    await until(() => fake.calls.filter((c) => c === 'RemoveContainer').length >= 8, 'eight removals in flight');
    fake.calls.length = 0;
    child.kill('SIGINT');
    await sleep(500);
    const sent = Date.now();
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.ok(Date.now() - sent < 3000, `took ${Date.now() - sent} ms after the second signal`);
    assert.equal(
      r.stderr,
      'crictl: interrupted again, exiting at once: 0 done, 0 failed, 8 still in flight, 12 not attempted of 20\n',
    );
  });

  test('a closed stdout does not cut rm, stop or rmp short: the work finishes and stderr says so', async () => {
    fake.on('StopContainer', async () => {
      await sleep(150);
      return {};
    });
    fake.on('ListPodSandbox', () => ({
      items: ids.slice(0, 16).map((id) => ({ id, state: 'SANDBOX_NOTREADY', createdAt: '1' })),
    }));
    fake.on('PodSandboxStatus', (req) => ({
      status: { id: req.podSandboxId, state: 'SANDBOX_NOTREADY', createdAt: '1' },
    }));
    let podsRemoved = 0;
    fake.on('RemovePodSandbox', async () => {
      await sleep(150);
      podsRemoved++;
      return {};
    });
    const sixteen = ids.slice(0, 16);
    // (The fake reports every container as running: rm needs -f, as in `crictl rm -f ID…`.)
    for (const [command, rpc] of [
      ['rm', 'RemoveContainer'],
      ['stop', 'StopContainer'],
      ['rmp', 'RemovePodSandbox'],
    ] as const) {
      slowRemove(150);
      podsRemoved = 0;
      fake.calls.length = 0;
      // `crictl rm ID… | head -1`: the reader goes away after the first line.
      const { child, done } = start(['-r', fake.endpoint, command, ...(command === 'rm' ? ['-f'] : []), ...sixteen]);
      child.stdout!.once('data', () => child.stdout!.destroy());
      const r = await done;
      assert.equal(r.code, 0, `${command}: ${r.stderr}`);
      assert.equal(fake.calls.filter((c) => c === rpc).length, 16, `${command}: every item was worked on`);
      if (command === 'rm') assert.equal(removed.length, 16);
      if (command === 'rmp') assert.equal(podsRemoved, 16);
      assert.equal(
        r.stderr,
        'crictl: output closed early; the work went on: 16 done, 0 failed, 0 not attempted of 16\n',
        command,
      );
    }
  });

  test('a closed stdout still ends a listing quietly', async () => {
    const { child, done } = start(['-r', fake.endpoint, 'ps', '-a', '-q']);
    child.stdout!.destroy();
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  for (const [how, env] of [
    ['the startup snapshot', {}],
    ['the plain bundle', { CRICTL_TS_NO_SNAPSHOT: '1' }],
  ] as const) {
    test(`SIGUSR1 opens no inspector (${how}); the command keeps running`, async () => {
      fake.onStream('GetContainerEvents', [], { hang: true });
      fake.calls.length = 0;
      const { child, done } = start(['-r', fake.endpoint, 'events'], env);
      let ports: number[];
      try {
        await until(() => fake.calls.includes('GetContainerEvents'), 'the event stream');
        child.kill('SIGUSR1');
        await sleep(1000);
        assert.equal(child.exitCode, null, 'still running');
        ports = listeningPorts(child.pid!);
      } finally {
        child.kill('SIGINT');
      }
      const r = await done;
      assert.deepEqual(ports, []);
      assert.equal(r.code, 130, r.stderr);
      // Nor did it try (9229 may be taken by something else on this machine).
      assert.doesNotMatch(r.stderr, /Debugger listening|inspector/i);
    });
  }
});

describe('long-running commands stopped by a signal exit with its code', () => {
  const POD = 'f'.repeat(64);
  const CONTAINER = 'e'.repeat(64);
  const SIGNALS = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const;
  let fake: FakeCri;
  before(async () => {
    fake = await startFakeCri();
    fake.onStream('GetContainerEvents', [], { hang: true });
    fake.on('ListContainers', () => ({
      containers: [{ id: CONTAINER, podSandboxId: POD, state: 'CONTAINER_RUNNING', createdAt: '1' }],
    }));
    fake.on('ContainerStatus', () => ({ status: { id: CONTAINER, state: 'CONTAINER_RUNNING', createdAt: '1' } }));
    fake.on('ListContainerStats', () => ({ stats: [] }));
    fake.on('PullImage', () => new Promise(() => undefined));
    fake.on('ListPodSandbox', () => ({ items: [{ id: POD, state: 'SANDBOX_READY', createdAt: '1' }] }));
  });
  after(async () => {
    await fake.close();
  });

  /** Starts `args`, waits for `rpc` to be called, sends each signal in turn: each exits with its code. */
  async function eachSignal(args: string[], rpc: string) {
    for (const [signal, code] of SIGNALS) {
      fake.calls.length = 0;
      const { child, done } = start(['-r', fake.endpoint, ...args]);
      await until(() => fake.calls.includes(rpc), `${args[0]}'s ${rpc}`);
      child.kill(signal);
      const r = await done;
      assert.deepEqual([r.code, r.signal], [code, null], `${args.join(' ')}, ${signal}: ${r.stderr}`);
      assert.ok(r.ms < 15_000, `${signal} took ${r.ms} ms`);
    }
  }

  test('events (crictl exits 0)', () => eachSignal(['events'], 'GetContainerEvents'));
  test('stats --watch', () => eachSignal(['stats', '--watch'], 'ListContainerStats'));
  test('pull', () => eachSignal(['pull', 'busybox'], 'PullImage'));
  test('port-forward, exec and attach (streaming, no terminal)', async () => {
    const streaming = await startFakeStreaming();
    try {
      // Upgrades, then says nothing: the command waits for the other side until stopped.
      streaming.onUpgrade((req, socket) =>
        spdySwitch(socket, req.url?.startsWith('/portforward/') ? 'portforward.k8s.io' : 'v4.channel.k8s.io'),
      );
      fake.on('PortForward', () => ({ url: streaming.url('/portforward/token') }));
      fake.on('Exec', () => ({ url: streaming.url('/exec/token') }));
      fake.on('Attach', () => ({ url: streaming.url('/attach/token') }));
      await eachSignal(['port-forward', POD, ':80'], 'PortForward');
      await eachSignal(['exec', CONTAINER, 'sh'], 'Exec');
      await eachSignal(['attach', CONTAINER], 'Attach');
    } finally {
      await streaming.close();
    }
  });
});
