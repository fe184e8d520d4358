// `npm run bench`: times crictl-ts commands on a private containerd populated with N pods and
// containers, side by side with a reference crictl (Go) when one is available, and prints
// ratios as a table and JSON. Timings are reported, never asserted.
//
//   node bench/run.mjs [--sizes 1000,5000] [--runs 5] [--log-mb 1024]
//   CRICTL_REF=/usr/local/bin/crictl node bench/run.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg('sizes', '1000,5000').split(',').map(Number);
const runs = Number(arg('runs', '5'));
const logMb = Number(arg('log-mb', '1024'));
const bulkN = Number(arg('bulk', '100'));
const cli = join(root, 'dist', 'crictl.js');
const { connect } = await import(join(root, 'dist', 'lib', 'index.js'));

/** A reference crictl: CRICTL_REF, or a `crictl` on PATH that is not crictl-ts itself. */
function findReference() {
  const candidates = [process.env.CRICTL_REF, ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'crictl'))].filter(Boolean);
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const v = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (v.status === 0 && !/crictl-ts/.test(v.stdout + v.stderr) && !/node/.test(c)) return c;
  }
  return undefined;
}
const reference = findReference();

/** Median/min/max wall time and peak RSS of a command over `runs` runs (GNU time gives RSS). */
function measure(argv) {
  const times = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.slice(-500)}`);
    rss = Math.max(rss, Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], rssMiB: rss };
}

const results = [];
function row(name, ours, ref, target) {
  const ratio = ref ? ours.median / ref.median : undefined;
  results.push({ name, ours, reference: ref, ratio, target });
}

const lab = mkdtempSync(join(tmpdir(), 'crictl-bench-'));
const up = execFileSync('bash', [join(root, 'scripts/runtime-lab.sh'), 'up', lab], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
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
const ours = (...a) => [process.execPath, cli, '-r', endpoint, '-t', '60s', ...a];
const theirs = (...a) => [reference, '-r', endpoint, '-t', '60s', ...a];
const both = (name, args, target) => row(name, measure(ours(...args)), reference ? measure(theirs(...args)) : undefined, target);

try {
  const node = measure([process.execPath, '-e', '0']);
  row('node -e 0', node, undefined, 'baseline');
  both('version (empty)', ['version'], '<= node + 40 ms');
  both('ps (empty)', ['ps'], '<= node + 40 ms');

  /** Creates pods with one container each, created but not started, in parallel. */
  const podConfig = (i) => ({ metadata: { name: `bench-${i}`, namespace: 'bench', uid: `bench-${i}` }, logDirectory: join(lab, 'logs'), linux: {} });
  let have = 0;
  const populate = async (n) => {
    let next = have;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const config = podConfig(i);
        const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
        await cri.runtime.createContainer({ podSandboxId, config: { metadata: { name: `c-${i}` }, image: { image: 'docker.io/library/busybox:1.33.1' }, command: ['true'] }, sandboxConfig: config });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    have = n;
  };
  for (const n of sizes) {
    process.stderr.write(`bench: populating ${n} pods/containers…\n`);
    await populate(n);
    const target = n >= 5000 ? '<= 1.0x crictl' : '<= 2.0x crictl';
    both(`ps -a (${n})`, ['ps', '-a'], target);
    both(`ps -a -o json (${n})`, ['ps', '-a', '-o', 'json'], target);
    both(`pods (${n})`, ['pods'], target);
    both(`images (${n})`, ['images'], target);
  }

  // A big log, tail 100 of it (CRI format lines).
  const logPath = join(lab, 'big.log');
  const fd = openSync(logPath, 'w');
  const line = `2024-01-02T03:04:05.000000000Z stdout F ${'x'.repeat(200)}\n`;
  const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
  for (let i = 0; i < logMb; i++) writeSync(fd, block);
  closeSync(fd);
  const { podSandboxId } = await cri.runtime.runPodSandbox({ config: { ...podConfig('log'), logDirectory: lab } });
  const { containerId } = await cri.runtime.createContainer({ podSandboxId, config: { metadata: { name: 'log' }, image: { image: 'docker.io/library/busybox:1.33.1' }, command: ['true'], logPath: 'big.log' }, sandboxConfig: { ...podConfig('log'), logDirectory: lab } });
  both(`logs --tail 100 (${logMb} MiB)`, ['logs', '--tail', '100', containerId], '<= 1.0x crictl, flat memory');

  // Bulk removal: one run each (it is destructive), ours then the reference on a fresh set.
  const bulk = async (name, argsFor, make) => {
    await make();
    const o = measureOnce(ours(...argsFor));
    let r;
    if (reference) {
      await make();
      r = measureOnce(theirs(...argsFor));
    }
    row(name, o, r, '<= 0.5x crictl');
  };
  const measureOnce = (argv) => {
    const start = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { median: ms, min: ms, max: ms, rssMiB: Number(r.stderr.trim().split('\n').pop()) / 1024 };
  };
  const clear = async () => {
    const { items } = await cri.runtime.listPodSandbox({});
    for (const p of items) {
      await cri.runtime.stopPodSandbox({ podSandboxId: p.id });
      await cri.runtime.removePodSandbox({ podSandboxId: p.id });
    }
    have = 0;
  };
  await clear();
  await bulk(`rmp -a -f (${bulkN} pods)`, ['rmp', '-a', '-f'], async () => populate(bulkN));
  await clear();
  await bulk(`rm -a -f (${bulkN} containers)`, ['rm', '-a', '-f'], async () => populate(bulkN));
} finally {
  cri.close();
  execFileSync('bash', [join(root, 'scripts/runtime-lab.sh'), 'down', lab], { stdio: 'ignore' });
}

const fmt = (m) => (m ? `${m.median.toFixed(0)} (${m.min.toFixed(0)}–${m.max.toFixed(0)}) ms, ${m.rssMiB.toFixed(0)} MiB` : '—');
console.log(`\nreference: ${reference ?? 'reference not found (set CRICTL_REF to a crictl binary)'}`);
console.log('| command | crictl-ts | crictl | ratio | target |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results) console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.reference)} | ${r.ratio ? `${r.ratio.toFixed(2)}x` : '—'} | ${r.target} |`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), sizes, runs, reference: reference ?? null, results }, null, 2));
console.log('\nbench: wrote bench/results/latest.json');
