// Streaming: exec and attach over SPDY (what critest uses) and WebSocket, and port-forward,
// through the library's helpers (the runtime's streaming server, not the CRI socket).
import type { Readable } from 'node:stream';
import type { RemoteProcess, StreamTransport } from '../../lib/index.js';
import { expect, expectEqual, runContainer, WEB_PAGE, WEB_PORT, waitFor, webServerCommand } from '../helpers.js';
import type { Check } from '../types.js';
import { critest } from './critest.js';

const spec = (it: string) => critest('Streaming runtime should support streaming interfaces', it);
const needs = ['testImage'] as const;
/** A streaming session that does not end in this long has hung. */
const SESSION_MS = 30_000;

function collect(stream: Readable): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return () => Buffer.concat(chunks).toString();
}

/** Waits for the session's exit code, bounded; the session is closed whatever happens. */
async function exitCode(p: RemoteProcess): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.exitCode,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the session did not end in ${SESSION_MS / 1000}s`)), SESSION_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    p.close();
  }
}

function execChecks(transport: StreamTransport, critestText: (it: string) => string | null): Check[] {
  return [
    {
      name: `streaming/exec-${transport}`,
      group: 'streaming',
      critest: critestText('runtime should support exec with tty=false and stdin=false [Conformance]'),
      needs,
      async run(t) {
        const { id } = await runContainer(t, 'exec');
        const p = await t.cri.exec(id, ['sh', '-c', 'echo -n hello; echo -n oops >&2; exit 7'], {
          transport,
          signal: t.signal,
        });
        const out = collect(p.stdout);
        const err = collect(p.stderr);
        expectEqual(await exitCode(p), 7, 'exit code of the exec session');
        expectEqual(out(), 'hello', 'stdout of exec');
        expectEqual(err(), 'oops', 'stderr of exec');
      },
    },
    {
      name: `streaming/exec-tty-stdin-${transport}`,
      group: 'streaming',
      critest: critestText('runtime should support exec with tty=true and stdin=true [Conformance]'),
      needs,
      async run(t) {
        const { id } = await runContainer(t, 'exec-tty');
        const p = await t.cri.exec(id, ['sh', '-c', 'read line; echo "got $line"; tty'], {
          transport,
          tty: true,
          stdin: true,
          signal: t.signal,
        });
        const out = collect(p.stdout);
        p.resize(100, 30);
        p.stdin?.write('hello\n');
        expectEqual(await exitCode(p), 0, 'exit code of the tty exec session');
        // A terminal echoes the input and ends lines with \r\n.
        const text = out();
        expect(text.includes('got hello\r\n'), `tty exec output has no "got hello": ${JSON.stringify(text)}`);
        expect(/\/dev\/pts\/\d+/.test(text), `tty exec did not run on a terminal: ${JSON.stringify(text)}`);
      },
    },
    {
      name: `streaming/attach-${transport}`,
      group: 'streaming',
      critest: critestText('runtime should support attach [Conformance]'),
      needs,
      async run(t) {
        const { id } = await runContainer(t, 'attach', { command: ['sh'], stdin: true, stdinOnce: true });
        const p = await t.cri.attach(id, { transport, stdin: true, signal: t.signal });
        const out = collect(p.stdout);
        p.stdin?.write('echo hello\n');
        await waitFor(
          t,
          `attach never printed hello (got ${JSON.stringify(out())})`,
          () => out() === 'hello\n',
          20_000,
        );
        p.close();
        await p.exitCode.catch(() => undefined);
      },
    },
  ];
}

export const streamingChecks: Check[] = [
  ...execChecks('spdy', spec),
  ...execChecks('websocket', () => null),
  ...(['spdy', 'websocket'] as const).map(
    (transport): Check => ({
      name: `streaming/port-forward-${transport}`,
      group: 'streaming',
      critest: transport === 'spdy' ? spec('runtime should support portforward [Conformance]') : null,
      needs,
      async run(t) {
        const pod = await t.runPod('port-forward', { linux: {} });
        await runContainer(t, 'web', { command: webServerCommand() }, pod);
        let last = '';
        await waitFor(
          t,
          () => `no answer through port-forward (last: ${JSON.stringify(last.slice(0, 200))})`,
          async () => {
            const socket = await t.cri.portForward(pod.id, WEB_PORT, { transport, signal: t.signal });
            const got = collect(socket);
            socket.end('GET / HTTP/1.0\r\n\r\n');
            await new Promise((resolve) => {
              socket.on('close', resolve);
              socket.on('error', resolve);
            });
            last = got();
            return last.includes(WEB_PAGE);
          },
          20_000,
          500,
        );
      },
    }),
  ),
];
