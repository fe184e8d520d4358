import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseConfigText, resolveConfigPath } from '../../src/config/config.js';
import { parseDuration, resolveSettings } from '../../src/config/settings.js';
import { updateConfigFile } from '../../src/config/write.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('crictl-config-');

test('config path: --config beats CRI_CONFIG_FILE beats the default', () => {
  assert.deepEqual(resolveConfigPath('/a.yaml', { CRI_CONFIG_FILE: '/b.yaml' }, '/usr/bin/crictl'), {
    path: '/a.yaml',
    explicit: true,
  });
  assert.deepEqual(resolveConfigPath(undefined, { CRI_CONFIG_FILE: '/b.yaml' }, '/usr/bin/crictl'), {
    path: '/b.yaml',
    explicit: false,
  });
});

test('all known keys parse with their types', async () => {
  const { values, warnings } = await parseConfigText(
    'runtime-endpoint: unix:///r.sock\nimage-endpoint: unix:///i.sock\ntimeout: 10\ndebug: true\npull-image-on-create: true\ndisable-pull-on-run: false\n',
    'c.yaml',
  );
  assert.deepEqual(values, {
    'runtime-endpoint': 'unix:///r.sock',
    'image-endpoint': 'unix:///i.sock',
    timeout: 10,
    debug: true,
    'pull-image-on-create': true,
    'disable-pull-on-run': false,
  });
  assert.deepEqual(warnings, []);
});

test('malformed files report FILE:LINE and the problem', async () => {
  await assert.rejects(parseConfigText('runtime-endpoint: unix:///x\ntimeout: soon\n', '/etc/crictl.yaml'), {
    message: '/etc/crictl.yaml:2: timeout: expected a whole number of seconds (>= 0), got "soon"',
  });
  await assert.rejects(parseConfigText('debug: [\n', 'c.yaml'), /^UsageError: c\.yaml:2: invalid YAML/);
  await assert.rejects(parseConfigText('- a\n- b\n', 'c.yaml'), {
    message: 'c.yaml:1: expected a mapping of key: value pairs',
  });
  await assert.rejects(parseConfigText('debug: yes please\n', 'c.yaml'), {
    message: 'c.yaml:1: debug: expected true or false, got "yes please"',
  });
});

test('unknown keys warn with a suggestion', async () => {
  const { warnings } = await parseConfigText('runtime_endpoint: unix:///x\n', 'c.yaml');
  assert.deepEqual(warnings, ['c.yaml:1: unknown key "runtime_endpoint" (did you mean runtime-endpoint?); ignored']);
});

test('a missing default file is empty; a missing explicit file is an error', async () => {
  assert.deepEqual((await loadConfig(join(dir, 'none.yaml'), false)).values, {});
  await assert.rejects(loadConfig(join(dir, 'none.yaml'), true), /none\.yaml: cannot read config file: no such file/);
  await assert.rejects(loadConfig(dir, true), /is a directory/);
});

test('precedence: flag > environment > file > default', async () => {
  const file = join(dir, 'p.yaml');
  writeFileSync(file, 'runtime-endpoint: unix:///file.sock\ntimeout: 7\n');
  const cfg = { path: file, explicit: true };
  assert.equal((await resolveSettings({}, {}, cfg)).runtimeEndpoint, 'unix:///file.sock');
  assert.equal(
    (await resolveSettings({}, { CONTAINER_RUNTIME_ENDPOINT: 'unix:///env.sock' }, cfg)).runtimeEndpoint,
    'unix:///env.sock',
  );
  const s = await resolveSettings(
    { runtimeEndpoint: 'unix:///flag.sock', timeout: '500ms' },
    { CONTAINER_RUNTIME_ENDPOINT: 'unix:///env.sock' },
    cfg,
  );
  assert.equal(s.runtimeEndpoint, 'unix:///flag.sock');
  assert.equal(s.imageEndpoint, 'unix:///flag.sock');
  assert.equal(s.timeoutMs, 500);
  assert.equal((await resolveSettings({}, {}, cfg)).timeoutMs, 7000);
});

