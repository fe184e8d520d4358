import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkMessage, parseSpecText } from '../../src/spec/load.js';
import { tempDir } from '../tmp.js';

const POD = 'runtime.v1.PodSandboxConfig';

test('snake_case and lowerCamelCase fields both load, as camelCase', () => {
  const snake = checkMessage(
    POD,
    { metadata: { name: 'a', attempt: 1 }, log_directory: '/tmp', linux: { cgroup_parent: '/x' } },
    'p.json',
  );
  const camel = checkMessage(
    POD,
    { metadata: { name: 'a', attempt: 1 }, logDirectory: '/tmp', linux: { cgroupParent: '/x' } },
    'p.json',
  );
  assert.deepEqual(snake, camel);
  assert.deepEqual(snake, { metadata: { name: 'a', attempt: 1 }, logDirectory: '/tmp', linux: { cgroupParent: '/x' } });
});

test('unknown fields name the path and suggest the right one', () => {
  assert.throws(() => checkMessage(POD, { linux: { security_contxt: {} } }, 'pod-config.json'), {
    message: 'pod-config.json: linux.security_contxt: unknown field (did you mean security_context?)',
  });
  assert.throws(() => checkMessage(POD, { metadata: { nmae: 'x' } }, 'p.yaml'), {
    message: 'p.yaml: metadata.nmae: unknown field (did you mean name?)',
  });
});

test('wrong types are errors, with the offending value', () => {
  assert.throws(() => checkMessage(POD, { metadata: { attempt: '1' } }, 'p.json'), {
    message: 'p.json: metadata.attempt: expected a non-negative integer, got "1"',
  });
  assert.throws(() => checkMessage(POD, { labels: ['a'] }, 'p.json'), {
    message: 'p.json: labels: expected an object of key: value, got a list',
  });
  assert.throws(
    () => checkMessage(POD, { port_mappings: [{ protocol: 'HTTP' }] }, 'p.json'),
    /port_mappings\[0\]\.protocol: expected one of TCP, UDP, SCTP, got "HTTP"/,
  );
  assert.throws(() => checkMessage(POD, 'x', 'p.json'), {
    message: 'p.json: (top level): expected an object, got "x"',
  });
});

test('JSON and YAML errors carry positions', async () => {
  await assert.rejects(parseSpecText('{"metadata": {', 'p.json'), /p\.json: invalid JSON: line 1 column 15: /);
  await assert.rejects(
    parseSpecText('metadata:\n  name: [\n', 'p.yaml'),
    /p\.yaml:\d+:\d+: invalid YAML: Flow sequence/,
  );
  await assert.rejects(parseSpecText('  \n', 'p.yaml'), {
    message: 'p.yaml: file is empty; expected a JSON or YAML object',
  });
  assert.equal(JSON.stringify(await parseSpecText('metadata:\n  name: x\n', 'p.conf')), '{"metadata":{"name":"x"}}');
});

test("cgroup_parent is checked against the runtime's cgroup driver", async () => {
  const { cgroupParentWarning } = await import('../../src/spec/cgroup.js');
  assert.equal(cgroupParentWarning('p.json', '/kubepods/pod1', 'cgroupfs'), undefined);
  assert.equal(cgroupParentWarning('p.json', 'kubepods-pod1.slice', 'systemd'), undefined);
  assert.match(
    cgroupParentWarning('p.json', '/kubepods/pod1', 'systemd') ?? '',
    /^WARN: p\.json: linux\.cgroup_parent "\/kubepods\/pod1" is a cgroupfs path, but the runtime uses the systemd cgroup driver/,
  );
  assert.match(
    cgroupParentWarning('p.json', 'kubepods.slice', 'cgroupfs') ?? '',
    /is a systemd slice, but the runtime uses the cgroupfs driver/,
  );
  assert.equal(cgroupParentWarning('p.json', undefined, 'systemd'), undefined);
});

// Exact values: nothing a user writes is changed on the way to the runtime.

const CTR = 'runtime.v1.ContainerConfig';
/** Parses `text` as the file `file` would be, then checks it as a container config. */
const load = async (text: string, file: string, type = CTR) =>
  checkMessage(type, await parseSpecText(text, file), file);
const limitOf = (config: Record<string, unknown>) =>
  ((config.linux as Record<string, unknown>).resources as Record<string, unknown>).memoryLimitInBytes;

