// Streaming attach: connect to a running container's own stdio (Attach rpc) with the same remote
// command protocol as exec; with -it, a detach key sequence leaves the container running.
import type { RuntimeServiceClient } from '../cri/client.js';
import { parseDetachKeys } from './detach-keys.js';
import { parseTransport, runRemoteCommand, type LocalStdio } from './remotecommand.js';
import type { StreamTls } from './tls.js';

export interface StreamAttachOptions {
  containerId: string;
  stdin: boolean;
  tty: boolean;
  transport: string;
  /** docker-style key list ("ctrl-p,ctrl-q"); '' disables detaching. Used only with -i -t. */
  detachKeys: string;
  stdio: LocalStdio;
  debug?: (line: string) => void;
  tls?: StreamTls;
}

/** Asks the runtime for the streaming URL of an attach session. */
export async function attachUrl(
  runtime: RuntimeServiceClient,
  opts: Pick<StreamAttachOptions, 'containerId' | 'stdin' | 'tty'>,
  signal?: AbortSignal,
): Promise<string> {
  const { url } = await runtime.attach(
    { containerId: opts.containerId, tty: opts.tty, stdin: opts.stdin, stdout: true, stderr: !opts.tty },
    { signal },
  );
  return url;
}

/** Resolves to 0 after a detach or a clean end; the runtime's status otherwise decides. */
export async function streamAttach(runtime: RuntimeServiceClient, opts: StreamAttachOptions): Promise<number> {
  const transport = parseTransport(opts.transport);
  const detachKeys = opts.detachKeys ? parseDetachKeys(opts.detachKeys) : [];
  const url = await attachUrl(runtime, opts);
  return runRemoteCommand({
    url,
    transport,
    stdin: opts.stdin,
    tty: opts.tty,
    stdio: opts.stdio,
    detachKeys: opts.tty && opts.stdin ? detachKeys : undefined,
    debug: opts.debug,
    tls: opts.tls,
  });
}
