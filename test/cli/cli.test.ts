// The CLI without a runtime: global flags, help, version, completion, config, parse errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VERSION } from '../../src/version.js';
import { CLI } from '../e2e/harness.js';
import { missingPath, NO_CONFIG, tempDir } from '../tmp.js';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(CLI, args, {
    encoding: 'utf8',
    env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, CONTAINER_RUNTIME_ENDPOINT: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version, --help and per-command help', () => {
  assert.equal(cli(['--version']).stdout, `crictl version ${VERSION}\n`);
  const help = cli(['--help']);
  assert.equal(help.code, 0);
  for (const cmd of [
    'attach',
    'create',
    'exec',
    'images',
    'info',
    'inspect',
    'inspecti',
    'inspectp',
    'logs',
    'port-forward',
    'ps',
    'pull',
    'rm',
    'rmi',
    'rmp',
    'run',
    'runp',
    'start',
    'stats',
    'statsp',
    'stop',
    'stopp',
    'update',
    'version',
    'config',
    'completion',
  ]) {
    assert.match(help.stdout, new RegExp(`^   ${cmd} +\\S`, 'm'), `${cmd} listed`);
  }
  const ps = cli(['ps', '--help']);
  assert.equal(ps.code, 0);
  assert.match(ps.stdout, /List containers/);
  assert.match(ps.stdout, /-a,--all/);
  assert.match(ps.stdout, /crictl ps -a/);
  assert.equal(cli(['--help', 'ps']).stdout, ps.stdout);
  // Commands with required arguments still show help, and sub-paths get their own.
  for (const cmd of [['attach'], ['logs'], ['exec'], ['create'], ['runp', 'jsonschema']]) {
    const r = cli([...cmd, '--help']);
    assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`\\$ crictl ${cmd.join(' ')}`));
  }
});

test('unknown commands and flags: one line, a suggestion, exit 1', () => {
  assert.deepEqual(cli(['imagse']), {
    code: 1,
    stdout: '',
    stderr: 'crictl: unknown command "imagse" (did you mean "images"?); run crictl --help for the list\n',
  });
  assert.deepEqual(cli(['ps', '--bogus']), {
    code: 1,
    stdout: '',
    stderr: 'crictl: ps: unknown flag --bogus; usage: crictl ps [OPTIONS]\n',
  });
  const badTimeout = cli(['-t', '5x', '-r', `unix://${missingPath('cri.sock')}`, 'version']);
  assert.equal(badTimeout.code, 1);
  assert.match(badTimeout.stderr, /^crictl: invalid --timeout "5x": expected a number with a unit/);
});

test('completion scripts for bash, zsh and fish', () => {
  // What they complete is tested by driving each shell (test/e2e/completion.test.ts).
  const bash = cli(['completion', 'bash']).stdout;
  assert.match(bash, /complete -F _crictl crictl crictl-ts/);
  const check = spawnSync('bash', ['-n'], { input: bash });
  assert.equal(check.status, 0, check.stderr?.toString());
  assert.match(cli(['completion', 'zsh']).stdout, /^#compdef crictl crictl-ts/);
  assert.match(cli(['completion', 'fish']).stdout, /^complete -c crictl -f -a '\(__crictl_complete\)'$/m);
  assert.equal(cli(['completion', 'tcsh']).code, 1);
});

test('config: --set, positional, --get, --list, comments kept, bad values refused', () => {
  const dir = tempDir('crictl-cli-');
  const file = join(dir, 'crictl.yaml');
  writeFileSync(file, '# managed by hand\nruntime-endpoint: unix:///old.sock\n');
  assert.equal(cli(['--config', file, 'config', '--set', 'timeout=9,debug=true']).code, 0);
  assert.equal(cli(['--config', file, 'config', 'runtime-endpoint', 'unix:///new.sock']).code, 0);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^# managed by hand\n/);
  assert.equal(cli(['--config', file, 'config', '--get', 'runtime-endpoint']).stdout, 'unix:///new.sock\n');
  assert.equal(cli(['-c', file, 'config', '--get', 'timeout']).stdout, '9\n');
  assert.match(cli(['-c', file, 'config', '--list']).stdout, /^KEY +VALUE\nruntime-endpoint +unix:\/\/\/new\.sock\n/);
  const bad = cli(['-c', file, 'config', '--set', 'timeout=soon']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'crictl: config: timeout: expected a whole number of seconds (>= 0), got "soon"\n');
  assert.match(
    cli(['-c', file, 'config', '--set', 'runtime_endpoint=x']).stderr,
    /unknown key "runtime_endpoint" \(did you mean runtime-endpoint\?\)/,
  );
  assert.equal(
    readFileSync(file, 'utf8'),
    text.replace(/.*/s, (t) => t),
    'refused writes leave the file alone',
  );
  // The file is what the next command uses.
  const r = cli(['-c', file, 'version']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^crictl: connect unix:\/\/\/new\.sock: no such file or directory/m);
  assert.match(r.stderr, /^DEBU request Version: /m, 'debug: true from the file is honoured');
});

test('no endpoint anywhere: the default is named in one warning line', () => {
  const r = cli(['version'], { CRI_CONFIG_FILE: NO_CONFIG });
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^WARN: runtime endpoint not set, using unix:\/\/\/run\/containerd\/containerd\.sock \(tried /,
  );
});

test('a closed output pipe ends the program quietly', () => {
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${CLI} completion fish | head -1`], { encoding: 'utf8' });
  assert.equal(r.stdout, '# fish completion for crictl (crictl-ts)\n');
  assert.equal(r.stderr, '');
});