test('int64 values keep every digit, from JSON and YAML, never through a double', async () => {
  const max = '9223372036854775807';
  assert.equal(limitOf(await load(`{"linux": {"resources": {"memory_limit_in_bytes": ${max}}}}`, 'c.json')), max);
  assert.equal(limitOf(await load(`linux:\n  resources:\n    memory_limit_in_bytes: ${max}\n`, 'c.yaml')), max);
  assert.equal(
    limitOf(await load(`{"linux": {"resources": {"memory_limit_in_bytes": -9223372036854775808}}}`, 'c.json')),
    '-9223372036854775808',
  );
  // Quoted decimals in range are kept too (protobuf's JSON mapping writes int64 that way).
  assert.equal(limitOf(await load(`{"linux": {"resources": {"memory_limit_in_bytes": "${max}"}}}`, 'c.json')), max);
  assert.equal(
    limitOf(await load(`linux: {resources: {memory_limit_in_bytes: "9007199254740993"}}\n`, 'c.yaml')),
    '9007199254740993',
  );
});

test('integers out of range, fractions and odd spellings are refused with the field and the range', async () => {
  const range = 'expected an integer from -9223372036854775808 to 9223372036854775807 (int64)';
  for (const [literal, shown] of [
    ['"18446744073709551617"', '"18446744073709551617"'],
    ['99999999999999999999999', '99999999999999999999999'],
    ['9223372036854775808', '9223372036854775808'],
    ['-9223372036854775809', '-9223372036854775809'],
  ]) {
    await assert.rejects(load(`{"linux": {"resources": {"memory_limit_in_bytes": ${literal}}}}`, 'c.json'), {
      message: `c.json: linux.resources.memory_limit_in_bytes: ${range}, got ${shown}`,
    });
  }
  await assert.rejects(load('linux: {resources: {memory_limit_in_bytes: 18446744073709551617}}', 'c.yaml'), {
    message: `c.yaml: linux.resources.memory_limit_in_bytes: ${range}, got 18446744073709551617`,
  });
  for (const literal of ['1.5', '1.0', '1e3', '"1e3"', '"007"', '" 1"', '"+1"', 'true']) {
    await assert.rejects(load(`{"linux": {"resources": {"cpu_shares": ${literal}}}}`, 'c.json'), {
      message: `c.json: linux.resources.cpu_shares: expected an integer, got ${literal}`,
    });
  }
  await assert.rejects(load('linux: {resources: {cpu_shares: 1.0}}', 'c.yaml'), {
    message: 'c.yaml: linux.resources.cpu_shares: expected an integer, got 1.0',
  });
  // 32-bit fields: their own ranges.
  await assert.rejects(load('{"metadata": {"attempt": 4294967296}}', 'c.json'), {
    message: 'c.json: metadata.attempt: expected a non-negative integer from 0 to 4294967295 (uint32), got 4294967296',
  });
  await assert.rejects(load('{"metadata": {"attempt": -1}}', 'c.json'), {
    message: 'c.json: metadata.attempt: expected a non-negative integer from 0 to 4294967295 (uint32), got -1',
  });
  assert.deepEqual(await load('{"metadata": {"attempt": 4294967295}}', 'c.json'), {
    metadata: { attempt: 4294967295 },
  });
  await assert.rejects(
    load('{"linux": {"security_context": {"run_as_user": {"value": 18446744073709551616}}}}', 'c.json'),
    /run_as_user\.value: expected an integer from -9223372036854775808/,
  );
});

test('bytes fields (env values) are text, not base64', async () => {
  const values = ['bar', 'YWJj', 'two words', 'a=b', '"q" \'s\'', 'ünï €🚀', ''];
  const config = await load(JSON.stringify({ envs: values.map((value, i) => ({ key: `K${i}`, value })) }), 'c.json');
  const envs = config.envs as { key: string; value: Uint8Array }[];
  assert.deepEqual(
    envs.map((e) => Buffer.from(e.value).toString('utf8')),
    values,
  );
  const yaml = await load('envs:\n  - key: A\n    value: YWJj\n  - key: B\n    value: "x y"\n', 'c.yaml');
  assert.deepEqual(
    (yaml.envs as { value: Uint8Array }[]).map((e) => Buffer.from(e.value).toString('utf8')),
    ['YWJj', 'x y'],
  );
  // A value that is not text is refused rather than turned into U+FFFD.
  await assert.rejects(load('{"envs": [{"key": "A", "value": "\\ud800x"}]}', 'c.json'), {
    message: 'c.json: envs[0].value: not valid Unicode (a lone surrogate), got "\\ud800x"',
  });
  await assert.rejects(
    load('{"labels": {"\\udc00": "x"}}', 'c.json'),
    /c\.json: labels: key "\\udc00" is not valid Unicode/,
  );
  // YAML numbers for text fields: quoting is asked for, nothing is guessed.
  await assert.rejects(load('envs:\n  - key: PORT\n    value: 8080\n', 'c.yaml'), {
    message: 'c.yaml: envs[0].value: expected a string (put it in quotes), got 8080',
  });
});

