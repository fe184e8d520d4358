// Streaming servers that misbehave after (or instead of) the upgrade, against the built CLI: a
// fake CRI server hands out URLs on a fake streaming server. Every case must end with one line
// on stderr and a non-zero exit, promptly: never hang, never report success it did not see.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { startFakeCri, type FakeCri } from '../fake-cri.js';
import {
  endlessErrorBody,
  rawControlFrame,
  SpdyPeer,
  spdySwitch,
  startFakeStreaming,
  type FakeStreaming,
} from '../fake-streaming.js';
import { CLI } from '../e2e/harness.js';
import { encodeData, encodeRstStream, FrameType } from '../../src/stream/spdy-frames.js';
import { NO_CONFIG } from '../tmp.js';
import { runCli, startCli, type CliOptions, type CliRun } from './child.js';

const ID = 'c'.repeat(64);
const TOKEN = 'secret-token-0123456789';
const V4 = 'v4.channel.k8s.io';
/** The idle limit the CLI is started with here (the default is longer). */
const IDLE_MS = 1500;

/** Runs the CLI with stdin closed (or given `input`) and the short idle limit. */
const run = (args: string[], opts: CliOptions = {}): Promise<CliRun> =>
  runCli(args, { input: '', ...opts, env: { CRICTL_STREAM_IDLE_MS: String(IDLE_MS), ...opts.env } });

