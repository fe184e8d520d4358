// Streaming throughput: exec and port-forward moving 256 MiB, crictl-ts side by side with a
// reference crictl (Go), commands taking turns; plus the peak RSS of each while its reader stalls.
// Timings are reported, never asserted.
//
//   node bench/streams.mjs [--runs 5] [--mib 256] [--endpoint unix:///tmp/lab/containerd.sock]
//   npm run bench -- --streams          (the same, from bench/run.mjs)
// Without --endpoint it brings up a private lab of its own and takes it down afterwards.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('runs', '5'));
const bytes = Number(arg('mib', '256')) * 1024 * 1024;
const cli = join(root, 'dist', 'crictl');
const { connect } = await import(join(root, 'dist', 'lib', 'index.js'));

const reference = [process.env.CRICTL_REF, '/opt/cri-ref/crictl'].find((c) => c && existsSync(c));
const env = process.env;

/** Peak RSS so far of a running process, in MiB (VmHWM), or 0 once it is gone. */
function peakRssMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `argv` with stdin from `stdinFile` (or nothing), counting (and dropping) its stdout.
 *  Wall time from spawn to exit; peak RSS as GNU time reports it. */
function runCounting(argv, { stdinFile, stallMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    const start = process.hrtime.bigint();
    const p = spawn('/usr/bin/time', ['-f', '%M', ...argv], { stdio: [stdin, 'pipe', 'pipe'], env });
    if (typeof stdin === 'number') closeSync(stdin);
    let received = 0;
    let out = '';
    let err = '';
    let stalledRss = 0;
    if (stallMs > 0) {
      // A reader that sleeps: nothing is read until the stall ends (the pipe fills, then ours).
      p.stdout.pause();
      setTimeout(() => {
        stalledRss = treeRssMiB(p.pid);
        p.stdout.resume();
      }, stallMs);
    }
    p.stdout.on('data', (d) => {
      received += d.length;
      if (out.length < 100) out += d.toString('latin1');
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} failed (${code}): ${err.slice(-500)}`));
      resolve({ ms, rssMiB: Number(err.trim().split('\n').pop()) / 1024, received, out, stalledRss });
    });
  });
}

/** The current RSS of the process under /usr/bin/time `pid` (its only child), in MiB. */
function treeRssMiB(pid) {
  try {
    const child = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One port-forward run: start the forwarder on a free local port, connect once it listens, read
 * until the pod's server closes. Wall time from spawn to the last byte; peak RSS from /proc just
 * before the forwarder is interrupted.
 */
async function runPortForward(argvFor) {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const p = spawn(argvFor(port)[0], argvFor(port).slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  p.stdout.on('data', (d) => (log += d));
  p.stderr.on('data', (d) => (log += d));
  const exited = new Promise((r) => p.on('close', r));
  try {
    for (let i = 0; !/Forwarding from 127\.0\.0\.1/.test(log); i++) {
      if (i > 2000 || p.exitCode !== null) throw new Error(`port-forward did not listen: ${log}`);
      await sleep(2);
    }
    const received = await new Promise((resolve, reject) => {
      const socket = tcpConnect(port, '127.0.0.1');
      let n = 0;
      socket.on('data', (d) => (n += d.length));
      socket.on('end', () => resolve(n));
      socket.on('error', reject);
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const rssMiB = peakRssMiB(p.pid);
    if (received !== bytes) throw new Error(`port-forward: received ${received} of ${bytes} bytes: ${log}`);
    return { ms, rssMiB, received };
  } finally {
    p.kill('SIGINT');
    await Promise.race([exited, sleep(3000)]);
    p.kill('SIGKILL');
  }
}

/** Median/min/max over `runs` rounds of each job, the jobs taking turns within a round. */
async function measureTogether(jobs) {
  const samples = jobs.map(() => ({ times: [], rss: 0, stalled: 0 }));
  for (let i = 0; i < runs; i++) {
    for (const [k, job] of jobs.entries()) {
      const r = await job();
      samples[k].times.push(r.ms);
      samples[k].rss = Math.max(samples[k].rss, r.rssMiB);
      samples[k].stalled = Math.max(samples[k].stalled, r.stalledRss ?? 0);
    }
  }
  return samples.map(({ times, rss, stalled }) => {
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    return { median, min: times[0], max: times[times.length - 1], rssMiB: rss, stalledMiB: stalled };
  });
}

const results = [];
function row(name, ours, ref, target) {
  const ratio = ref ? ours.median / ref.median : undefined;
  const rssRatio = ref ? ours.rssMiB / ref.rssMiB : undefined;
  let met;
  const times = /^<= ([\d.]+)x crictl/.exec(target);
  if (times && ratio !== undefined) met = ratio <= Number(times[1]);
  const rss = /<= ([\d.]+)x RSS/.exec(target);
  if (rss && rssRatio !== undefined) met = (met ?? true) && rssRatio <= Number(rss[1]);
  results.push({ name, ours, reference: ref, ratio, rssRatio, target, met });
  process.stderr.write(`bench: ${name}: ${fmt(ours)} vs ${fmt(ref)}\n`);
}

const fmt = (m) =>
  m ? `${m.median.toFixed(0)} (${m.min.toFixed(0)}–${m.max.toFixed(0)}) ms, ${m.rssMiB.toFixed(0)} MiB` : '—';

const ownLab = arg('endpoint', undefined) === undefined;
const lab = ownLab ? mkdtempSync(join(tmpdir(), 'crictl-bench-streams-')) : undefined;
const endpoint = ownLab
  ? execFileSync('bash', [join(root, 'scripts/runtime-lab.sh'), 'up', lab], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop()
  : arg('endpoint');
const cri = connect(endpoint, undefined, { timeoutMs: 120_000 });
const work = mkdtempSync(join(tmpdir(), 'crictl-bench-streams-work-'));
let podSandboxId;
try {
  for (let i = 0; i < 100; i++) {
    try {
      const s = await cri.runtime.status({});
      if (s.status?.conditions.some((c) => c.type === 'RuntimeReady' && c.status)) break;
    } catch {
      // not initialized yet
    }
    await sleep(300);
  }
  const podConfig = {
    metadata: { name: `bench-streams-${process.pid}`, namespace: 'bench', uid: `bench-streams-${process.pid}` },
    logDirectory: work,
  };
  ({ podSandboxId } = await cri.runtime.runPodSandbox({ config: podConfig }));
  const container = async (name, command) => {
    const { containerId } = await cri.runtime.createContainer({
      podSandboxId,
      config: {
        metadata: { name },
        image: { image: 'docker.io/library/busybox:1.33.1' },
        command,
        logPath: `${name}.log`,
      },
      sandboxConfig: podConfig,
    });
    await cri.runtime.startContainer({ containerId });
    return containerId;
  };
  const shell = await container('shell', ['sleep', '86400']);
  // A server in the pod's network namespace that sends `bytes` zeros to every connection.
  await container('zeros', [
    'sh',
    '-c',
    `printf '#!/bin/sh\\nexec head -c ${bytes} /dev/zero\\n' > /zeros && chmod +x /zeros && exec nc -ll -p 8080 -e /zeros`,
  ]);
  await sleep(500); // let nc bind

  const ours = (...a) => [cli, '-r', endpoint, '-t', '60s', ...a];
  const theirs = (...a) => [reference, '-r', endpoint, '-t', '60s', ...a];
  const produce = ['head', '-c', String(bytes), '/dev/zero'];
  const checkAll = (r) => {
    if (r.received !== bytes) throw new Error(`received ${r.received} of ${bytes} bytes`);
    return r;
  };
  const pair = async (name, argsOurs, argsTheirs, target, run) => {
    const jobs = [() => run(ours(...argsOurs))];
    if (reference && argsTheirs) jobs.push(() => run(theirs(...argsTheirs)));
    const [o, r] = await measureTogether(jobs);
    row(name, o, r, target);
    return [o, r];
  };
  const mib = bytes / (1024 * 1024);

  await pair(
    `exec, ${mib} MiB to stdout (SPDY)`,
    ['exec', shell, ...produce],
    ['exec', shell, ...produce],
    '<= 1.0x crictl, <= 2x RSS',
    async (argv) => checkAll(await runCounting(argv)),
  );
  await pair(
    `exec, ${mib} MiB to stdout (WebSocket)`,
    ['exec', '--transport', 'websocket', shell, ...produce],
    undefined,
    'reported (crictl 1.26 has no WebSocket)',
    async (argv) => checkAll(await runCounting(argv)),
  );
  // Input: a sparse file reads as zeros at memory speed; `wc -c` in the container counts them.
  const input = join(work, 'input');
  writeFileSync(input, '');
  execFileSync('truncate', ['-s', String(bytes), input]);
  await pair(
    `exec -i, ${mib} MiB from stdin (SPDY)`,
    ['exec', '-i', shell, 'wc', '-c'],
    ['exec', '-i', shell, 'wc', '-c'],
    '<= 1.0x crictl',
    async (argv) => {
      const r = await runCounting(argv, { stdinFile: input });
      if (Number(r.out.trim()) !== bytes) throw new Error(`wc -c in the container counted ${r.out.trim()}`);
      return r;
    },
  );
  await pair(
    `port-forward, ${mib} MiB from the pod (SPDY)`,
    ['port-forward', podSandboxId],
    ['port-forward', podSandboxId],
    '<= 1.0x crictl',
    (argv) => runPortForward((port) => [...argv, `${port}:8080`]),
  );
  await pair(
    `port-forward, ${mib} MiB from the pod (WebSocket)`,
    ['port-forward', '--transport', 'websocket', podSandboxId],
    undefined,
    'reported',
    (argv) => runPortForward((port) => [...argv, `${port}:8080`]),
  );
  // A reader that stalls for 5 s before reading anything: RSS at the end of the stall.
  const stallMs = 5000;
  const [so, sr] = await pair(
    `exec, ${mib} MiB into a reader stalled ${stallMs / 1000} s (SPDY)`,
    ['exec', shell, ...produce],
    ['exec', shell, ...produce],
    'stalled RSS flat',
    async (argv) => checkAll(await runCounting(argv, { stallMs })),
  );
  results.at(-1).stalled = { ours: so.stalledMiB, reference: sr?.stalledMiB };
} finally {
  if (podSandboxId) {
    await cri.runtime.stopPodSandbox({ podSandboxId }).catch(() => undefined);
    await cri.runtime.removePodSandbox({ podSandboxId }).catch(() => undefined);
  }
  cri.close();
  rmSync(work, { recursive: true, force: true });
  if (ownLab) execFileSync('bash', [join(root, 'scripts/runtime-lab.sh'), 'down', lab], { stdio: 'ignore' });
}

const verdict = (r) => (r.met === undefined ? '—' : r.met ? 'met' : 'NOT met');
console.log(`\nreference: ${reference ?? 'none (set CRICTL_REF to a crictl binary)'}; ${runs} runs each, taking turns`);
console.log('| command | crictl-ts: median (min–max), peak RSS | crictl | time ratio | RSS ratio | target | |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const stalled = r.stalled
    ? ` (RSS at end of stall: ${r.stalled.ours.toFixed(0)} MiB${r.stalled.reference ? ` vs ${r.stalled.reference.toFixed(0)} MiB` : ''})`
    : '';
  console.log(
    `| ${r.name} | ${fmt(r.ours)} | ${fmt(r.reference)} | ${r.ratio ? `${r.ratio.toFixed(2)}x` : '—'} | ${r.rssRatio ? `${r.rssRatio.toFixed(2)}x` : '—'} | ${r.target}${stalled} | ${verdict(r)} |`,
  );
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'streams.json'),
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, runs, bytes, reference: reference ?? null, results },
    null,
    2,
  ),
);
console.log('\nbench: wrote bench/results/streams.json');
