// Streaming commands against the real lab containerd: exec (SPDY and WebSocket), the TTY path
// under a pseudo-terminal, attach with detach keys, port-forward, and the error lines.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { connect as tcpConnect } from 'node:net';
import { after, describe, test } from 'node:test';
import { BUSYBOX, CLI, closeCri, cri, crictl, ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';
import { runRemoteCommand } from '../../src/stream/remotecommand.js';
import { NO_CONFIG } from '../tmp.js';

const TRANSPORTS = ['spdy', 'websocket'] as const;
const hasScript = spawnSync('script', ['--version']).status === 0;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** A pod with one running busybox container; removed by `done()`. */
async function sandbox(prefix: string, command: string[]) {
  const { podId, config } = await runPod(prefix);
  const containerId = await runContainer(podId, config, 'main', command);
  return { podId, config, containerId, done: () => removePods([podId]) };
}

/** Runs the CLI with binary-safe input and output, killed after `timeoutMs`. */
function run(
  args: string[],
  input?: Buffer | string,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(CLI, ['-r', ENDPOINT, ...args], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    const out: Buffer[] = [];
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    if (input !== undefined) p.stdin.end(input);
  });
}

/** A process whose output we can wait on and whose input we type, e.g. `script` giving us a pty. */
class Session {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcessWithoutNullStreams;

