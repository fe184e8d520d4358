// Pods and containers from config files, the seed walkthrough, run's cleanup, bulk removal
// and config validation, against the real lab containerd.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { closeCri, cri, crictl, removePods, runPod, SKIP, tempFile } from './harness.js';
import { missingPath } from '../tmp.js';

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const podIds = async () => new Set((await cri().runtime.listPodSandbox({})).items.map((p) => p.id));

describe('lifecycle on a real runtime', { skip: SKIP }, () => {
  const cleanup: string[] = [];
  after(async () => {
    await removePods(cleanup);
    closeCri();
  });

  test('the seed walkthrough works verbatim and leaves nothing behind', async () => {
    const before = await podIds();
    const runp = crictl(['runp', 'fixtures/pod-config.json']);
    assert.equal(runp.code, 0, runp.stderr);
    const pod = runp.stdout.trim();
    cleanup.push(pod);
    assert.match(pod, /^[0-9a-f]{64}$/);
    const create = crictl(['create', pod, 'fixtures/container-config.json', 'fixtures/pod-config.json']);
    assert.equal(create.code, 0, create.stderr);
    const ctr = create.stdout.trim();
    assert.equal(crictl(['start', ctr]).stdout, `${ctr}\n`);
    assert.match(
      crictl(['ps']).stdout,
      new RegExp(
        `^${ctr.slice(0, 13)}\\s+busybox:1\\.33\\.1\\s+.*Running\\s+busybox\\s+0\\s+${pod.slice(0, 13)}\\s+nginx-sandbox\\s+default$`,
        'm',
      ),
    );
    assert.match(
      crictl(['pods']).stdout,
      new RegExp(`^${pod.slice(0, 13)}\\s+.*Ready\\s+nginx-sandbox\\s+default\\s+1\\s+\\(default\\)$`, 'm'),
    );
    const stats = JSON.parse(crictl(['stats', '-o', 'json', ctr]).stdout);
    assert.equal(stats.stats[0].attributes.id, ctr);
    const status = JSON.parse(crictl(['inspect', ctr]).stdout);
    assert.equal(status.status.logPath, '/tmp/busybox.log');
    assert.equal(crictl(['stop', ctr]).stdout, `${ctr}\n`);
    assert.equal(crictl(['rm', ctr]).stdout, `${ctr}\n`);
    assert.equal(crictl(['stopp', pod]).stdout, `Stopped sandbox ${pod}\n`);
    assert.equal(crictl(['rmp', pod]).stdout, `Removed sandbox ${pod}\n`);
    assert.deepEqual(await podIds(), before);
    assert.equal(crictl(['ps', '-a', '-q', '--pod', pod]).stdout, '');
  });

  test('YAML twins and a cgroup parent: statsp works', async (t) => {
    // The seed's configs log to /tmp/busybox.log, and rmp leaves log files behind.
    const seedLog = '/tmp/busybox.log';
    const hadSeedLog = existsSync(seedLog);
    t.after(() => {
      if (!hadSeedLog) rmSync(seedLog, { force: true });
    });
    const runp = crictl(['runp', 'fixtures/pod-config-stats.json']);
    assert.equal(runp.code, 0, runp.stderr);
    const pod = runp.stdout.trim();
    cleanup.push(pod);
    const ctr = crictl([
      'create',
      pod,
      'fixtures/container-config.yaml',
      'fixtures/pod-config-stats.json',
    ]).stdout.trim();
    assert.match(ctr, /^[0-9a-f]{64}$/);
    assert.equal(crictl(['start', ctr]).code, 0);
    const statsp = JSON.parse(crictl(['statsp', '-o', 'json', pod]).stdout);
    assert.equal(statsp.stats[0].attributes.metadata.name, 'stats-sandbox');
    assert.ok(Number(statsp.stats[0].linux.memory.workingSetBytes.value) > 0);
    assert.equal(crictl(['rmp', '-f', pod]).code, 0);
    const yamlPod = crictl(['runp', 'fixtures/pod-config.yaml']);
    assert.equal(yamlPod.code, 0, yamlPod.stderr);
    cleanup.push(yamlPod.stdout.trim());
    assert.equal(crictl(['rmp', '-f', yamlPod.stdout.trim()]).code, 0);
  });

  test('run starts a container in a new pod; a failed run removes the pod it made', async () => {
    const dir = tempFile('pod.json', '').replace(/pod\.json$/, '');
    const podCfg = tempFile(
      'pod.json',
      JSON.stringify({
        metadata: { name: `run-ok-${process.pid}`, namespace: 'e2e', uid: `run-ok-${process.pid}` },
        log_directory: dir,
        linux: {},
      }),
    );
    const ctrCfg = tempFile(
      'ctr.json',
      JSON.stringify({
        metadata: { name: 'runner' },
        image: { image: 'busybox:1.33.1' },
        command: ['sleep', '3600'],
        log_path: 'runner.log',
        linux: {},
      }),
    );
    const ok = crictl(['run', ctrCfg, podCfg]);
    assert.equal(ok.code, 0, ok.stderr);
    const ctr = ok.stdout.trim();
    const st = JSON.parse(crictl(['inspect', ctr]).stdout);
    assert.equal(st.status.state, 'CONTAINER_RUNNING');
    cleanup.push(JSON.parse(crictl(['ps', '-o', 'json', '--id', ctr]).stdout).containers[0].podSandboxId);

    const before = await podIds();
    const badPod = tempFile(
      'pod.json',
      JSON.stringify({
        metadata: { name: `run-bad-${process.pid}`, namespace: 'e2e', uid: `run-bad-${process.pid}` },
        log_directory: dir,
        linux: {},
      }),
    );
    const badImage = tempFile(
      'ctr.json',
      JSON.stringify({ metadata: { name: 'x' }, image: { image: 'no-such-image:404' }, command: ['true'], linux: {} }),
    );
    const bad = crictl(['run', '--no-pull', badImage, badPod]);
    assert.equal(bad.code, 1);
    assert.equal(lines(bad.stderr).length, 1, bad.stderr);
    assert.match(bad.stderr, /^crictl: run failed: .*\(removed pod sandbox [0-9a-f]{64}\)\n$/);
    assert.deepEqual(await podIds(), before);
    const badCmd = tempFile(
      'ctr.json',
      JSON.stringify({
        metadata: { name: 'y' },
        image: { image: 'busybox:1.33.1' },
        command: ['/no/such/binary'],
        linux: {},
      }),
    );
    const failStart = crictl(['run', badCmd, badPod]);
    assert.equal(failStart.code, 1);
    assert.match(failStart.stderr, /removed pod sandbox/);
    assert.deepEqual(await podIds(), before);
  });

  test('rmp -a over 20 pods with one failure removes the other 19 and exits 1', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 20; i++) mine.push((await runPod('bulk')).podId);
    cleanup.push(...mine);
    // 19 stopped pods can go; one still ready is refused without --force.
    for (const podSandboxId of mine.slice(1)) await cri().runtime.stopPodSandbox({ podSandboxId });
    const others = [...(await podIds())].filter((id) => !mine.includes(id));
    for (const podSandboxId of others)
      await cri()
        .runtime.stopPodSandbox({ podSandboxId })
        .catch(() => undefined);
    const r = crictl(['rmp', '-a']);
    assert.equal(r.code, 1);
    const left = await podIds();
    assert.ok(left.has(mine[0]));
    for (const id of mine.slice(1)) assert.ok(!left.has(id), `${id} removed`);
    assert.equal(lines(r.stderr).length, 1);
    assert.match(
      r.stderr,
      new RegExp(`^crictl: removing pod sandbox ${mine[0]}: pod sandbox is running, stop it first or use --force\\n$`),
    );
    assert.ok(lines(r.stdout).filter((l) => l.startsWith('Removed sandbox ')).length >= 19);
    assert.equal(crictl(['rmp', '-a', '-f']).code, 0);
    assert.equal((await podIds()).size, 0);
  });

  test('malformed configs: one line naming file and field, exit 1, nothing created', async () => {
    const before = await podIds();
    const pod = (body: string, name = 'pod.json') => tempFile(name, body);
    const cases: [string, RegExp][] = [
      [pod('{"metadata": {"name": "x"'), /pod\.json: invalid JSON: line 1 column \d+: /],
      [pod('metadata:\n  name: [x\n', 'pod.yaml'), /pod\.yaml:\d+:\d+: invalid YAML: /],
      [pod('{"metdata": {"name": "x"}}'), /pod\.json: metdata: unknown field \(did you mean metadata\?\)$/],
      [
        pod('{"metadata": {"name": "x", "nmespace": "d"}}'),
        /pod\.json: metadata\.nmespace: unknown field \(did you mean namespace\?\)$/,
      ],
      [
        pod('{"metadata": {"name": "x"}, "linux": {"security_contxt": {}}}'),
        /pod\.json: linux\.security_contxt: unknown field \(did you mean security_context\?\)$/,
      ],
      [
        pod('{"metadata": {"name": "x"}, "linux": {"security_context": {"namespace_options": {"netwrk": 1}}}}'),
        /linux\.security_context\.namespace_options\.netwrk: unknown field \(did you mean network\?\)$/,
      ],
      [
        pod('{"metadata": {"name": "x", "attempt": "1"}}'),
        /pod\.json: metadata\.attempt: expected a non-negative integer, got "1"$/,
      ],
      [
        pod('{"metadata": {"name": "x"}, "labels": ["a"]}'),
        /pod\.json: labels: expected an object of key: value, got a list$/,
      ],
      [
        pod('{"metadata": {"name": "x"}, "port_mappings": [{"protocol": "HTTP"}]}'),
        /port_mappings\[0\]\.protocol: expected one of TCP, UDP, SCTP, got "HTTP"$/,
      ],
      [pod('{"metadata": {"namespace": "x"}}'), /pod\.json: metadata\.name: required$/],
      [pod('{}'), /pod\.json: metadata: required/],
      [pod(''), /pod\.json: file is empty; expected a JSON or YAML object$/],
      [pod('[1, 2]'), /pod\.json: \(top level\): expected an object, got a list$/],
      [missingPath('pod.json'), /\/missing-\w+\/pod\.json: cannot read: no such file$/],
      [tempFile('x', '').replace(/\/x$/, ''), /: is a directory, expected a JSON or YAML file$/],
    ];
    for (const [file, want] of cases) {
      const r = crictl(['runp', file]);
      assert.equal(r.code, 1, `${file}: ${r.stderr}`);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr.trim(), want);
    }
    const huge = tempFile('huge.json', `{"metadata": {"name": "x"}, "hostname": "${'a'.repeat(11 * 1024 * 1024)}"}`);
    const h = crictl(['runp', huge]);
    assert.equal(h.code, 1);
    assert.match(h.stderr, /huge\.json: too large \(\d+ bytes\) for a config file/);
    // Container configs too, at create.
    const { podId, config } = await runPod('badctr');
    cleanup.push(podId);
    const podFile = tempFile('pod.json', JSON.stringify(config));
    const ctr = tempFile(
      'ctr.json',
      '{"metadata": {"name": "c"}, "image": {"image": "busybox:1.33.1"}, "linux": {"resources": {"memory_limit_in_bytes": "lots"}}}',
    );
    const r = crictl(['create', podId, ctr, podFile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ctr\.json: linux\.resources\.memory_limit_in_bytes: expected an integer, got "lots"\n$/);
    const noImage = crictl(['create', podId, tempFile('ctr.json', '{"metadata": {"name": "c"}}'), podFile]);
    assert.match(noImage.stderr, /ctr\.json: image\.image: required\n$/);
    assert.equal(crictl(['ps', '-a', '-q', '--pod', podId]).stdout, '');
    const after = await podIds();
    after.delete(podId);
    assert.deepEqual(after, before);
  });

  test('jsonschema describes the config files', () => {
    const pod = JSON.parse(crictl(['runp', 'jsonschema'], { endpoint: null }).stdout);
    assert.equal(pod.additionalProperties, false);
    assert.ok(pod.properties.log_directory);
    const { description, ...attempt } = pod.$defs.PodSandboxMetadata.properties.attempt;
    assert.deepEqual(attempt, { type: 'integer', minimum: 0, maximum: 4294967295 });
    assert.match(description, /re-created/);
    const ctr = JSON.parse(crictl(['create', 'jsonschema'], { endpoint: null }).stdout);
    assert.ok(ctr.properties.log_path);
    assert.deepEqual(JSON.parse(crictl(['run', 'js', '--pod'], { endpoint: null }).stdout), pod);
    assert.ok(JSON.parse(crictl(['pull', 'jsonschema'], { endpoint: null }).stdout).properties.registry_token);
  });
});
