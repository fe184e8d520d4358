// Builds dist/crictl.blob, the V8 startup snapshot that dist/crictl starts from, with the node
// running this script, and writes dist/crictl.blob.node: which node binary that is (only it can
// load the blob), with that binary's modification time given to the file so that src/crictl.sh
// can tell a node replaced in place, and the V8 flags to run it with. Run by the build, and by
// hand after installing the package under another node (it runs no install scripts). It does
// nothing where dist/snapshot.cjs is missing, and a failure only costs start-up time, so it warns
// instead of failing the build.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const entry = join(dist, 'snapshot.cjs');
const blob = join(dist, 'crictl.blob');
const identity = join(dist, 'crictl.blob.node');

// V8 flags the snapshot is built and run with (they must match; the launcher reads them back).
// A 2 MiB young generation to start with (V8 grows it when needed). Larger ones save a few
// scavenges but every page they touch stays resident: at 16 MiB, `ps -a` over 5 000 containers
// peaks 17 MiB higher for ~5% less time.
const V8_FLAGS = ['--min-semi-space-size=2'];

if (existsSync(entry)) {
  rmSync(identity, { force: true });
  const r = spawnSync(process.execPath, [...V8_FLAGS, '--snapshot-blob', blob, '--build-snapshot', entry], { encoding: 'utf8' });
  // Node warns about every built-in module it has not certified for snapshots; those are known.
  const errors = r.stderr
    .split('\n')
    .filter((l) => l && !/not yet fully verified|may still work|out-of-sync after snapshot|To request support|--trace-warnings/.test(l));
  if (r.status !== 0 || !existsSync(blob)) {
    rmSync(blob, { force: true });
    console.warn(`crictl-ts: no startup snapshot (start-up will be slower): ${errors.slice(0, 5).join(' ') || `exit ${r.status}`}`);
  } else {
    const node = realpathSync(process.execPath);
    writeFileSync(identity, `${node}\n${V8_FLAGS.join(' ')}\n`);
    const { atime, mtime } = statSync(node);
    utimesSync(identity, atime, mtime);
  }
}
