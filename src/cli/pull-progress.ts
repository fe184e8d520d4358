// Pull progress on a terminal. The CRI's PullImage is one call that answers when the pull is
// over; containerd, though, lists its downloads in flight (content ListStatuses, in the CRI's
// namespace), so while the call runs crictl-ts polls that list and draws bytes per layer.
// Other runtimes show nothing of a pull in progress: there a spinner shows the time spent.
import type { RuntimeServiceClient } from '../cri/client.js';
import type { CliContext } from './context.js';
import { ProgressBoard, startSpinner } from './transfer-progress.js';

const POLL_MS = 100;

export interface PullWatch {
  stop(): Promise<void>;
}

/** "layer-sha256:0123…" (containerd's ingest refs) → "layer 0123456789ab". */
function label(ref: string): string {
  const m = /^([a-z]+)-sha256:([0-9a-f]{12})/.exec(ref);
  return m ? `${m[1]} ${m[2]}` : ref.slice(0, 24);
}

/**
 * Starts showing progress for a pull of `image`, when standard output is a terminal; returns
 * undefined otherwise (piped output gets nothing extra). Never fails the pull: a progress source
 * that does not answer just shows nothing.
 */
export async function watchPull(
  context: CliContext,
  runtime: () => Promise<RuntimeServiceClient>,
  image: string,
): Promise<PullWatch | undefined> {
  const out = context.stdout as NodeJS.WriteStream;
  if (!out.isTTY) return undefined;
  const settings = await context.settings();
  let runtimeName = '';
  try {
    runtimeName = (await (await runtime()).version({})).runtimeName;
  } catch {
    // the pull itself will say what is wrong
  }
  if (runtimeName !== 'containerd') {
    const stop = startSpinner(out, `pulling ${image}`);
    return { stop: async () => stop() };
  }
  const { ContainerdClient } = await import('../containerd/client.js');
  const client = new ContainerdClient(settings.imageEndpoint || settings.runtimeEndpoint, {
    timeoutMs: 5000,
    debug: settings.debug ? (line) => context.stderr.write(`DEBU ${line}\n`) : undefined,
  });
  const board = new ProgressBoard(out);
  const active = new Set<string>();
  let seen = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  const poll = async () => {
    try {
      const { statuses } = await client.content.listStatuses({});
      const now = new Set<string>();
      for (const s of statuses) {
        now.add(s.ref);
        active.add(s.ref);
        seen = true;
        board.set(s.ref, label(s.ref), Number(s.offset), Number(s.total));
      }
      // An ingest that left the list was committed: that blob is done.
      for (const ref of active) {
        if (!now.has(ref)) {
          active.delete(ref);
          board.finish(ref);
        }
      }
    } catch {
      // progress is a courtesy; the pull goes on
    }
    if (!stopped) timer = setTimeout(() => (polling = poll()), POLL_MS);
  };
  polling = poll();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await polling;
      for (const ref of active) board.finish(ref);
      if (seen) board.end();
      client.close();
    },
  };
}