test('enums by name or number, nothing else', async () => {
  const pod = await load('{"port_mappings": [{"protocol": "UDP"}, {"protocol": 2}]}', 'p.json', POD);
  assert.deepEqual(pod.portMappings, [{ protocol: 'UDP' }, { protocol: 2 }]);
  for (const bad of ['"toString"', '"constructor"', '"udp"', '7', '1.0']) {
    await assert.rejects(
      load(`{"port_mappings": [{"protocol": ${bad}}]}`, 'p.json', POD),
      /port_mappings\[0\]\.protocol: expected one of TCP, UDP, SCTP, got /,
    );
  }
});

test('names every object has (constructor, toString, ...) are unknown fields, and no key reaches a prototype', async () => {
  for (const key of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
    await assert.rejects(load(`{"${key}": {}}`, 'c.json'), { message: `c.json: ${key}: unknown field` }, key);
    await assert.rejects(
      load(`metadata:\n  ${key}: x\n`, 'c.yaml'),
      new RegExp(`^UsageError: c\\.yaml: metadata\\.${key}: unknown field`),
      key,
    );
  }
  assert.throws(
    () => checkMessage(CTR, JSON.parse('{"metadata": {"constructor": "x"}}'), 'c.json'),
    /metadata\.constructor: unknown field/,
  );
  // As map keys they are data, except __proto__, which a plain object cannot hold.
  const labels = await load('{"labels": {"constructor": "a", "toString": "b"}}', 'c.json');
  assert.deepEqual(labels.labels, { constructor: 'a', toString: 'b' });
  await assert.rejects(load('{"labels": {"__proto__": "x"}}', 'c.json'), {
    message: 'c.json: labels: the key "__proto__" cannot be sent',
  });
  await assert.rejects(load('annotations:\n  __proto__: x\n', 'c.yaml'), {
    message: 'c.yaml: annotations: the key "__proto__" cannot be sent',
  });
  const parsed = (await parseSpecText('{"__proto__": {"polluted": true}}', 'x.json')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(parsed), null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a key given twice is an error, in any spelling', async () => {
  await assert.rejects(parseSpecText('{"metadata": {"name": "a", "name": "b"}}', 'c.json'), {
    message: 'c.json: invalid JSON: line 1 column 28: duplicate key "name"',
  });
  await assert.rejects(parseSpecText('metadata:\n  name: a\n  name: b\n', 'c.yaml'), {
    message: 'c.yaml:3: invalid YAML: duplicate key "name"',
  });
  await assert.rejects(load('{"log_path": "a", "logPath": "b"}', 'c.json'), {
    message: 'c.json: logPath: the same field as log_path, given twice',
  });
});

test('a file that is not UTF-8 is refused, naming the line', async () => {
  const { readSpecFile } = await import('../../src/spec/load.js');
  const dir = tempDir('crictl-spec-');
  try {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('metadata:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    assert.throws(() => readSpecFile(file), {
      message: `${file}:2: not valid UTF-8 (byte 21); config files must be UTF-8 text`,
    });
    // A valid multi-byte character split by the search must not hide the bad byte after it.
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('name: "\u20ac\u20ac\u20ac'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]),
    );
    assert.throws(() => readSpecFile(file), {
      message: `${file}:1: not valid UTF-8 (byte 16); config files must be UTF-8 text`,
    });
    writeFileSync(file, 'metadata:\n  name: "caf\u00e9 \uFFFD"\n');
    assert.equal(readSpecFile(file), 'metadata:\n  name: "caf\u00e9 \uFFFD"\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('10 000 keys parse in linear time (JSON and YAML)', async () => {
  for (const n of [10_000, 40_000]) {
    const keys = Array.from({ length: n }, (_, i) => `k${i}`);
    const started = process.cpuUsage();
    const yaml = (await parseSpecText(keys.map((k) => `${k}: v\n`).join(''), 'big.yaml')) as Record<string, unknown>;
    const json = (await parseSpecText(`{${keys.map((k) => `"${k}": "v"`).join(',')}}`, 'big.json')) as Record<
      string,
      unknown
    >;
    const used = process.cpuUsage(started);
    assert.equal(Object.keys(yaml).length, n);
    assert.equal(Object.keys(json).length, n);
    // CPU time, not wall time, so a busy machine does not matter; a quadratic check took ~20 s at 40 000.
    assert.ok((used.user + used.system) / 1e6 < 5, `${n} keys took ${(used.user + used.system) / 1e6} s of CPU`);
  }
});

