// `npm run bench`: times crictl-ts commands on a private containerd populated with N pods and
// containers, side by side with a reference crictl (Go) when one is available, and prints
// ratios as a table and JSON. Timings are reported, never asserted.
//
//   node bench/run.mjs [--sizes 1000,5000] [--runs 5] [--log-mb 1024] [--bulk 100]
//   CRICTL_REF=/usr/local/bin/crictl node bench/run.mjs
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm run bench -- --streams`: the streaming throughput bench (bench/streams.mjs) instead.
if (process.argv.includes('--streams')) await import('./streams.mjs').then(() => process.exit(0));

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg('sizes', '1000,5000').split(',').map(Number);
const runs = Number(arg('runs', '5'));
const logMb = Number(arg('log-mb', '1024'));
const bulkN = Number(arg('bulk', '100'));
// The launcher users run (it starts from the V8 startup snapshot when it can).
const cli = join(root, 'dist', 'crictl');
const { connect } = await import(join(root, 'dist', 'lib', 'index.js'));

/** A reference crictl: CRICTL_REF, or a `crictl` on PATH that is not crictl-ts itself. */
function findReference() {
  const candidates = [
    process.env.CRICTL_REF,
    ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'crictl')),
  ].filter(Boolean);
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const v = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (v.status === 0 && !/crictl-ts/.test(v.stdout + v.stderr) && !/node/.test(c)) return c;
  }
  return undefined;
}
const reference = findReference();

/** One run: wall time and peak RSS (GNU time reports it). */
function runOnce(argv, env = process.env) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return { ms, rssMiB: Number(r.stderr.trim().split('\n').pop()) / 1024 };
}

/** Median/min/max wall time and peak RSS of each command over `n` rounds. The commands take
 *  turns within a round, so a slow spell of the machine hits them alike. */
function measureTogether(argvs, n = runs, env = process.env) {
  const samples = argvs.map(() => ({ times: [], rss: 0 }));
  for (let i = 0; i < n; i++) {
    argvs.forEach((argv, k) => {
      const { ms, rssMiB } = runOnce(argv, env);
      samples[k].times.push(ms);
      samples[k].rss = Math.max(samples[k].rss, rssMiB);
    });
  }
  return samples.map(({ times, rss }) => {
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], rssMiB: rss };
  });
}

const results = [];
/** A row; `target` is checked: "<= Nx crictl" on the ratio, "within N% of ROW" against an earlier
 *  row, and peak RSS at most twice crictl's wherever crictl ran (or "RSS <= Nx" when it says so).
 *  Given `node`'s row, the time over node's empty start is shown too. */
function row(name, ours, ref, target, node) {
  const ratio = ref ? ours.median / ref.median : undefined;
  const rssRatio = ref ? ours.rssMiB / ref.rssMiB : undefined;
  let met;
  const times = /^<= ([\d.]+)x crictl/.exec(target);
  const within = /^within (\d+)% of (.+)$/.exec(target);
  const base = within && results.find((r) => r.name === within[2]);
  if (base) met = ours.median <= base.ours.median * (1 + Number(within[1]) / 100);
  else if (times && ratio !== undefined) met = ratio <= Number(times[1]);
  const rssLimit = Number(/RSS <= ([\d.]+)x/.exec(target)?.[1] ?? 2);
  if (met !== undefined && rssRatio !== undefined) met &&= rssRatio <= rssLimit;
  results.push({
    name,
    ours,
    reference: ref,
    ratio,
    rssRatio,
    target,
    overNodeMs: node ? ours.median - node.median : undefined,
    met,
  });
}

/** `npm pack` of this checkout (its current dist/) installed with `npm install -g` into a temporary prefix. */
function installPacked() {
  const dir = mkdtempSync(join(tmpdir(), 'crictl-bench-pkg-'));
  // dist/ is this run's build already: no second one (prepack).
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [{ filename }] = JSON.parse(out);
  const prefix = join(dir, 'prefix');
  execFileSync(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, filename)],
    { stdio: 'ignore', env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  return { dir, bin: join(prefix, 'bin', 'crictl-ts') };
}

/** The start-up path a run took: its `DEBU start:` line. */
const debugStart = (argv) => spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' }).stderr.split('\n')[0];

/** Run at the end, however the bench ends. */
const cleanups = [];

const lab = mkdtempSync(join(tmpdir(), 'crictl-bench-'));
const up = execFileSync('bash', [join(root, 'scripts/runtime-lab.sh'), 'up', lab], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const labDown = () => execFileSync('bash', [join(root, 'scripts/runtime-lab.sh'), 'down', lab], { stdio: 'ignore' });
// Interrupted (ctrl-c, a kill), the bench must not leave its containerd, shims and pods behind.
for (const [signal, number] of Object.entries({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }))
  process.once(signal, () => {
    labDown();
    for (const clean of cleanups) clean();
    process.exit(128 + number);
  });
const endpoint = up.trim().split('\n').pop();
const cri = connect(endpoint, undefined, { timeoutMs: 120_000 });
for (let i = 0; i < 100; i++) {
  try {
    const s = await cri.runtime.status({});
    if (s.status?.conditions.some((c) => c.type === 'RuntimeReady' && c.status)) break;
  } catch {
    // not initialized yet
  }
  await new Promise((r) => setTimeout(r, 300));
}
const ours = (...a) => [cli, '-r', endpoint, '-t', '60s', ...a];
const theirs = (...a) => [reference, '-r', endpoint, '-t', '60s', ...a];
const both = (name, args, target) => {
  const [o, r] = measureTogether(reference ? [ours(...args), theirs(...args)] : [ours(...args)]);
  row(name, o, r, target);
};

try {
  // Start-up: node's own start and ours, taking turns, with more rounds (the differences are small).
  const startupRuns = Math.max(runs, 21);
  const startup = [[process.execPath, '-e', '0'], ours('version'), ours('ps')];
  if (reference) startup.push(theirs('version'), theirs('ps'));
  const [node, version, ps, refVersion, refPs] = measureTogether(startup, startupRuns);
  row('node -e 0', node, undefined, 'baseline');
  row('version (empty)', version, refVersion, '<= 2.0x crictl');
  row('ps (empty)', ps, refPs, '<= 2.0x crictl');
  // NODE_EXTRA_CA_CERTS makes every node start read a CA bundle (60 ms on these machines); the
  // launcher defers it, which node -e 0 cannot. The same comparison without it, for fairness:
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const bare = { ...process.env };
    delete bare.NODE_EXTRA_CA_CERTS;
    const [node2, version2, ps2] = measureTogether(startup.slice(0, 3), startupRuns, bare);
    row('node -e 0, no NODE_EXTRA_CA_CERTS', node2, undefined, 'baseline');
    row('version (empty), no NODE_EXTRA_CA_CERTS', version2, refVersion, '<= 2.0x crictl', node2);
    row('ps (empty), no NODE_EXTRA_CA_CERTS', ps2, refPs, '<= 2.0x crictl', node2);
  }

  // The package as users get it: packed (prepack builds), installed into a temporary prefix, run
  // once so that its code cache is built, then timed beside the in-tree launcher.
  const installed = installPacked();
  cleanups.push(() => rmSync(installed.dir, { recursive: true, force: true }));
  const installedRun = (...a) => [installed.bin, '-r', endpoint, '-t', '60s', ...a];
  for (let i = 0; i < 100 && !/, code cache \S+\.v8cache$/m.test(debugStart(installedRun('-D', 'version'))); i++)
    await new Promise((r) => setTimeout(r, 300));
  const [inTree, fromInstall] = measureTogether([ours('version'), installedRun('version')], startupRuns);
  row('version, in-tree launcher', inTree, undefined, 'baseline');
  row('version, installed copy', fromInstall, undefined, 'within 10% of version, in-tree launcher');

  /** Host network for bench pods: a CNI bridge's /24 runs out of addresses past 254 pods, and
   *  CNI setup is not what is timed. */
  const podConfig = (i) => ({
    metadata: { name: `bench-${i}`, namespace: 'bench', uid: `bench-${i}` },
    // Labels and annotations as the kubelet sets them, so lists carry what a node's do.
    labels: {
      app: 'bench',
      'io.kubernetes.pod.name': `bench-${i}`,
      'io.kubernetes.pod.namespace': 'bench',
      'io.kubernetes.pod.uid': `bench-${i}`,
    },
    annotations: {
      'kubernetes.io/config.seen': '2024-01-02T03:04:05.000000000Z',
      'kubernetes.io/config.source': 'api',
    },
    logDirectory: join(lab, 'logs'),
    linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
  });
  const containerConfig = (i, pod) => ({
    metadata: { name: `c-${i}` },
    image: { image: 'docker.io/library/busybox:1.33.1' },
    command: ['true'],
    labels: {
      'io.kubernetes.container.name': `c-${i}`,
      ...Object.fromEntries(Object.entries(pod.config.labels).filter(([k]) => k.startsWith('io.kubernetes.pod.'))),
    },
    annotations: {
      'io.kubernetes.container.hash': ((i * 2654435761) % 2 ** 32).toString(16),
      'io.kubernetes.container.restartCount': '0',
      'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
      'io.kubernetes.container.terminationMessagePolicy': 'File',
      'io.kubernetes.pod.terminationGracePeriod': '30',
    },
  });
  // What containerd can hold here: a running pod costs a shim and ~12 open files, and a created
  // (never started) container keeps 2 fifos open and 2 threads blocked in containerd, which gives
  // out near 4 900 of them in these VMs. So N pods up to N = 1 000 (100 above that), and past
  // the first 2 000 containers each is started too: it exits at once and holds nothing.
  const podsFor = (n) => (n > 1000 ? 100 : n);
  const createdOnly = 2000;
  const pods = [];
  let containers = 0;
  /** Runs `work(0..count-1)` 16 at a time. */
  const runWorkers = async (count, work) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) await work(next++);
      }),
    );
  };
  const clear = async () => {
    const { items } = await cri.runtime.listPodSandbox({});
    await runWorkers(items.length, async (k) => {
      await cri.runtime.stopPodSandbox({ podSandboxId: items[k].id });
      await cri.runtime.removePodSandbox({ podSandboxId: items[k].id });
    });
    pods.length = 0;
    containers = 0;
  };
  const populate = async (n) => {
    if (pods.length > podsFor(n)) await clear();
    const podsWanted = podsFor(n) - pods.length;
    await runWorkers(Math.max(podsWanted, 0), async () => {
      const config = podConfig(pods.length + Math.random().toString(36).slice(2, 8));
      const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
      pods.push({ id: podSandboxId, config });
    });
    const base = containers;
    await runWorkers(n - containers, async (k) => {
      const i = base + k;
      const pod = pods[i % pods.length];
      const { containerId } = await cri.runtime.createContainer({
        podSandboxId: pod.id,
        config: containerConfig(i, pod),
        sandboxConfig: pod.config,
      });
      if (i >= createdOnly) await cri.runtime.startContainer({ containerId });
    });
    containers = n;
  };
  for (const n of sizes) {
    process.stderr.write(`bench: populating ${podsFor(n)} pods, ${n} containers…\n`);
    await populate(n);
    // pods (at most 1 000) and images (two) are start-up bound: the issue's start-up target.
    const target = '<= 2.0x crictl';
    const psTarget = n >= 5000 ? '<= 1.0x crictl' : '<= 1.5x crictl';
    both(`ps -a (${n})`, ['ps', '-a'], psTarget);
    both(`ps -a -o json (${n})`, ['ps', '-a', '-o', 'json'], n >= 5000 ? `${psTarget}, RSS <= 1.5x` : psTarget);
    both(`pods (${podsFor(n)})`, ['pods'], target);
    both(`images (${n})`, ['images'], target);
  }

  // Past gRPC's 16 MiB message limit: 50 000 containers from the fake CRI server's
  // StreamContainers (containerd 1.6 has no Stream* rpcs; as one List reply this fails, in crictl
  // too). Target: it works, with peak RSS at most 4x that of `ps -a` over 5 000 containers.
  const ps5000 = results.find((r) => r.name === 'ps -a (5000)');
  if (ps5000) {
    const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fake-cri-lists.ts'), '50000'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const fakeEndpoint = await new Promise((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (d) => {
          text += d;
          if (text.includes('\n')) resolve(text.trim());
        });
        server.on('exit', (code) => reject(new Error(`fake CRI server exited (${code})`)));
      });
      const [big] = measureTogether([[cli, '-r', fakeEndpoint, '-t', '120s', 'ps', '-a']], Math.min(runs, 3));
      const rssVs5000 = big.rssMiB / ps5000.ours.rssMiB;
      results.push({
        name: 'ps -a (50000, fake server, Stream*)',
        ours: big,
        rssVs5000,
        target: 'works; RSS <= 4x ps -a (5000)',
        met: rssVs5000 <= 4,
      });
    } finally {
      server.stdin.end();
      server.kill();
    }
  }

  // A big log, tail 100 of it (CRI format lines).
  const logPath = join(lab, 'big.log');
  const fd = openSync(logPath, 'w');
  const line = `2024-01-02T03:04:05.000000000Z stdout F ${'x'.repeat(200)}\n`;
  const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
  for (let i = 0; i < logMb; i++) writeSync(fd, block);
  closeSync(fd);
  const { podSandboxId } = await cri.runtime.runPodSandbox({ config: { ...podConfig('log'), logDirectory: lab } });
  const { containerId } = await cri.runtime.createContainer({
    podSandboxId,
    config: {
      metadata: { name: 'log' },
      image: { image: 'docker.io/library/busybox:1.33.1' },
      command: ['true'],
      logPath: 'big.log',
    },
    sandboxConfig: { ...podConfig('log'), logDirectory: lab },
  });
  both(`logs --tail 100 (${logMb} MiB)`, ['logs', '--tail', '100', containerId], '<= 1.0x crictl, flat memory');

  // Bulk removal: one run each (it is destructive), ours then the reference on a fresh set.
  const bulk = async (name, argsFor) => {
    const fresh = async () => {
      await clear();
      await populate(bulkN);
    };
    await fresh();
    // One run each: removal is destructive.
    const [o] = measureTogether([ours(...argsFor)], 1);
    let r;
    if (reference) {
      await fresh();
      [r] = measureTogether([theirs(...argsFor)], 1);
    }
    row(name, o, r, 'none (retired: containerd serialises removal)');
  };
  await bulk(`rmp -a -f (${bulkN} pods)`, ['rmp', '-a', '-f']);
  await bulk(`rm -a -f (${bulkN} containers)`, ['rm', '-a', '-f']);
} finally {
  cri.close();
  labDown();
  for (const clean of cleanups) clean();
}

const fmt = (m) =>
  m ? `${m.median.toFixed(0)} (${m.min.toFixed(0)}–${m.max.toFixed(0)}) ms, ${m.rssMiB.toFixed(0)} MiB` : '—';
const verdict = (r) => (r.met === undefined ? '—' : r.met ? 'met' : 'NOT met');
console.log(`\nreference: ${reference ?? 'reference not found (set CRICTL_REF to a crictl binary)'}`);
console.log('| command | crictl-ts: median (min–max), peak RSS | crictl | time ratio | RSS ratio | target | |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const ratio =
    r.overNodeMs !== undefined
      ? `node + ${r.overNodeMs.toFixed(0)} ms${r.ratio ? `; ${r.ratio.toFixed(2)}x` : ''}`
      : r.ratio
        ? `${r.ratio.toFixed(2)}x`
        : '—';
  console.log(
    `| ${r.name} | ${fmt(r.ours)} | ${fmt(r.reference)} | ${ratio} | ${r.rssRatio ? `${r.rssRatio.toFixed(2)}x` : r.rssVs5000 ? `${r.rssVs5000.toFixed(2)}x ps -a (5000)` : '—'} | ${r.target} | ${verdict(r)} |`,
  );
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'latest.json'),
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, sizes, runs, reference: reference ?? null, results },
    null,
    2,
  ),
);
console.log('\nbench: wrote bench/results/latest.json');
