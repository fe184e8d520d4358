// Parsing the remote command protocol's pieces: status → exit code, detach keys, port specs,
// and the one-line messages for a streaming server that would not upgrade.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetachKeyFilter, parseDetachKeys } from '../../src/stream/detach-keys.js';
import { parsePortSpec } from '../../src/stream/port-forward.js';
import { parseTransport } from '../../src/stream/remotecommand.js';
import { exitCodeFromErrorStream, RemoteCommandError } from '../../src/stream/status.js';
import { bodyMessage, describeRejection, redactToken } from '../../src/stream/upgrade.js';

const V4 = 'v4.channel.k8s.io';
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

test('v4 status: Success is 0, NonZeroExitCode carries the code, other failures throw', () => {
  assert.throws(
    () => exitCodeFromErrorStream(V4, Buffer.alloc(0)),
    /closed the connection without reporting how the command ended/,
  );
  assert.equal(exitCodeFromErrorStream(V4, json({ metadata: {}, status: 'Success' })), 0);
  const nonZero = {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: exit status 7',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '7' }] },
  };
  assert.equal(exitCodeFromErrorStream(V4, json(nonZero)), 7);
  assert.equal(exitCodeFromErrorStream('v5.channel.k8s.io', json(nonZero)), 7);
  assert.throws(
    () =>
      exitCodeFromErrorStream(
        V4,
        json({ status: 'Failure', reason: 'InternalError', message: 'error executing command in container: boom' }),
      ),
    (err: Error) => err instanceof RemoteCommandError && err.message === 'error executing command in container: boom',
  );
  assert.throws(() => exitCodeFromErrorStream(V4, json({ ...nonZero, details: { causes: [] } })), /non-zero exit code/);
  assert.throws(() => exitCodeFromErrorStream(V4, Buffer.from('not json')), /unreadable status/);
});

test('pre-v4 error text: exit code recovered from the message, else an error', () => {
  assert.equal(exitCodeFromErrorStream('v3.channel.k8s.io', Buffer.alloc(0)), 0);
  assert.equal(
    exitCodeFromErrorStream(
      'channel.k8s.io',
      Buffer.from('command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3'),
    ),
    3,
  );
  assert.throws(
    () => exitCodeFromErrorStream('v2.channel.k8s.io', Buffer.from('container not found\nmore')),
    /^RemoteCommandError: container not found$/,
  );
});

test('transport names', () => {
  assert.equal(parseTransport('SPDY'), 'spdy');
  assert.equal(parseTransport('websocket'), 'websocket');
  assert.throws(() => parseTransport('http2'), /--transport "http2": must be one of: spdy, websocket/);
});

test('detach keys: docker syntax', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [0x10, 0x11]);
  assert.deepEqual(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'), [0, 27, 28, 29, 30, 31]);
  assert.deepEqual(parseDetachKeys('a,ctrl-X'), [97, 24]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /--detach-keys "ctrl-1": unknown key "ctrl-1"/);
  assert.throws(() => parseDetachKeys('ab'), /unknown key "ab"/);
});

test('detach filter: holds a possible prefix, releases it on mismatch, stops at the sequence', () => {
  const f = new DetachKeyFilter([0x10, 0x11]);
  assert.deepEqual(f.feed(Buffer.from('ls\r')), { forward: Buffer.from('ls\r'), detached: false });
  assert.deepEqual(f.feed(Buffer.from([0x10])), { forward: Buffer.alloc(0), detached: false });
  assert.deepEqual(f.feed(Buffer.from('x')), { forward: Buffer.from([0x10, 0x78]), detached: false });
  assert.deepEqual(f.feed(Buffer.from([0x61, 0x10, 0x10])), { forward: Buffer.from([0x61, 0x10]), detached: false });
  assert.deepEqual(f.feed(Buffer.from([0x11, 0x62])), { forward: Buffer.alloc(0), detached: true });
  assert.deepEqual(f.feed(Buffer.from('more')), { forward: Buffer.alloc(0), detached: true });
  const single = new DetachKeyFilter([0x18]);
  assert.deepEqual(single.feed(Buffer.from([0x61, 0x18, 0x62])), { forward: Buffer.from('a'), detached: true });
  assert.deepEqual(new DetachKeyFilter([]).feed(Buffer.from([0x10, 0x11])).detached, false);
});

test('port specs', () => {
  assert.deepEqual(parsePortSpec('8080'), { local: 8080, remote: 8080 });
  assert.deepEqual(parsePortSpec('8080:80'), { local: 8080, remote: 80 });
  assert.deepEqual(parsePortSpec(':80'), { local: 0, remote: 80 });
  assert.deepEqual(parsePortSpec('0:80'), { local: 0, remote: 80 });
  assert.throws(
    () => parsePortSpec('99999:80'),
    /^UsageError: invalid port spec "99999:80": local port 99999 is out of range \(0-65535\)$/,
  );
  assert.throws(() => parsePortSpec('80:0'), /remote port 0 is out of range \(1-65535\)/);
  assert.throws(() => parsePortSpec('0'), /remote port 0 is out of range/);
  assert.throws(() => parsePortSpec('http'), /remote port "http" is not a number/);
  assert.throws(() => parsePortSpec('1:2:3'), /expected PORT or LOCAL:REMOTE/);
  assert.throws(() => parsePortSpec('-1:80'), /local port "-1" is not a number/);
});

test("rejected upgrades: status, the server's message, token kept out", () => {
  assert.equal(bodyMessage('404 page not found\n'), '404 page not found');
  assert.equal(bodyMessage('{"kind":"Status","message":"pods \\"x\\" is forbidden"}'), 'pods "x" is forbidden');
  assert.equal(bodyMessage(''), '');
  assert.equal(redactToken('http://127.0.0.1:4000/exec/Ab_9xYz'), 'http://127.0.0.1:4000/exec/…');
  assert.equal(
    describeRejection('http://127.0.0.1:4000/exec/tok', 404, 'Not Found', '404 page not found').message,
    'streaming server http://127.0.0.1:4000/exec/… refused the upgrade: HTTP 404 Not Found: 404 page not found (the streaming URL expired or was already used)',
  );
  assert.equal(
    describeRejection(
      'http://127.0.0.1:4000/exec/tok',
      403,
      'Forbidden',
      'unable to upgrade: unable to negotiate protocol',
    ).message,
    'streaming server http://127.0.0.1:4000/exec/… refused the upgrade: HTTP 403 Forbidden: unable to upgrade: unable to negotiate protocol',
  );
});
