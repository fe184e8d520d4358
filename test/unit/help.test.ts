// Help is formatted centrally (src/cli/help.ts) for every command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { commandHelp, commandShape, usageLine, valueNameOf } from '../../src/cli/help.js';

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
