// cri.events(): container lifecycle events from GetContainerEvents, or, where the runtime lacks
// that rpc (containerd 1.6 answers UNIMPLEMENTED), derived from what changed between two
// ListContainers answers taken a poll interval apart.
import type { RuntimeServiceClient } from '../cri/client.js';
import { CriError, GrpcCode } from '../cri/errors.js';
import { UsageError } from '../errors.js';
import type { Container, ContainerEventResponse, ContainerState } from '../cri/generated/types.js';
import { sleep } from '../sleep.js';

export type ContainerEventKind = 'CREATED' | 'STARTED' | 'STOPPED' | 'DELETED';

/** A container lifecycle event, from GetContainerEvents or synthesised by polling ListContainers. */
export interface ContainerEvent {
  type: ContainerEventKind;
  containerId: string;
  /** The container's pod ('' when the runtime did not say). */
  podSandboxId: string;
  /** When it happened (polling: when the change was noticed). */
  time: Date;
  /** True when synthesised from ListContainers differences (the runtime lacks GetContainerEvents). */
  polled: boolean;
  /** The runtime's own message (GetContainerEvents only). */
  raw?: ContainerEventResponse;
}

export interface EventsOptions {
  /** Stops the iteration (it then ends without error). */
  signal?: AbortSignal;
  /** Polling interval in ms when the runtime lacks GetContainerEvents (default 1000). */
  pollIntervalMs?: number;
  /** Poll even if the runtime has GetContainerEvents. */
  forcePolling?: boolean;
}

const EVENT_KINDS: Record<ContainerEventResponse['containerEventType'], ContainerEventKind> = {
  CONTAINER_CREATED_EVENT: 'CREATED',
  CONTAINER_STARTED_EVENT: 'STARTED',
  CONTAINER_STOPPED_EVENT: 'STOPPED',
  CONTAINER_DELETED_EVENT: 'DELETED',
};

/** How far along its life a state is; the events between two steps are the ones missed. */
const STEP: Partial<Record<ContainerState, number>> = {
  CONTAINER_CREATED: 0,
  CONTAINER_RUNNING: 1,
  CONTAINER_EXITED: 2,
};
const STEP_EVENTS: ContainerEventKind[] = ['CREATED', 'STARTED', 'STOPPED'];

/**
 * The events that lead from one ListContainers answer to the next: a new container was CREATED
 * (and STARTED, and STOPPED, if it got that far before it was seen); a known one moved on; one
 * that is gone was DELETED (after a STOPPED if it was last seen running). A container in an
 * unknown state counts as where it was last seen.
 */
export function diffContainers(
  previous: ReadonlyMap<string, Container>,
  current: readonly Container[],
  time: Date,
): { events: ContainerEvent[]; seen: Map<string, Container> } {
  const events: ContainerEvent[] = [];
  const seen = new Map<string, Container>();
  const event = (type: ContainerEventKind, c: Container) =>
    events.push({ type, containerId: c.id, podSandboxId: c.podSandboxId, time, polled: true });
  for (const c of current) {
    const before = previous.get(c.id);
    const from = before ? (STEP[before.state] ?? 0) : -1;
    const to = STEP[c.state] ?? Math.max(from, 0);
    for (let step = from + 1; step <= to; step++) event(STEP_EVENTS[step], c);
    // An unknown state says nothing new: remember the last known one, so no event repeats.
    seen.set(c.id, before && STEP[c.state] === undefined ? before : c);
  }
  for (const [id, c] of previous) {
    if (seen.has(id)) continue;
    if (c.state === 'CONTAINER_RUNNING') event('STOPPED', c);
    event('DELETED', c);
  }
  return { events, seen };
}

function fromResponse(e: ContainerEventResponse): ContainerEvent {
  return {
    type: EVENT_KINDS[e.containerEventType],
    containerId: e.containerId,
    podSandboxId: e.podSandboxStatus?.id ?? '',
    time: new Date(Number(BigInt(e.createdAt || '0') / 1_000_000n)),
    polled: false,
    raw: e,
  };
}

export async function* containerEvents(
  runtime: RuntimeServiceClient,
  options: EventsOptions = {},
): AsyncGenerator<ContainerEvent, void, undefined> {
  const { signal } = options;
  const interval = options.pollIntervalMs ?? 1000;
  if (!(interval > 0)) throw new UsageError(`events: pollIntervalMs ${interval}: expected a positive number`);
  if (signal?.aborted) return;
  if (!options.forcePolling) {
    const stream = runtime.getContainerEvents({}, { signal });
    try {
      for await (const e of stream) yield fromResponse(e);
      return; // the runtime ended the stream, or the signal did
    } catch (err) {
      if (!(err instanceof CriError && err.code === GrpcCode.UNIMPLEMENTED)) throw err;
    } finally {
      stream.cancel();
    }
  }
  yield* pollEvents(runtime, interval, signal);
}

/** Lists containers every `interval` ms and yields what changed; the first answer is the baseline. */
async function* pollEvents(
  runtime: RuntimeServiceClient,
  interval: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<ContainerEvent, void, undefined> {
  let known: Map<string, Container> | undefined;
  while (!signal?.aborted) {
    let containers: Container[];
    try {
      ({ containers } = await runtime.listContainers({}, { signal }));
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    const now = new Date();
    if (known === undefined) known = new Map(containers.map((c) => [c.id, c]));
    else {
      const { events, seen } = diffContainers(known, containers, now);
      known = seen;
      for (const e of events) yield e;
    }
    await sleep(interval, signal);
  }
}
