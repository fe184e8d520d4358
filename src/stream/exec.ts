// Streaming exec over the runtime's streaming server (SPDY or WebSocket).
import type { RuntimeServiceClient } from '../cri/client.js';
import { UsageError } from '../cri/errors.js';

export interface StreamExecOptions {
  containerId: string;
  cmd: string[];
  stdin: boolean;
  tty: boolean;
  transport: string;
  stdio: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
}

export async function streamExec(_runtime: RuntimeServiceClient, _opts: StreamExecOptions): Promise<number> {
  throw new UsageError('streaming exec is not available yet: use exec -s');
}
