// crictl's spellings of global flags and help words, through the built CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CLI } from '../e2e/harness.js';
import { NO_CONFIG } from '../tmp.js';

function cli(args: string[]) {
  const r = spawnSync(CLI, args, {
    encoding: 'utf8',
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('crictl master global flags crictl-ts leaves out say why', () => {
  const r = cli(['--enable-tracing', 'ps']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'crictl: --enable-tracing is not supported by crictl-ts: OpenTelemetry tracing needs an OTLP exporter crictl-ts does not ship\n',
  );
  assert.match(
    cli(['--profile-cpu', '/tmp/x', 'ps']).stderr,
    /--profile-cpu is not supported by crictl-ts: it writes Go pprof profiles/,
  );
  assert.equal(cli(['--debug=maybe', 'ps']).stderr, 'crictl: --debug=maybe: expected true or false\n');
});

test('help, h, help CMD and CMD help', () => {
  const global = cli(['help']);
  assert.equal(global.code, 0);
  assert.match(global.stdout, /^NAME:\n {3}crictl - client for CRI/);
  assert.equal(cli(['h']).stdout, global.stdout);
  const ps = cli(['ps', '--help']).stdout;
  assert.match(ps, /List containers/);
  assert.equal(cli(['help', 'ps']).stdout, ps);
  assert.equal(cli(['h', 'ps']).stdout, ps);
  assert.equal(cli(['ps', 'help']).stdout, ps);
  assert.match(cli(['help', 'runp', 'jsonschema']).stdout, /\$ crictl runp jsonschema/);
  // Several IDs are all-or-nothing, and --help says so.
  for (const cmd of ['start', 'stop', 'rm', 'rmi', 'update', 'stopp', 'rmp', 'inspect']) {
    assert.match(
      cli([cmd, '--help']).stdout.replace(/\s+/g, ' '),
      /IDs are all resolved first: if one is not found,? nothing is (done|stopped|removed)/,
      cmd,
    );
  }
  // An unknown word is still an error naming it.
  const bad = cli(['--all=false']);
  assert.equal(bad.code, 1);
});
