// crictl's (urfave/cli's) spellings of flags, parsed into what each command receives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cli } from 'clipanion';
import { commandShape, matchPath, normalizeArgs, parseGoBool } from '../../src/cli/argv.js';
import { COMMANDS } from '../../src/cli/commands.js';
import type { CliContext } from '../../src/cli/context.js';
import { describeParseError } from '../../src/cli/help.js';

/** Parses a command line as main() does and returns the command's option values. */
function parse(argv: string[]): Record<string, unknown> {
  const cli = new Cli<CliContext>({ binaryName: 'crictl' });
  for (const c of COMMANDS) cli.register(c);
  const path = matchPath(argv, COMMANDS);
  assert.ok(path, `no command for ${argv.join(' ')}`);
  const args = [
    ...argv.slice(0, path.length),
    ...normalizeArgs(argv.slice(path.length), commandShape(path.command), argv[0]),
  ];
  // Parsing only: nothing runs, so the command context's services are never called.
  const context = {} as Omit<CliContext, keyof import('clipanion').BaseContext>;
  return cli.process(args, context) as unknown as Record<string, unknown>;
}

/** The one line main() prints for a command line the parser refuses. */
function refused(argv: string[]): string {
  const cli = new Cli<CliContext>({ binaryName: 'crictl' });
  for (const c of COMMANDS) cli.register(c);
  try {
    parse(argv);
  } catch (err) {
    return describeParseError(err, argv, cli, COMMANDS);
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

test('values are checked while parsing, each refusal one line in our words', () => {
  assert.equal(parse(['ps', '-o', 'yaml']).output, 'yaml');
  assert.equal(parse(['version']).output, '');
  assert.equal(
    refused(['ps', '-o', 'xml']),
    'unsupported output format "xml": use one of json, yaml, table, go-template',
  );
  assert.equal(
    refused(['info', '--output=table']),
    'unsupported output format "table": use one of json, yaml, go-template',
  );
  assert.equal(
    refused(['version', '-o', 'text']),
    'unsupported output format "text": use one of json, yaml, go-template, table',
  );
  // Seconds are whole numbers written plainly, within Go's duration range.
  assert.equal(parse(['stop', '-t', '30', 'x']).timeout, 30);
  assert.equal(refused(['stop', '-t', '1e3', 'x']), '--timeout "1e3": expected whole seconds');
  assert.equal(refused(['exec', '--timeout', '1.5', 'x', 'true']), '--timeout "1.5": expected whole seconds');
  assert.equal(refused(['stats', '-s', '0']), '--seconds "0": expected a whole number of seconds >= 1');
  assert.equal(
    refused(['stop', '-t', '9223372037', 'x']),
    '--timeout "9223372037": out of range (at most 9223372036 seconds, about 292 years)',
  );
  assert.equal(refused(['logs', '--tail', 'many', 'x']), '--tail "many": expected a whole number');
});

test("booleans take =true and =false (and Go's other spellings)", () => {
  assert.equal(parse(['ps', '--all=true']).all, true);
  assert.equal(parse(['ps', '--all=false']).all, false);
  assert.equal(parse(['ps', '-a=false', '-q=1']).all, false);
  assert.equal(parse(['ps', '-a=false', '-q=1']).quiet, true);
  assert.equal(parse(['rm', '--force=True', 'x']).force, true);
  assert.equal(parse(['rm', '--force=F', 'x']).force, false);
  assert.equal(parseGoBool('yes'), undefined);
  assert.throws(() => parse(['ps', '--all=maybe']), /ps: --all=maybe: expected true or false/);
});

test("a value starting with a dash is the value, as with Go's flag package", () => {
  assert.equal(parse(['logs', '--tail', '-1', 'abc']).tail, -1);
  assert.equal(parse(['logs', '--limit-bytes', '-1', 'abc']).limitBytes, -1);
  assert.equal(parse(['ps', '--last', '-2']).last, '-2');
  assert.equal(parse(['ps', '-n', '-2']).last, '-2');
  assert.equal(parse(['pods', '-n', '3']).last, '3');
  assert.equal(parse(['ps', '--name', '-web']).name, '-web');
  // Flag values with '=' inside stay whole; empty values stay empty.
  assert.deepEqual(parse(['ps', '--label', 'a=b=c']).label, ['a=b=c']);
  assert.equal(parse(['ps', '--name', '']).name, '');
  // Positionals and bundles are left alone.
  const rm = parse(['rm', '-fa']);
  assert.equal(rm.force, true);
  assert.equal(rm.all, true);
});

test('long names with one dash, as Go accepts them', () => {
  assert.equal(parse(['logs', '-tail', '5', 'abc']).tail, 5);
  assert.equal(parse(['ps', '-last=4']).last, '4');
  assert.equal(parse(['ps', '-all']).all, true);
});

test('exec: everything after the container ID goes to the command untouched', () => {
  const r = parse(['exec', '-i', 'abc', 'sh', '-c', '--tail', '-1', '--all=false']);
  assert.equal(r.first, 'abc');
  assert.deepEqual(r.rest, ['sh', '-c', '--tail', '-1', '--all=false']);
});

test('aliases crictl master has: logs -s, exec -p, --tls-server-name, rmi -q (prune), ps -r, pods -n', () => {
  assert.equal(parse(['logs', '-s', 'stderr', 'abc']).stream, 'stderr');
  assert.equal(parse(['exec', '-p', 'pod1', 'abc', 'ls']).pod, 'pod1');
  assert.equal(parse(['attach', '--tls-server-name', 'node1', 'abc']).tlsSni, 'node1');
  assert.equal(parse(['port-forward', '--tls-server-name=node1', 'abc', '80']).tlsSni, 'node1');
  const rmi = parse(['rmi', '-q']);
  assert.equal(rmi.prune, true);
  assert.equal(rmi.quiet, false);
  assert.equal(parse(['ps', '-r']).resolveImagePath, true);
  assert.equal(parse(['inspect', '-n', '2', '-s', 'exited']).last, '2');
  assert.equal(parse(['inspectp', '-l', '--namespace', 'kube']).namespace, 'kube');
  assert.deepEqual(parse(['inspecti', '-f', 'dangling=true']).filter, ['dangling=true']);
  assert.equal(parse(['update', '--oom-score-adj', '-500', 'abc']).oomScoreAdj, '-500');
  assert.equal(parse(['rm', '-k', 'abc']).keepLogs, true);
  assert.equal(parse(['stop', '-a']).all, true);
  assert.equal(parse(['pull', '--pt', '1m', '-u', 'me', 'img']).pullTimeout, '1m');
  assert.equal(parse(['metricsp', '-w']).watch, true);
  assert.equal(parse(['create', 'jsonschema', '-p']).pod, true);
  assert.equal(parse(['run', 'js', '-c']).container, true);
  // `config KEY VALUE` with a negative value: Go stops reading flags at the first positional.
  assert.deepEqual(parse(['config', 'max-retries', '-1']).args, ['max-retries', '-1']);
});