  constructor(cmd: string, args: string[]) {
    this.proc = spawn(cmd, args, { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG, TERM: 'xterm' } });
    this.proc.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('close', resolve));
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${pattern}; output so far: ${JSON.stringify(this.output)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  type(text: string): void {
    this.proc.stdin.write(text);
  }

  /** Our process tree below the spawned one (read from /proc), to signal one process in it. */
  descendants(): { pid: number; cmdline: string }[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // gone already
      }
    }
    const out: { pid: number; cmdline: string }[] = [];
    const walk = (pid: number) => {
      for (const child of children.get(pid) ?? []) {
        try {
          out.push({ pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ') });
        } catch {
          continue;
        }
        walk(child);
      }
    };
    walk(this.proc.pid ?? -1);
    return out;
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

/** The CLI inside a pseudo-terminal of the given size, via util-linux script. */
function inPty(cliArgs: string, cols = 91, rows = 33): Session {
  const cli = `${JSON.stringify(CLI)} -r ${ENDPOINT}`;
  const cmd = `stty cols ${cols} rows ${rows}; ${cli} ${cliArgs}; echo "rc=$?"; stty -a`;
  return new Session('script', ['-qfec', cmd, '/dev/null']);
}

/** Terminal modes after crictl exited: raw mode turned icanon and echo off. */
function assertTerminalRestored(output: string): void {
  const after = output.slice(output.lastIndexOf('rc='));
  assert.match(after, /(^|\s)icanon(\s|$)/, `canonical mode back on: ${after}`);
  assert.match(after, /(^|\s)echo(\s|$)/, `echo back on: ${after}`);
}

async function containerState(containerId: string): Promise<string> {
  const { status } = await cri().runtime.containerStatus({ containerId });
  return String(status?.state);
}

describe('streaming commands on a real runtime', { skip: SKIP, timeout: 300_000 }, () => {
  after(() => closeCri());

  for (const transport of TRANSPORTS) {
    test(`exec ${transport}: output streams and the exit code comes back`, { timeout: 60_000 }, async () => {
      const box = await sandbox(`exec-${transport}`, ['sleep', '3600']);
      try {
        const hi = await run(['-D', 'exec', '-r', transport, box.containerId, 'echo', 'hi']);
        assert.equal(hi.code, 0, hi.stderr);
        assert.equal(hi.stdout.toString(), 'hi\n');
        // containerd 1.6 knows no v5: the WebSocket client must have settled for v4 (and SPDY picks v4).
        assert.match(
          hi.stderr,
          new RegExp(
            `DEBU streaming: ${transport} connection to http://127\\.0\\.0\\.1:\\d+/exec/…, protocol v4\\.channel\\.k8s\\.io`,
          ),
        );

        const seven = await run(['exec', '-r', transport, box.containerId, 'sh', '-c', 'echo before; exit 7']);
        assert.equal(seven.code, 7, seven.stderr);
        assert.equal(seven.stdout.toString(), 'before\n');
        assert.equal(seven.stderr, '');

        const split = await run(['exec', '-r', transport, box.containerId, 'sh', '-c', 'echo out; echo err >&2']);
        assert.equal(split.code, 0);
        assert.equal(split.stdout.toString(), 'out\n');
        assert.equal(split.stderr, 'err\n');
      } finally {
        await box.done();
      }
    });
  }

  test('exec -i over SPDY: piped input reaches EOF, binary data survives', { timeout: 60_000 }, async () => {
    const box = await sandbox('exec-stdin', ['sleep', '3600']);
    try {
      const hi = await run(['exec', '-i', box.containerId, 'cat'], 'hi\n');
      assert.equal(hi.code, 0, hi.stderr);
      assert.equal(hi.stdout.toString(), 'hi\n');

      const blob = randomBytes(1024 * 1024 + 17);
      const echoed = await run(['exec', '-i', box.containerId, 'cat'], blob);
      assert.equal(echoed.code, 0, echoed.stderr);
      assert.ok(echoed.stdout.equals(blob), `1 MiB through cat came back intact (${echoed.stdout.length} bytes)`);

      // stdin that stays open must not keep crictl alive once the command is done
      const started = Date.now();
      const p = spawn(CLI, ['-r', ENDPOINT, 'exec', '-i', box.containerId, 'true'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const code = await new Promise((r) => p.on('close', r));
      p.stdin.destroy();
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await box.done();
    }
  });

  test('exec -i over WebSocket (v4): input flows; EOF cannot, which a note explains', { timeout: 60_000 }, async () => {
    const box = await sandbox('exec-ws-stdin', ['sleep', '3600']);
    try {
      const line = await run(
        ['exec', '-i', '-r', 'websocket', box.containerId, 'sh', '-c', 'read l; echo got-$l'],
        'hi\n',
      );
      assert.equal(line.code, 0, line.stderr);
      assert.equal(line.stdout.toString(), 'got-hi\n');

      const stuck = await run(['exec', '-i', '-r', 'websocket', box.containerId, 'cat'], 'hi\n', 4000);
      assert.equal(stuck.code, null, 'cat never sees EOF over v4 and is still running when killed');
      assert.equal(stuck.stdout.toString(), 'hi\n');
      assert.match(
        stuck.stderr,
        /^crictl: note: end of input cannot be passed on over v4\.channel\.k8s\.io; .*use --transport spdy\)\n$/,
      );
    } finally {
      await box.done();
    }
  });

  test('exec errors: a missing binary, a missing container, a bad transport', { timeout: 60_000 }, async () => {
    const box = await sandbox('exec-errors', ['sleep', '3600']);
    try {
      const missing = await run(['exec', box.containerId, 'no-such-binary']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^crictl: .*executable file not found in \$PATH.*\n$/);
      assert.equal(missing.stderr.split('\n').length, 2, 'one line');

      const gone = await run(['exec', 'no-such-container-xyz', 'true']);
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr, 'crictl: container "no-such-container-xyz" not found\n');

      const transport = await run(['exec', '-r', 'carrier-pigeon', box.containerId, 'true']);
      assert.equal(transport.code, 1);
      assert.equal(transport.stderr, 'crictl: --transport "carrier-pigeon": must be one of: spdy, websocket\n');
    } finally {
      await box.done();
    }
  });

  test('a streaming URL works once: reuse is one line with the HTTP status', { timeout: 60_000 }, async () => {
    const box = await sandbox('exec-reuse', ['sleep', '3600']);
    const sink = new PassThrough().resume();
    const stdio = { stdin: process.stdin, stdout: sink, stderr: sink };
    try {
      for (const transport of TRANSPORTS) {
        const { url } = await cri().runtime.exec({
          containerId: box.containerId,
          cmd: ['true'],
          stdout: true,
          stderr: true,
        });
        assert.equal(await runRemoteCommand({ url, transport, stdin: false, tty: false, stdio }), 0);
        await assert.rejects(
          runRemoteCommand({ url, transport, stdin: false, tty: false, stdio }),
          /^StreamingError: streaming server http:\/\/127\.0\.0\.1:\d+\/exec\/… refused the upgrade: HTTP 404 Not Found: 404 page not found \(the streaming URL expired or was already used\)$/,
        );
        const port = new URL(url).port;
        await assert.rejects(
          runRemoteCommand({ url: url.replace(`:${port}/`, ':1/'), transport, stdin: false, tty: false, stdio }),
          /^StreamingError: connect to streaming server http:\/\/127\.0\.0\.1:1\/exec\/…: connection refused$/,
        );
      }
    } finally {
      await box.done();
    }
  });

  for (const transport of TRANSPORTS) {
    test(`exec -it ${transport} in a pseudo-terminal: prompt, size, exit code, terminal restored`, {
      skip: !hasScript && 'util-linux script is not installed',
      timeout: 60_000,
    }, async () => {
      const box = await sandbox(`exec-tty-${transport}`, ['sleep', '3600']);
      const pty = inPty(`exec -it -r ${transport} ${box.containerId} sh`, 91, 33);
      try {
        await pty.waitFor(/\/ # /);
        pty.type('echo tty-$((6*7)); stty size\r');
        await pty.waitFor(/tty-42\r?\r\n33 91\r?\r\n/);
        pty.type('exit 3\r');
        await pty.waitFor(/rc=3/);
        assert.equal(await pty.exited, 0);
        assertTerminalRestored(pty.output);
      } finally {
        pty.kill();
        await box.done();
      }
    });
  }

  test('exec -it: a SIGHUP still leaves the terminal as it was', {
    skip: !hasScript && 'util-linux script is not installed',
    timeout: 60_000,
  }, async () => {
    const box = await sandbox('exec-tty-term', ['sleep', '3600']);
    const pty = inPty(`exec -it ${box.containerId} sh`);
    try {
      await pty.waitFor(/\/ # /);
      // node itself, which the launcher execs (on dist/crictl.cjs), not the shell that script
      // started around it
      const isNode = (cmdline: string) => cmdline.includes(`${CLI}.cjs `) || cmdline.includes(`${CLI}.js `);
      const cli = pty.descendants().find((p) => isNode(p.cmdline) && p.cmdline.includes(box.containerId));
      assert.ok(cli, 'found crictl under script');
      // (node itself resets the terminal on SIGINT and SIGTERM, but not on SIGHUP)
      process.kill(cli.pid, 'SIGHUP');
      await pty.waitFor(/rc=129/);
      assert.equal(await pty.exited, 0);
      assertTerminalRestored(pty.output);
    } finally {
      pty.kill();
      await box.done();
    }
  });

  test('exec -it follows window size changes (SIGWINCH) in tmux', {
    skip: !hasTmux && 'tmux is not installed',
    timeout: 60_000,
  }, async () => {
    const box = await sandbox('exec-winch', ['sleep', '3600']);
    const socket = `crictl-e2e-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', 'e2e').stdout;
    /** Waits for `pattern` on screen, running `poke` (if given) now and then once a second. */
    const waitScreen = async (pattern: RegExp, poke?: () => void) => {
      const end = Date.now() + 15_000;
      for (let tick = 0; !pattern.test(screen()); tick++) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} on screen:\n${screen()}`);
        if (poke && tick % 10 === 0) poke();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const cli = `${CLI} -r ${ENDPOINT} exec -it ${box.containerId} sh; echo "rc=$?"; sleep 60`;
      const started = tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'e2e', '-x', '80', '-y', '24', cli);
      assert.equal(started.status, 0, started.stderr);
      await waitScreen(/^\/ #/m);
      tmux('send-keys', '-t', 'e2e', 'stty size', 'Enter');
      await waitScreen(/^24 80$/m);
      tmux('resize-window', '-t', 'e2e', '-x', '100', '-y', '30');
      // The resize message and the typed command travel separately (signal → resize stream,
      // keys → stdin), so the first stty may still see the old size: ask until the new one shows.
      await waitScreen(/^30 100$/m, () => tmux('send-keys', '-t', 'e2e', 'stty size', 'Enter'));
      tmux('send-keys', '-t', 'e2e', 'exit', 'Enter');
      await waitScreen(/^rc=0$/m);
    } finally {
      tmux('kill-server');
      await box.done();
    }
  });

  for (const transport of TRANSPORTS) {
    test(`attach -it ${transport}: type into the container's shell, detach with ctrl-p ctrl-q`, {
      skip: !hasScript && 'util-linux script is not installed',
      timeout: 60_000,
    }, async () => {
      const { podId, config } = await runPod(`attach-${transport}`);
      const { containerId } = await cri().runtime.createContainer({
        podSandboxId: podId,
        config: { metadata: { name: 'shell' }, image: { image: BUSYBOX }, command: ['sh'], stdin: true, tty: true },
        sandboxConfig: config,
      });
      await cri().runtime.startContainer({ containerId });
      const pty = inPty(`attach -it -r ${transport} ${containerId}`);
      try {
        // Attaching shows nothing until something happens: an empty line brings the prompt.
        await new Promise((r) => setTimeout(r, 1000));
        pty.type('\r');
        await pty.waitFor(/\/ # /);
        pty.type('echo attached-$((6*7))\r');
        await pty.waitFor(/attached-42/);
        pty.type('\x10\x11');
        await pty.waitFor(/rc=0/);
        assert.equal(await pty.exited, 0);
        assertTerminalRestored(pty.output);
        assert.equal(await containerState(containerId), 'CONTAINER_RUNNING', 'detaching leaves the container running');
      } finally {
        pty.kill();
        await removePods([podId]);
      }
    });
  }

  for (const transport of TRANSPORTS) {
    test(`exec ${transport} into a reader that stalls for 10 s: memory stays bounded, nothing is lost`, {
      timeout: 180_000,
    }, async () => {
      const box = await sandbox(`slow-reader-${transport}`, ['sleep', '3600']);
      try {
        const bytes = 256 * 1024 * 1024;
        const r = await execIntoSlowReader(
          ['exec', '-r', transport, box.containerId, 'sh', '-c', `head -c ${bytes} /dev/zero`],
          10_000,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.received, bytes);
        assertBoundedMemory(r.rss);
      } finally {
        await box.done();
      }
    });
  }

  test('attach over WebSocket follows output until the container exits: the runtime reports success', {
    timeout: 60_000,
  }, async () => {
    const box = await sandbox('attach-follow-ws', [
      'sh',
      '-c',
      'sleep 2; echo tick; echo tock >&2; sleep 1; echo done; exit 3',
    ]);
    try {
      // Attach's status is about the attachment, not the process: exit 3 is still a success.
      const r = await run(['attach', '-r', 'websocket', box.containerId]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), 'tick\ndone\n');
      assert.equal(r.stderr, 'tock\n');
    } finally {
      await box.done();
    }
  });

  test('attach without a TTY follows output until the container exits', { timeout: 60_000 }, async () => {
    const box = await sandbox('attach-follow', ['sh', '-c', 'sleep 2; echo tick; echo tock >&2; sleep 1; echo done']);
    try {
      const r = await run(['attach', box.containerId]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), 'tick\ndone\n');
      assert.equal(r.stderr, 'tock\n');
      const bad = await run(['attach', '-it', '--detach-keys', 'ctrl-1', box.containerId]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^crictl: --detach-keys "ctrl-1": unknown key "ctrl-1" .*\n$/);
    } finally {
      await box.done();
    }
  });

  for (const transport of TRANSPORTS) {
    test(`port-forward ${transport}: echo and HTTP through random local ports`, { timeout: 60_000 }, async () => {
      const { podId, config } = await runPod(`pf-${transport}`);
      try {
        await runContainer(podId, config, 'echo', ['nc', '-ll', '-p', '8080', '-e', 'cat']);
        await runContainer(podId, config, 'web', [
          'sh',
          '-c',
          'mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 8081 -h /www',
        ]);
        await new Promise((r) => setTimeout(r, 500)); // let the servers bind
        const pf = new Session(CLI, ['-r', ENDPOINT, 'port-forward', '-r', transport, podId, '0:8080', ':8081']);
        try {
          const [, echoPort] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080\n/);
          const [, webPort] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8081\n/);
          for (let i = 0; i < 3; i++) {
            assert.equal(
              await tcpExchange(Number(echoPort), `ping ${i}\n`, (got) => got.endsWith('\n')),
              `ping ${i}\n`,
            );
          }
          const http = await tcpExchange(Number(webPort), 'GET / HTTP/1.0\r\n\r\n');
          assert.match(http, /^HTTP\/1\.[01] 200 OK\r\n/);
          assert.match(http, /\r\n\r\nhello-from-httpd\n$/);
          assert.match(pf.output, new RegExp(`Handling connection for ${echoPort}\n`));
          pf.signal('SIGINT');
          assert.equal(await pf.exited, 130, pf.output); // interrupted (crictl exits 0)
        } finally {
          pf.kill();
        }
      } finally {
        await removePods([podId]);
      }
    });
  }

  for (const transport of TRANSPORTS) {
    test(`port-forward ${transport} to a client that stalls for 10 s: memory stays bounded, nothing is lost`, {
      timeout: 180_000,
    }, async () => {
      const bytes = 128 * 1024 * 1024;
      const box = await sandbox(`pf-slow-${transport}`, [
        'sh',
        '-c',
        `printf '#!/bin/sh\\nhead -c ${bytes} /dev/zero\\n' > /zeros && chmod +x /zeros && exec nc -ll -p 8080 -e /zeros`,
      ]);
      const pf = spawn(CLI, ['-r', ENDPOINT, 'port-forward', '-r', transport, box.podId, ':8080'], {
        env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
      });
      let output = '';
      pf.stdout.on('data', (d: Buffer) => (output += d));
      pf.stderr.on('data', (d: Buffer) => (output += d));
      try {
        await new Promise((r) => setTimeout(r, 500)); // let nc bind
        for (let i = 0; !/Forwarding from 127\.0\.0\.1:\d+/.test(output); i++) {
          assert.ok(i < 300, `no listener: ${output}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(output)![1]);
        const rss = new RssTrace(pf.pid ?? -1, 10_000);
        const received = await new Promise<number>((resolve, reject) => {
          const socket = tcpConnect(port, '127.0.0.1');
          socket.pause();
          let n = 0;
          socket.on('data', (d: Buffer) => (n += d.length));
          socket.on('end', () => resolve(n));
          socket.on('error', reject);
          setTimeout(() => socket.resume(), 10_000);
        });
        rss.stop();
        assert.equal(received, bytes, output);
        assertBoundedMemory(rss);
        pf.kill('SIGINT');
        const code = await new Promise((r) => pf.on('close', r));
        assert.equal(code, 130, output);
      } finally {
        pf.kill('SIGKILL');
        await box.done();
      }
    });
  }

  test('port-forward: a bad port spec is one line and exit 1', { timeout: 30_000 }, async () => {
    const r = crictl(['port-forward', 'any-pod', '99999:80']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'crictl: invalid port spec "99999:80": local port 99999 is out of range (0-65535)\n');
    const r2 = crictl(['port-forward', 'any-pod', '8080:http']);
    assert.equal(r2.stderr, 'crictl: invalid port spec "8080:http": remote port "http" is not a number\n');
  });

  test("port-forward to a port nobody listens on reports the runtime's error and keeps going", {
    timeout: 60_000,
  }, async () => {
    const box = await sandbox('pf-refused', ['sleep', '3600']);
    const pf = new Session(CLI, ['-r', ENDPOINT, 'port-forward', box.podId, '0:9']);
    try {
      const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 9\n/);
      assert.equal(await tcpExchange(Number(port), 'x'), '');
      await pf.waitFor(/error: an error occurred forwarding \d+ -> 9: .*connection refused/);
      pf.signal('SIGINT');
      assert.equal(await pf.exited, 130);
    } finally {
      pf.kill();
      await box.done();
    }
  });
});

/** The resident set of a process in MiB, from /proc (0 once it is gone). */
function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS, telling the time its reader stalled from the time data flowed. */
class RssTrace {
  stalled = 0;
  flowing = 0;
  private readonly begin = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, stallMs: number) {
    this.timer = setInterval(() => {
      const mib = rssMiB(pid);
      if (Date.now() - this.begin < stallMs - 500) this.stalled = Math.max(this.stalled, mib);
      else this.flowing = Math.max(this.flowing, mib);
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * While the reader stalls, memory must stay flat (nothing piles up); once data flows at full
 * speed, V8 lets garbage buffers reach a few tens of MiB before it collects them, which no
 * backpressure changes, so that phase has a looser bound.
 */
function assertBoundedMemory(rss: RssTrace): void {
  assert.ok(rss.stalled > 0, 'no RSS sample while the reader stalled');
  assert.ok(rss.stalled < 100, `peak RSS while the reader stalled: ${Math.round(rss.stalled)} MiB`);
  assert.ok(rss.flowing < 128, `peak RSS while data flowed: ${Math.round(rss.flowing)} MiB`);
}

/**
 * Runs the CLI with its stdout going to a pipe whose reader sleeps `stallMs` before reading
 * (and counting) everything; samples the CLI's RSS meanwhile.
 */
function execIntoSlowReader(
  args: string[],
  stallMs: number,
): Promise<{ code: number | null; stderr: string; received: number; rss: RssTrace }> {
  return new Promise((resolve) => {
    const reader = spawn('sh', ['-c', `sleep ${stallMs / 1000}; wc -c`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let counted = '';
    reader.stdout.on('data', (d: Buffer) => (counted += d.toString()));
    const p = spawn(CLI, ['-r', ENDPOINT, ...args], {
      stdio: ['ignore', reader.stdin, 'pipe'],
      env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
    });
    // Ours is not the reading end: only the sleeping reader may drain the pipe.
    reader.stdin.destroy();
    let stderr = '';
    p.stderr!.on('data', (d: Buffer) => (stderr += d));
    const rss = new RssTrace(p.pid ?? -1, stallMs);
    const killer = setTimeout(() => p.kill('SIGKILL'), 150_000);
    let code: number | null = null;
    let pending = 2;
    const finish = () => {
      if (--pending > 0) return;
      rss.stop();
      clearTimeout(killer);
      resolve({ code, stderr, received: Number(counted.trim()), rss });
    };
    p.on('close', (c) => {
      code = c;
      finish();
    });
    reader.on('close', finish);
  });
}

/** Connects, sends `data`, and returns what came back when the peer closed (or `done` said so). */
function tcpExchange(port: number, data: string, done: (got: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer on port ${port}; got ${JSON.stringify(got)}`));
    }, 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    socket.on('connect', () => socket.write(data));
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (done(got)) finish();
    });
    socket.on('end', finish);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
