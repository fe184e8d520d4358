// Build: generate schema code, bundle the CLI twice (a single-file bundle for the V8 startup
// snapshot, and an ESM bundle with lazily loaded chunks for when the snapshot cannot be used),
// make the snapshot, bundle the library, and emit type declarations.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

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
      contents: "module.exports = { loadSync() { throw new Error('@grpc/proto-loader is not bundled with crictl-ts'); } };",
    }));
  },
};

// CommonJS dependencies (grpc-js) call require(); give the ESM bundle one.
const requireShim = "import { createRequire as __crictlCreateRequire } from 'node:module'; const require = __crictlCreateRequire(import.meta.url);";

await build({
  entryPoints: { crictl: join(root, 'src/bin.ts') },
  outdir: join(root, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  banner: { js: `#!/usr/bin/env node\n${requireShim}` },
  plugins: [noProtoLoader],
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/crictl.js'), 0o755);

// http, https, http2 and tls cannot be loaded while a snapshot is built (their native parts do
// not serialize), yet grpc-js and ws require them at load. In the snapshot bundle each of them is
// a stand-in that loads the real module on first use; http2.constants, which grpc-js reads at
// load, is copied in as data.
const requireBuiltin = createRequire(import.meta.url);
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(http|https|http2|tls)$/ }, (a) =>
      a.namespace === 'lazy-builtin' ? { path: a.path, external: true } : { path: a.path.replace(/^node:/, ''), namespace: 'lazy-builtin' });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => {
      const mod = requireBuiltin(`node:${a.path}`);
      return {
        loader: 'js',
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${a.path}`)}));
const constants = ${a.path === 'http2' ? JSON.stringify(mod.constants) : 'undefined'};
const keys = ${JSON.stringify(Object.getOwnPropertyNames(mod))};
module.exports = new Proxy({}, {
  get: (_, k) => (k === 'constants' && constants ? constants : load()[k]),
  has: (_, k) => keys.includes(k),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, k) => (keys.includes(k) ? { configurable: true, enumerable: true, get: () => load()[k] } : undefined),
});`,
      };
    });
  },
};
await build({
  entryPoints: { snapshot: join(root, 'src/snapshot.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  plugins: [lazyBuiltins, noProtoLoader],
  logLevel: 'warning',
});
copyFileSync(join(root, 'src/crictl.sh'), join(root, 'dist/crictl'));
chmodSync(join(root, 'dist/crictl'), 0o755);
run(process.execPath, ['scripts/make-snapshot.mjs']);

await build({
  entryPoints: { index: join(root, 'src/lib/index.ts') },
  outdir: join(root, 'dist/lib'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.', '--emitDeclarationOnly', '--outDir', 'dist/types']);
console.log('build: dist/crictl (launcher), dist/crictl.blob, dist/crictl.js, dist/lib/index.js, dist/types/');
