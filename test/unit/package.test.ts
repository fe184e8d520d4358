// Packaging facts that users and security reviews rely on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/config.js';
import { VERSION } from '../../src/version.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('the package runs no install scripts and installs both command names', () => {
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish'])
    assert.equal(pkg.scripts?.[hook], undefined, `${hook} script`);
  assert.deepEqual(pkg.bin, { crictl: 'dist/crictl', 'crictl-ts': 'dist/crictl' });
  assert.equal(pkg.name, 'crictl-ts');
  assert.equal(pkg.version, VERSION);
});

test('npm pack builds what it ships; the sh launcher is not offered to Windows', () => {
  assert.equal(pkg.scripts.prepack, 'node scripts/build.mjs');
  assert.deepEqual(pkg.os, ['!win32']);
  assert.ok(pkg.files.includes('dist'));
});

test('crictl.yaml.example is a valid config with every key', async () => {
  const path = new URL('../../crictl.yaml.example', import.meta.url);
  const { values, warnings } = await parseConfigText(readFileSync(path, 'utf8'), 'crictl.yaml.example');
  assert.deepEqual(warnings, []);
  assert.deepEqual(Object.keys(values).sort(), [
    'debug',
    'disable-pull-on-run',
    'image-endpoint',
    'max-retries',
    'pull-image-on-create',
    'runtime-endpoint',
    'timeout',
  ]);
});
