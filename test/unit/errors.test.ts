import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { ServiceError } from '@grpc/grpc-js';
import { Rollback } from '../../src/cli/rollback.js';
import { formatDuration, GrpcCode, isUnreachable, toCriError } from '../../src/cri/errors.js';
import { CommandError, suggest, UsageError } from '../../src/errors.js';
import * as lib from '../../src/lib/index.js';
import { reportError } from '../../src/main.js';

const report = (err: unknown) => {
  const stderr = new PassThrough();
  const code = reportError(err, stderr);
  return { code, text: String(stderr.read() ?? '') };
};

test('bad input and failed work are told apart, each one line with its exit code', () => {
  assert.deepEqual(report(new UsageError('--foo "x": expected a number')), {
    code: 1,
    text: 'crictl: --foo "x": expected a number\n',
  });
  assert.deepEqual(report(new CommandError('interrupted by SIGTERM', 143)), {
    code: 143,
    text: 'crictl: interrupted by SIGTERM\n',
  });
});

test('a runtime failure rolled back is not reported as bad input', async () => {
  const rollback = new Rollback(new PassThrough());
  try {
    await assert.rejects(
      rollback.fail('RunPodSandbox', new Error('boom')),
      (err: Error) =>
        err instanceof CommandError && !(err instanceof UsageError) && /RunPodSandbox failed: boom/.test(err.message),
    );
  } finally {
    rollback.end();
  }
});

test('the library exports both error types (UsageError kept for compatibility)', () => {
  assert.equal(lib.UsageError, UsageError);
  assert.equal(lib.CommandError, CommandError);
});

test('"did you mean" picks the closest name within three edits', () => {
  assert.equal(suggest('--tiemout', ['--timeout', '--debug']), '--timeout');
  assert.equal(suggest('zzzzzzzz', ['--timeout']), undefined);
});

test('unreachable is decided from the gRPC code and details, not from the message shown', () => {
  const failed = (code: number, details: string) =>
    toCriError(
      Object.assign(new Error(details), { code, details, metadata: undefined }) as unknown as ServiceError,
      'unix:///run/x.sock',
      'Version',
      2000,
    );
  assert.equal(
    isUnreachable(failed(GrpcCode.UNAVAILABLE, 'No connection established. Last error: connect ENOENT /run/x.sock')),
    true,
  );
  assert.equal(isUnreachable(failed(GrpcCode.UNAVAILABLE, 'connect ECONNREFUSED /run/x.sock')), true);
  assert.equal(isUnreachable(failed(GrpcCode.UNAVAILABLE, 'server is not initialized yet')), true);
  // A runtime's own words that happen to read like one of our messages change nothing.
  assert.equal(isUnreachable(failed(GrpcCode.UNAVAILABLE, 'shim closed the connection; not a socket')), true);
  assert.equal(isUnreachable(failed(GrpcCode.UNAVAILABLE, 'connect EACCES /run/x.sock')), false);
  assert.equal(isUnreachable(failed(GrpcCode.UNAVAILABLE, 'Protocol error')), false);
  assert.equal(isUnreachable(failed(GrpcCode.UNAVAILABLE, 'read ECONNRESET')), false);
  assert.equal(isUnreachable(failed(GrpcCode.NOT_FOUND, 'no such container')), false);
});

test('a deadline is named as Go prints a duration, however short', () => {
  assert.deepEqual([2000, 1500, 500, 1.5, 0.002].map(formatDuration), ['2s', '1.5s', '500ms', '1.5ms', '2\u00b5s']);
});
