// exec in several containers chosen by selection flags (crictl HEAD): headers, -e, -x.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeCri, crictl, removePods, runContainer, runPod, SKIP } from './harness.js';

describe('exec in several containers', { skip: SKIP }, () => {
  let podId: string;
  const ids: string[] = [];
  before(async () => {
    const pod = await runPod('exec-many');
    podId = pod.podId;
    for (const name of ['web-a', 'web-b', 'db'])
      ids.push(await runContainer(podId, pod.config, name, ['sleep', '3600']));
  });
  after(async () => {
    await removePods([podId]);
    closeCri();
  });

  test('runs in each match, newest first, under a header; stops at the first failure', () => {
    const r = crictl(['exec', '-s', '--pod', podId, '--name', '^web-', 'sh', '-c', 'echo out; exit 3']);
    assert.equal(r.code, 3);
    // web-b is newest; without -e the run stops after it.
    assert.equal(r.stdout, `==> ${ids[1].slice(0, 13)} (web-b) <==\nout\n`);
    const all = crictl(['exec', '-s', '-e', '--pod', podId, '--name', '^web-', 'sh', '-c', 'echo out; exit 3']);
    assert.equal(all.code, 3);
    assert.equal(
      all.stdout,
      `==> ${ids[1].slice(0, 13)} (web-b) <==\nout\n==> ${ids[0].slice(0, 13)} (web-a) <==\nout\n`,
    );
  });

  test('-x runs everywhere at once and keeps each block whole; -q drops headers', () => {
    const r = crictl(['exec', '-x', '-q', '--pod', podId, 'sh', '-c', 'echo one; sleep 1; echo two']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'one\ntwo\n'.repeat(3));
    const single = crictl(['exec', '--pod', podId, '--name', '^db$', 'echo', 'only']);
    assert.equal(single.stdout, 'only\n', 'one match: no header');
  });

  test('no match, or -it with several: one line, exit 1', () => {
    assert.equal(
      crictl(['exec', '--pod', podId, '--name', 'nomatch', 'true']).stderr,
      'crictl: exec: no container matches the selection\n',
    );
    assert.match(
      crictl(['exec', '-it', '--pod', podId, 'sh']).stderr,
      /^crictl: exec: -i and -t need a single container/,
    );
  });
});