/** A failure as promised: exit 1, one line on stderr matching `pattern`, within `withinMs`. */
function assertOneLineFailure(r: CliRun, pattern: RegExp, withinMs: number): void {
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.code, 1, `exit ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, /^crictl: .*\n$/);
  assert.match(r.stderr, pattern);
  assert.ok(!r.stderr.includes(TOKEN), `token leaked: ${r.stderr}`);
  assert.ok(r.ms < withinMs, `took ${r.ms} ms (bound ${withinMs} ms)`);
}

/** SPDY: upgrade to v4, accept every stream, then call `then` once the client opened `count`. */
function acceptStreams(count: number, then: (peer: SpdyPeer) => void) {
  return (_req: unknown, socket: import('node:net').Socket) => {
    spdySwitch(socket, V4);
    let replied = 0;
    new SpdyPeer(socket, (peer, id) => {
      void peer.reply(id).then(() => {
        if (++replied === count) then(peer);
      });
    });
  };
}

describe('streaming faults', () => {
  let fake: FakeCri;
  let streaming: FakeStreaming;
  before(async () => {
    fake = await startFakeCri();
    streaming = await startFakeStreaming();
    fake.on('Exec', () => ({ url: streaming.url(`/exec/${TOKEN}`) }));
    fake.on('Attach', () => ({ url: streaming.url(`/attach/${TOKEN}`) }));
    fake.on('PortForward', () => ({ url: streaming.url(`/portforward/${TOKEN}`) }));
  });
  after(async () => {
    await streaming.close();
    await fake.close();
  });
  const cli = (...args: string[]) => ['-r', fake.endpoint, ...args];

  test("the fake server's good path: output, exit code from the status, no token in --debug", async () => {
    streaming.onUpgrade(
      acceptStreams(3, (peer) => {
        peer.data(peer.idOf('stdout')!, 'hello\n', true);
        peer.data(peer.idOf('stderr')!, '', true);
        const status = {
          status: 'Failure',
          reason: 'NonZeroExitCode',
          message: 'exit 3',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        };
        peer.data(peer.idOf('error')!, JSON.stringify(status), true);
        setTimeout(() => peer.socket.end(), 50);
      }),
    );
    const r = await run(cli('--debug', 'exec', ID, 'sh', '-c', 'echo hello; exit 3'));
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'hello\n');
    assert.match(r.stderr, /response Exec: .*\/exec\/…/);
    assert.match(r.stderr, /streaming: spdy connection to http:\/\/127\.0\.0\.1:\d+\/exec\/…, protocol v4/);
    assert.ok(!r.stderr.includes(TOKEN), `token in --debug output: ${r.stderr}`);
  });

  test("port-forward: the pod side's error text is shown escaped", async () => {
    streaming.onUpgrade((_req, socket) => {
      spdySwitch(socket, 'portforward.k8s.io');
      new SpdyPeer(socket, (peer, id, headers) => {
        void peer.reply(id).then(() => {
          if (headers.streamtype === 'error') peer.data(id, 'refused: \x1b]0;pwned\x07\x1b[2J', true);
          else peer.data(id, '', true);
        });
      });
    });
    const { child, done } = startCli(cli('port-forward', 'd'.repeat(64), ':80'));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout.on('data', (d) => {
          stdout += d;
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(stdout);
          if (m) resolve(Number(m[1]));
        }),
      );
      const { connect } = await import('node:net');
      const conn = connect(port, '127.0.0.1');
      conn.on('error', () => undefined);
      conn.resume();
      for (let i = 0; i < 200 && !stderr.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
      conn.destroy();
      assert.equal(stderr, `error: an error occurred forwarding ${port} -> 80: refused: \\x1b]0;pwned\\a\\x1b[2J\n`);
    } finally {
      child.kill('SIGINT');
      await done;
    }
  });

  test('--debug masks the token for attach and port-forward too', async () => {
    streaming.onUpgrade((req, socket) => {
      if (req.url?.startsWith('/portforward/')) return spdySwitch(socket, 'portforward.k8s.io');
      acceptStreams(3, (peer) => {
        for (const type of ['stdout', 'stderr']) peer.data(peer.idOf(type)!, '', true);
        peer.data(peer.idOf('error')!, JSON.stringify({ status: 'Success' }), true);
        setTimeout(() => peer.socket.end(), 50);
      })(req, socket);
    });
    const attach = await run(cli('-D', 'attach', ID));
    assert.equal(attach.code, 0, attach.stderr);
    assert.match(attach.stderr, /response Attach: \{"url":"http:\/\/127\.0\.0\.1:\d+\/attach\/…"\}/);
    const pf = await run(cli('-D', 'port-forward', 'd'.repeat(64), ':80'), { interruptAfterMs: 3000 });
    assert.equal(pf.code, 130, pf.stderr);
    assert.match(pf.stderr, /response PortForward: \{"url":"http:\/\/127\.0\.0\.1:\d+\/portforward\/…"\}/);
    assert.match(
      pf.stderr,
      /streaming: spdy connection to http:\/\/127\.0\.0\.1:\d+\/portforward\/…, protocol portforward\.k8s\.io/,
    );
    for (const r of [attach, pf])
      assert.ok(!(r.stdout + r.stderr).includes(TOKEN), `token in --debug output: ${r.stderr}`);
  });

  for (const [name, args, streams] of [
    ['exec', ['exec', ID, 'sh', '-c', 'exit 3'], 3],
    ['exec -i', ['exec', '-i', ID, 'sh', '-c', 'exit 3'], 4],
    ['attach', ['attach', ID], 3],
  ] as const) {
    test(`${name}: a server that accepts the streams and closes without a status is a failure`, async () => {
      streaming.onUpgrade(acceptStreams(streams, (peer) => setTimeout(() => peer.socket.end(), 50)));
      const r = await run(cli(...args), { input: 'typed\n' });
      assertOneLineFailure(r, /without reporting how the command ended/, 15_000);
      assert.equal(r.stdout, '');
    });
  }

  test('exec -i: input is read only as fast as the server takes it (memory stays flat)', async () => {
    const total = 128 * 1024 * 1024;
    let received = 0;
    streaming.onUpgrade((_req, socket) => {
      spdySwitch(socket, V4);
      let replied = 0;
      new SpdyPeer(
        socket,
        (_peer, id) =>
          void _peer.reply(id).then(() => {
            if (++replied !== 4) return;
            // A server that stops reading for 5 s: TCP fills up, and the client must wait.
            socket.pause();
            setTimeout(() => socket.resume(), 5000);
          }),
        (peer, id, data, fin) => {
          received += data.length;
          if (!fin || id !== peer.idOf('stdin')) return;
          for (const type of ['stdout', 'stderr']) peer.data(peer.idOf(type)!, '', true);
          peer.data(peer.idOf('error')!, JSON.stringify({ status: 'Success' }), true);
          setTimeout(() => socket.end(), 50);
        },
      );
    });
    // The shell feeds the CLI from a pipe, as a user would; the CLI is the shell's only child.
    const shell = `head -c ${total} /dev/zero | exec "$0" "$@"`;
    const child = spawn('sh', ['-c', shell, CLI, ...cli('exec', '-i', ID, 'cat')], {
      env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const cliPid = () => {
      try {
        return readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .map(Number)
          .find((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('exec\0-i');
            } catch {
              return false;
            }
          });
      } catch {
        return undefined;
      }
    };
    const begin = Date.now();
    let stalledPeak = 0;
    const sampler = setInterval(() => {
      if (Date.now() - begin > 4500) return;
      try {
        const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${cliPid() ?? -1}/status`, 'utf8'));
        stalledPeak = Math.max(stalledPeak, Number(m?.[1] ?? 0) / 1024);
      } catch {
        // gone
      }
    }, 100);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise((r) => child.on('close', r));
    clearInterval(sampler);
    clearTimeout(guard);
    assert.equal(code, 0, stderr);
    assert.equal(received, total);
    assert.ok(
      stalledPeak > 0 && stalledPeak < 100,
      `peak RSS while the server did not read: ${Math.round(stalledPeak)} MiB`,
    );
  });

  test('an error stream that will not end is cut off at 64 KiB: one line, exit 1', async () => {
    streaming.onUpgrade(
      acceptStreams(3, (peer) => {
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const error = peer.idOf('error')!;
        // Bounded: stops when the client hangs up, or after 10 s.
        const stopAt = Date.now() + 10_000;
        const timer = setInterval(() => {
          if (peer.socket.destroyed || Date.now() > stopAt) return clearInterval(timer);
          peer.data(error, chunk);
        }, 5);
      }),
    );
    assertOneLineFailure(
      await run(cli('exec', ID, 'true')),
      /the streaming server sent more than 64 KiB on the error stream/,
      15_000,
    );
  });

  test('a server that upgrades and hangs up at once: one line, exit 1', async () => {
    streaming.onUpgrade((_req, socket) => {
      spdySwitch(socket, V4);
      socket.end();
    });
    assertOneLineFailure(await run(cli('exec', ID, 'true')), /streaming server .*closed the connection/, 15_000);
  });

  test('no X-Stream-Protocol-Version in the 101: refused, not taken for the oldest protocol', async () => {
    streaming.onUpgrade((_req, socket) => {
      spdySwitch(socket, undefined);
      new SpdyPeer(
        socket,
        (peer, id) => void peer.reply(id).then(() => peer.streams.size === 3 && setTimeout(() => socket.end(), 50)),
      );
    });
    assertOneLineFailure(
      await run(cli('exec', ID, 'sh', '-c', 'exit 3')),
      /did not name a protocol .*X-Stream-Protocol-Version/,
      15_000,
    );
    assertOneLineFailure(await run(cli('port-forward', 'd'.repeat(64), ':80')), /did not name a protocol/, 15_000);
  });

  test('a protocol the client did not offer is refused', async () => {
    streaming.onUpgrade((_req, socket) => spdySwitch(socket, 'v9.channel.k8s.io'));
    assertOneLineFailure(
      await run(cli('exec', ID, 'true')),
      /picked protocol "v9\.channel\.k8s\.io", which was not offered/,
      15_000,
    );
  });

  const violations: [string, Buffer | string, RegExp][] = [
    [
      'garbage after the upgrade',
      '<html><body>this is not SPDY at all</body></html>\n',
      /SPDY protocol error: frame of \d+ bytes is larger than the 1 MiB limit/,
    ],
    [
      'a data frame for a stream never opened',
      encodeData(99, 0, Buffer.from('hi')),
      /SPDY protocol error: data for stream 99, which was never opened/,
    ],
    [
      'a 16 MB frame',
      Buffer.concat([
        encodeData(1, 0, Buffer.alloc(0)).subarray(0, 4),
        Buffer.from([0, 0xff, 0xff, 0xff]),
        Buffer.alloc(1000),
      ]),
      /SPDY protocol error: frame of 16777215 bytes is larger than the 1 MiB limit/,
    ],
    [
      'a control frame of another SPDY version',
      rawControlFrame(FrameType.SYN_REPLY, Buffer.alloc(8), 2),
      /SPDY protocol error: control frame of version 2/,
    ],
    [
      'a control frame too short for its type',
      rawControlFrame(FrameType.RST_STREAM, Buffer.alloc(2)),
      /SPDY protocol error: RST_STREAM frame of 2 bytes/,
    ],
    [
      'a header block that does not decompress',
      rawControlFrame(FrameType.SYN_REPLY, Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('not zlib data')])),
      /SPDY protocol error: /,
    ],
  ];
  for (const [name, bytes, pattern] of violations) {
    test(`${name}: one line, exit 1, promptly`, async () => {
      streaming.onUpgrade((_req, socket) => {
        spdySwitch(socket, V4);
        socket.write(bytes);
      });
      assertOneLineFailure(await run(cli('exec', ID, 'true')), pattern, 15_000);
    });
  }

  test('a stream reset with an odd status or a GOAWAY before the replies: one line', async () => {
    streaming.onUpgrade((_req, socket) => {
      spdySwitch(socket, V4);
      socket.write(encodeRstStream(1, 3));
    });
    assertOneLineFailure(
      await run(cli('exec', ID, 'true')),
      /rejected the session: stream error was refused \(status 3\)/,
      15_000,
    );
  });

  test('silence after the upgrade: the idle limit ends it', async () => {
    streaming.onUpgrade((req, socket) =>
      spdySwitch(socket, req.url?.startsWith('/portforward/') ? 'portforward.k8s.io' : V4),
    );
    const r = await run(cli('exec', ID, 'true'));
    assertOneLineFailure(r, /streaming server .* sent nothing for 1\.5s after the upgrade/, IDLE_MS + 10_000);
    assert.ok(r.ms >= IDLE_MS, `ended after ${r.ms} ms, before the idle limit`);
    // Port-forward has nothing to hear until a connection comes: no limit there; ctrl-c is 130.
    const pf = await run(cli('port-forward', 'd'.repeat(64), ':80'), { interruptAfterMs: IDLE_MS * 2 });
    assert.equal(pf.code, 130, `port-forward waits for connections without a deadline: ${pf.stderr}`);
    assert.match(pf.stdout, /^Forwarding from 127\.0\.0\.1:\d+ -> 80\n$/);
    assert.equal(pf.stderr, '');
  });

  test('silence before the 101: the handshake limit ends it', async () => {
    streaming.onUpgrade(() => undefined);
    const r = await run(cli('exec', ID, 'true'), { env: { CRICTL_STREAM_HANDSHAKE_MS: '1500' } });
    assertOneLineFailure(r, /did not answer within 1\.5s/, 12_000);
  });

  for (const transport of ['spdy', 'websocket']) {
    test(`${transport}: a 500 with an endless body is one line with the start of the body`, async () => {
      streaming.onUpgrade((_req, socket) => endlessErrorBody(socket));
      const r = await run(cli('exec', '-r', transport, ID, 'true'));
      assertOneLineFailure(
        r,
        /refused the upgrade: HTTP 500 Internal Server Error: this error message goes on and on/,
        15_000,
      );
      assert.ok(r.stderr.length < 1000, `message cut short: ${r.stderr.length} bytes`);
    });
  }

  test('websocket: closing without a status, and silence after the upgrade, are failures', async () => {
    const wss = new WebSocketServer({ noServer: true, handleProtocols: () => V4 });
    try {
      streaming.onUpgrade((req, socket, head) =>
        wss.handleUpgrade(req, socket, head, (ws) => setTimeout(() => ws.close(1000), 50)),
      );
      assertOneLineFailure(
        await run(cli('exec', '-r', 'websocket', ID, 'sh', '-c', 'exit 3')),
        /without reporting how the command ended/,
        15_000,
      );
      assertOneLineFailure(
        await run(cli('attach', '-r', 'websocket', ID)),
        /without reporting how the command ended/,
        15_000,
      );

      streaming.onUpgrade((req, socket, head) => wss.handleUpgrade(req, socket, head, () => undefined));
      const r = await run(cli('exec', '-r', 'websocket', ID, 'true'));
      assertOneLineFailure(r, /sent nothing for 1\.5s after the upgrade/, IDLE_MS + 10_000);
    } finally {
      wss.close();
    }
  });
});