test('durations: Go syntax and bare seconds; junk rejected', () => {
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('3'), 3000);
  assert.equal(parseDuration('0'), 0);
  // micro: us, the micro sign and the Greek mu, as Go's time.ParseDuration
  assert.equal(parseDuration('1500us'), 1.5);
  assert.equal(parseDuration('2\u00b5s'), 0.002);
  assert.equal(parseDuration('2\u03bcs'), 0.002);
  assert.throws(() => parseDuration('5x'), /invalid duration "5x"/);
  assert.throws(() => parseDuration(''), /invalid duration/);
});

test('config writes keep comments and unknown keys', async () => {
  const file = join(dir, 'w.yaml');
  writeFileSync(file, '# node config\nruntime-endpoint: unix:///old.sock # the socket\ncustom: kept\n');
  await updateConfigFile(file, [
    ['runtime-endpoint', 'unix:///new.sock'],
    ['timeout', 4],
  ]);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^# node config\n/);
  assert.match(text, /runtime-endpoint: unix:\/\/\/new\.sock # the socket/);
  assert.match(text, /custom: kept/);
  assert.match(text, /timeout: 4/);
});

test("concurrent writers do not lose each other's keys", async () => {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, '');
  const { spawn } = await import('node:child_process');
  const script = `import('${join(process.cwd(), 'src/config/write.ts').replace(/\\/g, '/')}').then(m => m.updateConfigFile(process.argv[1], [[process.argv[2], process.argv[3] === 'true' ? true : process.argv[3]]]))`;
  const writers = [
    ['runtime-endpoint', 'unix:///a.sock'],
    ['image-endpoint', 'unix:///b.sock'],
    ['debug', 'true'],
    ['pull-image-on-create', 'true'],
  ];
  await Promise.all(
    writers.map(
      ([k, v]) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '-e', script, file, k, v], { stdio: 'inherit' });
          p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
        }),
    ),
  );
  const { values } = await parseConfigText(readFileSync(file, 'utf8'), file);
  assert.deepEqual(Object.keys(values).sort(), ['debug', 'image-endpoint', 'pull-image-on-create', 'runtime-endpoint']);
});

test('crictl.yaml: many unknown keys are checked in linear time; repeated and prototype keys are caught', async () => {
  for (const n of [10_000, 40_000]) {
    const text = Array.from({ length: n }, (_, i) => `unknown${i}: v\n`).join('');
    const started = process.cpuUsage();
    const { warnings } = await parseConfigText(text, 'c.yaml');
    const used = process.cpuUsage(started);
    assert.equal(warnings.length, n);
    // CPU time, so a busy machine does not matter; the quadratic check took ~20 s at 40 000.
    assert.ok((used.user + used.system) / 1e6 < 5, `${n} keys took ${(used.user + used.system) / 1e6} s of CPU`);
  }
  await assert.rejects(parseConfigText('timeout: 1\ndebug: true\ntimeout: 2\n', 'c.yaml'), {
    message: 'c.yaml:3: invalid YAML: duplicate key "timeout"',
  });
  const { values, warnings } = await parseConfigText('constructor: x\ntoString: 1\ntimeout: 3\n', 'c.yaml');
  assert.deepEqual(values, { timeout: 3 });
  assert.deepEqual(warnings, [
    'c.yaml:1: unknown key "constructor"; ignored',
    'c.yaml:2: unknown key "toString"; ignored',
  ]);
});

test('config --set on a file of 40 000 keys is linear too, and still refuses a repeated key', async () => {
  const file = join(dir, 'many.yaml');
  writeFileSync(file, Array.from({ length: 40_000 }, (_, i) => `unknown${i}: v\n`).join(''));
  const started = process.cpuUsage();
  await updateConfigFile(file, [['timeout', 7]]);
  const used = process.cpuUsage(started);
  assert.ok((used.user + used.system) / 1e6 < 6, `took ${(used.user + used.system) / 1e6} s of CPU`);
  assert.ok(readFileSync(file, 'utf8').endsWith('unknown39999: v\ntimeout: 7\n'));
  writeFileSync(file, 'timeout: 1\ntimeout: 2\n');
  await assert.rejects(updateConfigFile(file, [['debug', true]]), {
    message: `${file}: invalid YAML, not changing it: duplicate key "timeout"`,
  });
  assert.equal(readFileSync(file, 'utf8'), 'timeout: 1\ntimeout: 2\n');
});
