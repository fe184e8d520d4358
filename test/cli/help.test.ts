// Help and parse errors are formatted centrally (src/cli/help.ts) for every command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { commandHelp } from '../../src/cli/help.js';
import { CLI } from '../e2e/harness.js';
import { NO_CONFIG } from '../tmp.js';

const byPath = (path: string) => {
  const found = COMMANDS.find((c) => c.paths?.some((p) => p.join(' ') === path));
  assert.ok(found, path);
  return found;
};

function cli(args: string[]) {
  const r = spawnSync(CLI, args, {
    encoding: 'utf8',
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('command help has the layout of the top-level help', () => {
  const start = cli(['start', '--help']);
  assert.equal(start.code, 0);
  assert.equal(start.stdout, commandHelp(byPath('start')));
  assert.match(
    start.stdout,
    /^NAME:\n {3}crictl start - Start one or more created containers\n\nUSAGE:\n {3}crictl start CONTAINER-ID \[CONTAINER-ID\.\.\.\]\n/,
  );
  assert.match(start.stdout, /\nOPTIONS:\n {3}-h,--help {2}show help\n/);
  assert.match(start.stdout, /\nEXAMPLES:\n {3}Start a container\n {5}\$ crictl start 3a1b\n/);
  const top = cli(['--help']).stdout;
  for (const heading of ['NAME:', 'USAGE:']) {
    assert.match(top, new RegExp(`^${heading}\\n   crictl`, 'm'));
    assert.match(start.stdout, new RegExp(`^${heading}\\n   crictl`, 'm'));
  }
  // Sub-paths and aliases.
  assert.match(
    cli(['runp', 'jsonschema', '--help']).stdout,
    /USAGE:\n {3}crictl runp jsonschema\n\nALIASES:\n {3}runp js\n/,
  );
});

test('parse errors say what is missing and show the usage line', () => {
  assert.deepEqual(cli(['create']), {
    code: 1,
    stdout: '',
    stderr:
      'crictl: create: missing POD, container-config.[json|yaml], pod-config.[json|yaml]; usage: crictl create [OPTIONS] POD container-config.[json|yaml] pod-config.[json|yaml]\n',
  });
  assert.match(
    cli(['create', '--no-pull', 'pod1', 'c.json']).stderr,
    /^crictl: create: missing pod-config\.\[json\|yaml\]; usage: crictl create /,
  );
  assert.equal(
    cli(['logs', '--tail', '5']).stderr,
    'crictl: logs: missing CONTAINER-ID; usage: crictl logs [OPTIONS] CONTAINER-ID\n',
  );
  assert.equal(cli(['ps', '--id']).stderr, 'crictl: ps: flag --id needs a value (ID); usage: crictl ps [OPTIONS]\n');
  assert.equal(
    cli(['ps', '--al']).stderr,
    'crictl: ps: unknown flag --al (did you mean --all?); usage: crictl ps [OPTIONS]\n',
  );
  assert.equal(
    cli(['version', 'extra']).stderr,
    'crictl: version: unexpected argument "extra"; usage: crictl version [OPTIONS]\n',
  );
});
