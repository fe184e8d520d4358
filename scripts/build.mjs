// Build: generate schema code, bundle the CLI (one CommonJS file, which the loader compiles with a
// per-machine V8 code cache), the loader, the launcher, the library, and emit type declarations.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

// `npm pack` builds too (prepack), and needs the dev dependencies for it.
const { build } = await import('esbuild').catch(() => {
  console.error('build: esbuild is not installed; run `npm ci` first');
  process.exit(1);
});

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, ['scripts/gen-schema.mjs']);
// containerd's own API (load, save, tag, pull progress), generated the same way.
run(process.execPath, ['scripts/gen-containerd-schema.mjs']);

// grpc-js requires @grpc/proto-loader (and with it protobufjs's .proto parser) only to serve
// channelz and ORCA, server features a CRI client never uses: leave ~120 kB out of the bundles.
const noProtoLoader = {
  name: 'no-proto-loader',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({ path: 'proto-loader', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      loader: 'js',
      contents:
        "module.exports = { loadSync() { throw new Error('@grpc/proto-loader is not bundled with crictl-ts'); } };",
    }));
  },
};

const cjs = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};
// The CLI as one CommonJS file: vm.Script can compile it with a code cache (an ES module cannot
// take one on node 20). Modules reached only through import() still load lazily.
const cliBuild = await build({
  ...cjs,
  metafile: true,
  entryPoints: [join(root, 'src/bin.ts')],
  outfile: join(root, 'dist/cli.cjs'),
  plugins: [noProtoLoader],
});
// The loader reads the bundle as latin1 (faster than UTF-8 decoding): it must be ASCII. esbuild
// escapes strings, but not regular expression literals: write those with \u escapes.
const cliBytes = readFileSync(join(root, 'dist/cli.cjs'));
const nonAscii = cliBytes.findIndex((b) => b > 0x7f);
if (nonAscii >= 0) {
  console.error(
    `build: dist/cli.cjs has a non-ASCII byte near: ${cliBytes.subarray(Math.max(0, nonAscii - 60), nonAscii + 10)}`,
  );
  process.exit(1);
}
// The loader, told which bundle it belongs to: a code cache is only used for the bundle it was made from.
const buildId = createHash('sha256').update(cliBytes).digest('hex').slice(0, 16);
await build({
  ...cjs,
  entryPoints: [join(root, 'src/startup/loader.ts')],
  outfile: join(root, 'dist/crictl.cjs'),
  define: { __CRICTL_BUILD_ID__: JSON.stringify(buildId) },
});
// `node dist/crictl.js` keeps working (scripts run it).
writeFileSync(
  join(root, 'dist/crictl.js'),
  "#!/usr/bin/env node\nimport { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('./crictl.cjs');\n",
  { mode: 0o755 },
);
copyFileSync(join(root, 'src/crictl.sh'), join(root, 'dist/crictl'));
chmodSync(join(root, 'dist/crictl'), 0o755);

// The library leaves its dependencies to the user's node_modules, except @grpc/grpc-js: bundled
// (as in the CLI), it is a build-time dependency, so an install does not pull in
// @grpc/proto-loader and its yargs, lodash and second protobufjs for features never used.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const libBuild = await build({
  metafile: true,
  entryPoints: { index: join(root, 'src/lib/index.ts') },
  outdir: join(root, 'dist/lib'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).flatMap((name) => [name, `${name}/*`]),
  // grpc-js is CommonJS: its require() calls of node's modules need a require in an ES module.
  banner: {
    js: "import { createRequire as __crictlRequire } from 'node:module';\nconst require = __crictlRequire(import.meta.url);",
  },
  plugins: [noProtoLoader],
  logLevel: 'warning',
});

// The bundles carry other projects' code, whose licenses ask that their notices travel with it.
writeThirdPartyNotices([cliBuild.metafile, libBuild.metafile]);

run(process.execPath, [
  join(root, 'node_modules/typescript/bin/tsc'),
  '-p',
  '.',
  '--emitDeclarationOnly',
  '--outDir',
  'dist/types',
]);
console.log('build: dist/crictl (launcher), dist/crictl.cjs (loader), dist/cli.cjs, dist/lib/index.js, dist/types/');

/** dist/THIRD-PARTY-NOTICES: name, version, license and license text of every package bundled. */
function writeThirdPartyNotices(metafiles) {
  const packages = new Set();
  for (const meta of metafiles)
    for (const input of Object.keys(meta.inputs)) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) packages.add(m[1]);
    }
  const sections = [...packages].sort().map((name) => {
    const dir = join(root, 'node_modules', name);
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file
      ? readFileSync(join(dir, file), 'utf8').trim()
      : `License: ${license} (no license file in the package)`;
    return `${name}@${version} (${license})\n\n${text}\n`;
  });
  writeFileSync(
    join(root, 'dist/THIRD-PARTY-NOTICES'),
    `crictl-ts bundles the following packages.\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`,
  );
}