test('jsonschema: env values are plain strings, int64 patterns match what the loader takes', async () => {
  const { jsonSchemaFor } = await import('../../src/spec/jsonschema.js');
  const schema = jsonSchemaFor(CTR, 't') as {
    $defs: Record<string, { properties: Record<string, Record<string, unknown>> }>;
  };
  const { description, ...value } = schema.$defs.KeyValue.properties.value;
  assert.deepEqual(value, { type: 'string' });
  assert.equal(typeof description, 'string');
  const limit = schema.$defs.LinuxContainerResources.properties.memory_limit_in_bytes as {
    oneOf: { pattern?: string }[];
  };
  const pattern = new RegExp(limit.oneOf[1].pattern ?? '');
  assert.ok(pattern.test('-12') && pattern.test('0') && !pattern.test('007') && !pattern.test('1e3'));
});

test('a pod config where a container config belongs (and the reverse) is named as such', async () => {
  const { loadContainerConfig, loadPodConfig } = await import('../../src/spec/configs.js');
  await assert.rejects(loadPodConfig('fixtures/container-config.json'), {
    message:
      'fixtures/container-config.json: this looks like a container config (it has image, command, log_path), but a pod config is expected here',
  });
  await assert.rejects(loadContainerConfig('fixtures/pod-config.yaml'), {
    message:
      'fixtures/pod-config.yaml: this looks like a pod config (it has log_directory), but a container config is expected here',
  });
  // A plain typo is still a typo, with its hint.
  const dir = tempDir('crictl-spec-');
  try {
    const file = join(dir, 'pod.yaml');
    writeFileSync(file, 'metadata: {name: x}\nlog_dir: /tmp\n');
    await assert.rejects(loadPodConfig(file), {
      message: `${file}: log_dir: unknown field (did you mean log_directory?)`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await loadPodConfig('fixtures/pod-config.json')).metadata?.name, 'nginx-sandbox');
});

test('--debug shows bytes (env values) as their text', async () => {
  const { redact } = await import('../../src/cri/redact.js');
  assert.equal(
    JSON.stringify(
      redact({
        envs: [
          { key: 'A', value: Buffer.from('two words') },
          { key: 'B', value: new Uint8Array([0xff, 0x41]) },
        ],
      }),
    ),
    '{"envs":[{"key":"A","value":"two words"},{"key":"B","value":"base64:/0E="}]}',
  );
});

test('YAML spellings that YAML 1.1 (crictl) and 1.2 read differently, and unknown tags, are refused', async () => {
  await assert.rejects(load('linux: {resources: {cpu_shares: 017}}', 'c.yaml'), {
    message: 'c.yaml:1: invalid YAML: 017: write integers in decimal (or 0x hex) without leading zeros',
  });
  await assert.rejects(load('linux: {resources: {cpu_shares: 0o17}}', 'c.yaml'), /0o17: write integers in decimal/);
  assert.equal(
    ((await load('linux: {resources: {cpu_shares: 0x10}}', 'c.yaml')).linux as { resources: { cpuShares: string } })
      .resources.cpuShares,
    '16',
  );
  await assert.rejects(
    load('envs: [{key: a, value: !foo x}]', 'c.yaml'),
    /^UsageError: c\.yaml:1:24: invalid YAML: Unresolved tag: !foo/,
  );
  await assert.rejects(
    load('envs: [{key: a, value: !!binary YWJj}]', 'c.yaml'),
    /c\.yaml:1: invalid YAML: unsupported YAML value \(tag:yaml\.org,2002:binary\); write it as text/,
  );
  await assert.rejects(load('metadata:\n  <<: {name: x}\n', 'c.yaml'), {
    message: 'c.yaml:2: invalid YAML: merge keys (<<) are not supported; write the fields out',
  });
  assert.deepEqual(await load('labels: {"<<": x}\n', 'c.yaml'), { labels: { '<<': 'x' } });
  // A byte-order mark is not a value.
  assert.deepEqual(Object.keys(await load('\uFEFF{"working_dir": "/w"}', 'c.json')), ['workingDir']);
});
