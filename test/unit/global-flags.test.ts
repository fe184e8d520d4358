// What start-up reads from the command line before any command runs: global flags, and the
// facts of the command named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandFacts } from '../../src/cli/commands.js';
import { parseGlobalArgs } from '../../src/cli/global-flags.js';

test('global flags come before the command, in every spelling', () => {
  assert.deepEqual(parseGlobalArgs(['-r', 'unix:///a', '--timeout=5s', '-D', 'ps', '-a']), {
    flags: { runtimeEndpoint: 'unix:///a', timeout: '5s', debug: true },
    help: false,
    version: false,
    rest: ['ps', '-a'],
  });
  assert.deepEqual(parseGlobalArgs(['--image-endpoint=unix:///i', '-c', '/c.yaml', 'images']).flags, {
    imageEndpoint: 'unix:///i',
    config: '/c.yaml',
  });
  // Flags after the command belong to the command (-r is --reverse for logs).
  assert.deepEqual(parseGlobalArgs(['logs', '-r', 'abc']).rest, ['logs', '-r', 'abc']);
  assert.throws(
    () => parseGlobalArgs(['--runtime-endpiont', 'x', 'ps']),
    /unknown global flag --runtime-endpiont \(did you mean --runtime-endpoint\?\)/,
  );
  assert.throws(() => parseGlobalArgs(['-r']), /flag -r needs a value/);
});

test('start-up facts come from the command named, sub-commands included', () => {
  const facts = (line: string) => commandFacts(line.split(' ').filter(Boolean));
  assert.deepEqual(facts('logs -f abc'), { longRunning: true, offline: false });
  assert.deepEqual(facts('ps -a'), { longRunning: false, offline: false });
  assert.deepEqual(facts('validate --parallel 4'), { longRunning: true, offline: false });
  // `pull jsonschema` prints a schema: neither a pull nor a runtime call.
  assert.deepEqual(facts('pull'), { longRunning: true, offline: false });
  assert.deepEqual(facts('pull jsonschema'), { longRunning: false, offline: true });
  assert.deepEqual(facts('config --list'), { longRunning: false, offline: true });
  assert.deepEqual(facts(''), { longRunning: false, offline: true });
  assert.deepEqual(facts('help'), { longRunning: false, offline: true });
});
