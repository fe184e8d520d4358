// Help and parse errors are formatted centrally (src/cli/help.ts) for every command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { commandHelp, commandShape, usageLine, valueNameOf } from '../../src/cli/help.js';
import { CLI } from '../e2e/harness.js';
import { NO_CONFIG } from '../tmp.js';

function cli(args: string[]) {
  const r = spawnSync(CLI, args, {
    encoding: 'utf8',
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const byPath = (path: string) => {
  const found = COMMANDS.find((c) => c.paths?.some((p) => p.join(' ') === path));
  assert.ok(found, path);
  return found;
};

test("option value names come from the option, never clipanion's #0", () => {
  const ps = commandHelp(byPath('ps'));
  assert.match(ps, /^ {3}-o,--output FORMAT +Output format/m);
  assert.match(ps, /^ {3}--id ID +Filter by container id/m);
  assert.match(ps, /^ {3}-p,--pod POD-ID /m);
  assert.match(ps, /^ {3}--label KEY=VALUE /m);
  assert.match(ps, /^ {3}-a,--all +Show all containers/m);
  assert.match(ps, /^ {3}-n,--last N /m);
  assert.doesNotMatch(ps, /#\d/);
  for (const c of COMMANDS) assert.doesNotMatch(commandHelp(c), /#\d|\.\.\.\s*$/m, c.paths?.[0]?.join(' ') ?? '');
  assert.equal(valueNameOf(['--cpu-quota'], 'CPU CFS hardcap limit'), 'CPU-QUOTA');
  assert.equal(valueNameOf(['-e', '--export'], 'name of the tar archive'), 'FILE');
});

test('usage lines name the arguments', () => {
  assert.equal(usageLine(commandShape(byPath('start'))), 'crictl start CONTAINER-ID [CONTAINER-ID...]');
  assert.equal(
    usageLine(commandShape(byPath('create'))),
    'crictl create [OPTIONS] POD container-config.[json|yaml] pod-config.[json|yaml]',
  );
  assert.equal(usageLine(commandShape(byPath('exec'))), 'crictl exec [OPTIONS] CONTAINER-ID [COMMAND [ARG...]]');
  assert.equal(usageLine(commandShape(byPath('logs'))), 'crictl logs [OPTIONS] CONTAINER-ID');
  assert.equal(usageLine(commandShape(byPath('config'))), 'crictl config [OPTIONS] [KEY VALUE...]');
  assert.match(usageLine(commandShape(byPath('port-forward'))), /POD-ID LOCAL:REMOTE \[LOCAL:REMOTE\.\.\.\]$/);
});

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
