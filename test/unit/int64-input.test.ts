// int64 request fields take a number, a bigint or a decimal string, are sent exactly, and bad
// values are refused before anything is sent, naming the field (issue #16).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, UsageError } from '../../src/lib/index.js';
import { startFakeCri } from '../fake-cri.js';

test('int64 request fields: number, bigint and string are sent exactly; bad ones are refused by name', async () => {
  const fake = await startFakeCri();
  // A loaded machine must not turn into a deadline failure.
  const cri = connect(fake.endpoint, undefined, { timeoutMs: 60_000 });
  const seen: Record<string, unknown>[] = [];
  fake.on('UpdateContainerResources', (r) => {
    seen.push(r);
    return {};
  });
  fake.on('ExecSync', (r) => {
    seen.push(r);
    return { stdout: Buffer.from('ok'), exitCode: 0 };
  });
  try {
    await cri.runtime.updateContainerResources({ containerId: 'c', linux: { memoryLimitInBytes: 2n ** 40n } });
    await cri.runtime.updateContainerResources({ containerId: 'c', linux: { cpuQuota: -1, cpuPeriod: '0100000' } });
    await cri.runtime.updateContainerResources({
      containerId: 'c',
      linux: {
        memoryLimitInBytes: '9223372036854775807',
        hugepageLimits: [{ pageSize: '2MB', limit: 2n ** 64n - 1n }],
      },
    });
    const r = await cri.runtime.execSync({ containerId: 'c', cmd: ['true'], timeout: 5 });
    assert.equal(Buffer.from(r.stdout).toString(), 'ok');
    const linux = seen.map((s) => s.linux as Record<string, unknown> | undefined);
    assert.equal(linux[0]?.memoryLimitInBytes, '1099511627776');
    assert.equal(linux[1]?.cpuQuota, '-1');
    assert.equal(linux[1]?.cpuPeriod, '100000');
    assert.equal(linux[2]?.memoryLimitInBytes, '9223372036854775807');
    assert.deepEqual(linux[2]?.hugepageLimits, [{ pageSize: '2MB', limit: '18446744073709551615' }]);
    assert.equal(seen[3].timeout, '5');

    const refused = async (request: Parameters<typeof cri.runtime.updateContainerResources>[0], message: RegExp) => {
      const before = fake.calls.length;
      await assert.rejects(cri.runtime.updateContainerResources(request), (err: Error) => {
        assert.ok(err instanceof UsageError, String(err));
        assert.match(err.message, message);
        return true;
      });
      assert.equal(fake.calls.length, before, 'nothing sent');
    };
    await refused(
      { linux: { memoryLimitInBytes: 2 ** 53 + 2 } },
      /linux\.memoryLimitInBytes \(int64\): .*not a safe integer/,
    );
    await refused({ linux: { memoryLimitInBytes: 1.5 } }, /linux\.memoryLimitInBytes .*not a safe integer/);
    await refused(
      { linux: { cpuShares: 2n ** 63n } },
      /linux\.cpuShares \(int64\): 9223372036854775808 is out of range/,
    );
    await refused(
      { linux: { hugepageLimits: [{ limit: -1 }] } },
      /linux\.hugepageLimits\[0\]\.limit \(uint64\): -1 is out of range/,
    );
    await refused(
      { linux: { oomScoreAdj: '12abc' } },
      /linux\.oomScoreAdj \(int64\): expected an integer \(number, bigint or decimal string\), got "12abc"/,
    );
  } finally {
    cri.close();
    await fake.close();
  }
});
