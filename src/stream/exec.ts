// Streaming exec: ask the runtime for a streaming URL (Exec rpc), then run the remote command
// protocol on it over SPDY or WebSocket.
import type { RuntimeServiceClient } from '../cri/client.js';
import { parseTransport, runRemoteCommand, type LocalStdio } from './remotecommand.js';
import type { StreamTls } from './tls.js';

export interface StreamExecOptions {
  containerId: string;
  cmd: string[];
  stdin: boolean;
  tty: boolean;
  /** spdy or websocket */
  transport: string;
  stdio: LocalStdio;
  debug?: (line: string) => void;
  tls?: StreamTls;
}

/** Asks the runtime for the streaming URL of an exec session. */
export async function execUrl(
  runtime: RuntimeServiceClient,
  opts: Pick<StreamExecOptions, 'containerId' | 'cmd' | 'stdin' | 'tty'>,
  signal?: AbortSignal,
): Promise<string> {
  const { url } = await runtime.exec(
    {
      containerId: opts.containerId,
      cmd: opts.cmd,
      tty: opts.tty,
      stdin: opts.stdin,
      stdout: true,
      // With a TTY, stderr is merged into the terminal's output.
      stderr: !opts.tty,
    },
    { signal },
  );
  return url;
}

/** Runs `cmd` in the container with streams attached; resolves to the command's exit code. */
export async function streamExec(runtime: RuntimeServiceClient, opts: StreamExecOptions): Promise<number> {
  const transport = parseTransport(opts.transport);
  const url = await execUrl(runtime, opts);
  return runRemoteCommand({
    url,
    transport,
    stdin: opts.stdin,
    tty: opts.tty,
    stdio: opts.stdio,
    debug: opts.debug,
    tls: opts.tls,
  });
}
