// Build: generate schema code, bundle the CLI (one minified entry, commands' heavy parts split
// into lazily loaded chunks), bundle the library, and emit type declarations.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, ['scripts/gen-schema.mjs']);

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
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/crictl.js'), 0o755);

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
console.log('build: dist/crictl.js, dist/lib/index.js, dist/types/');
