// Shell completion, driven through each shell's own completion function (bash, zsh, fish):
// commands, flags, flag values, config keys, files where a file is expected, and container, pod
// and image names/IDs from the lab containerd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BUSYBOX, CLI, closeCri, ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';
import { NO_CONFIG, tempDir } from '../tmp.js';

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const skipShell = (shell: string) =>
  has(shell) ? false : `${shell} is not installed (scripts/test.sh installs it as root)`;

// A `crictl` on PATH (the scripts run the command as typed) and a directory with files in it.
const bin = tempDir('completion-bin-');
writeFileSync(join(bin, 'crictl'), `#!/bin/sh\nexec '${CLI}' "$@"\n`);
chmodSync(join(bin, 'crictl'), 0o755);
const cwd = tempDir('completion-cwd-');
writeFileSync(join(cwd, 'pod.yaml'), '');
writeFileSync(join(cwd, 'container.json'), '');
const env = {
  ...process.env,
  PATH: `${bin}:${process.env.PATH}`,
  CRI_CONFIG_FILE: NO_CONFIG,
  CONTAINER_RUNTIME_ENDPOINT: '',
};

function run(shell: string, args: string[], line: string): string[] {
  const r = spawnSync(shell, [...args, line], { cwd, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${shell} ${line}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** bash: COMP_* set as bash sets them for `line` (cursor at the end), then the function. */
function bash(line: string, words?: string[]): string[] {
  const setWords = words
    ? `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`
    : 'read -ra COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" =~ [[:space:]]$ ]] && COMP_WORDS+=("")';
  const script = `source <(crictl completion bash); COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}; ${setWords}; COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _crictl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return run('bash', ['--norc', '-c', script, '_'], line);
}

/** zsh: the completion system's compadd/_describe/_files stand in as printers. */
function zsh(line: string): string[] {
  const script = [
    'compdef() { : }',
    'compadd() { local i; for ((i=1;i<=$#;i++)); do [[ ${@[i]} == -- ]] && { print -rl -- "${@[i+1,-1]}"; return; }; done }',
    "_describe() { local d; for d in \"${(@P)${@[-1]}}\"; do d=${d//\\\\:/$'\\1'}; d=${d%%:*}; print -r -- ${d//$'\\1'/:}; done }",
    '_files() { print -r -- ":FILES" }',
    'source <(crictl completion zsh)',
    'words=(${(z)1}); [[ $1 == *" " ]] && words+=("")',
    'CURRENT=${#words}',
    '_crictl',
  ].join('\n');
  return run('zsh', ['-f', '-c', script, '_'], line);
}

/** fish: `complete -C` runs the registered completions for a command line. */
function fish(line: string): string[] {
  return run('fish', ['--no-config', '-c', 'crictl completion fish | source; complete -C "$argv[1]"'], line).map(
    (l) => l.split('\t')[0],
  );
}

const SHELLS = { bash, zsh, fish } as const;

describe('completion without a runtime', () => {
  for (const [name, complete] of Object.entries(SHELLS)) {
    test(`${name}: commands, flags, values, config keys, files`, { skip: skipShell(name) }, () => {
      assert.deepEqual(complete('crictl ins').sort(), ['inspect', 'inspecti', 'inspectp']);
      assert.deepEqual(complete('crictl --run'), ['--runtime-endpoint']);
      assert.deepEqual(complete('crictl ps --ou'), ['--output']);
      assert.deepEqual(complete('crictl ps -o ').sort(), ['go-template', 'json', 'table', 'yaml']);
      assert.deepEqual(complete('crictl pods --state ').sort(), ['notready', 'ready']);
      assert.deepEqual(complete('crictl config --get time'), ['timeout']);
      assert.ok(complete('crictl config --set ').includes('runtime-endpoint='));
      assert.deepEqual(complete('crictl template ').sort(), ['container', 'pod']);
      // File names only where a file is expected.
      const files = name === 'zsh' ? [':FILES'] : ['container.json', 'pod.yaml'];
      assert.deepEqual(complete('crictl runp ').sort(), files);
      assert.deepEqual(complete('crictl --config ').sort(), files);
      assert.deepEqual(complete('crictl create POD ').sort(), files);
      assert.deepEqual(complete('crictl version '), []);
      assert.deepEqual(complete('crictl ps --label '), []);
    });
  }

  test('bash: a word split at = or : is completed from the split', { skip: skipShell('bash') }, () => {
    assert.deepEqual(bash('crictl ps --output=ya', ['crictl', 'ps', '--output', '=', 'ya']), ['yaml']);
    assert.deepEqual(bash('crictl ps --output=', ['crictl', 'ps', '--output', '=']).sort(), [
      '=go-template',
      '=json',
      '=table',
      '=yaml',
    ]);
  });

  test('a runtime that does not answer: nothing, within a few seconds', { skip: skipShell('bash') }, async () => {
    const dir = tempDir('completion-silent-');
    const sock = join(dir, 'silent.sock');
    // Accepts connections (the kernel does, even while this process waits) and never speaks.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const started = Date.now();
      assert.deepEqual(bash(`crictl -r unix://${sock} stop `), []);
      assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    } finally {
      server.close();
    }
  });
});

describe('completion of IDs and names from the runtime', { skip: SKIP }, () => {
  let podId = '';
  let containerId = '';
  let podName = '';
  before(async () => {
    const pod = await runPod('complete');
    podId = pod.podId;
    podName = pod.config.metadata?.name ?? '';
    containerId = await runContainer(podId, pod.config, 'completeme', ['sleep', '600']);
  });
  after(async () => {
    await removePods([podId]);
    closeCri();
  });

  for (const [name, complete] of Object.entries(SHELLS)) {
    test(`${name}: containers, pods and images`, { skip: skipShell(name) }, () => {
      const r = `crictl -r ${ENDPOINT}`;
      assert.deepEqual(complete(`${r} stop complete`), ['completeme']);
      assert.deepEqual(complete(`${r} logs ${containerId.slice(0, 10)}`), [containerId]);
      assert.ok(complete(`${r} exec `).includes(containerId));
      assert.deepEqual(complete(`${r} stopp ${podName}`), [podName]);
      assert.deepEqual(complete(`${r} inspectp ${podId.slice(0, 10)}`), [podId]);
      assert.deepEqual(complete(`${r} ps --pod ${podId.slice(0, 10)}`), [podId]);
      assert.deepEqual(complete(`${r} rmi docker.io/library/busybox`), [BUSYBOX]);
      assert.ok(complete(`${r} inspecti `).includes(BUSYBOX));
      // The endpoint may come from the environment as well.
      const viaEnv = spawnSync(
        'bash',
        ['--norc', '-c', `CONTAINER_RUNTIME_ENDPOINT=${ENDPOINT} crictl __complete rm complete`],
        { env, encoding: 'utf8' },
      );
      assert.equal(viaEnv.stdout, `completeme\t${containerId.slice(0, 13)}\n`);
    });
  }
});
