// Listing containers, pods, images and stats: the one place that picks between a runtime's
// Stream* rpc and its List* rpc. A List* reply is one gRPC message, and crictl (like the kubelet)
// refuses messages over 16 MiB, which a node with tens of thousands of containers exceeds; a
// Stream* rpc sends the same list in pages, each decoded as it arrives. Runtimes without them
// (containerd 1.x, CRI-O before they were added) answer UNIMPLEMENTED: that is remembered for the
// client, which then goes straight to List* for the rest of the run.
import type {
  Container,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  DeepPartial,
  Image,
  ImageFilter,
  ImageServiceClient,
  PodSandbox,
  PodSandboxFilter,
  PodSandboxStats,
  PodSandboxStatsFilter,
  ResponseStream,
  RuntimeServiceClient,
} from './client.js';
import { CriError, GrpcCode } from './errors.js';

/** Service clients whose runtime has no Stream* list rpcs (they came together in one CRI release). */
const withoutStreams = new WeakSet<object>();

/**
 * A list as pages: the Stream* rpc's messages, or the List* rpc's one reply. A Stream* rpc that
 * is UNIMPLEMENTED before its first message falls back to List*; any other failure is thrown.
 */
async function* pages<M, T>(
  client: object,
  stream: (() => ResponseStream<M>) | undefined,
  pick: (message: M) => T[],
  list: () => Promise<T[]>,
): AsyncGenerator<T[]> {
  // A client made by hand (a test double) may lack the Stream* methods.
  if (stream && !withoutStreams.has(client)) {
    let received = false;
    try {
      for await (const message of stream()) {
        received = true;
        yield pick(message);
      }
      return;
    } catch (err) {
      if (received || !(err instanceof CriError && err.code === GrpcCode.UNIMPLEMENTED)) throw err;
      withoutStreams.add(client);
    }
  }
  yield await list();
}

/** All pages in one array. */
async function collect<T>(source: AsyncIterable<T[]>): Promise<T[]> {
  let all: T[] | undefined;
  for await (const page of source) {
    if (!all) all = page;
    else for (const item of page) all.push(item);
  }
  return all ?? [];
}

type Filter<F> = DeepPartial<F> | null | undefined;

export function containerPages(runtime: RuntimeServiceClient, filter?: Filter<ContainerFilter>) {
  return pages(
    runtime,
    runtime.streamContainers && (() => runtime.streamContainers({ filter })),
    (m) => m.containers,
    async () => (await runtime.listContainers({ filter })).containers,
  );
}

export function podSandboxPages(runtime: RuntimeServiceClient, filter?: Filter<PodSandboxFilter>) {
  return pages(
    runtime,
    runtime.streamPodSandboxes && (() => runtime.streamPodSandboxes({ filter })),
    (m) => m.podSandboxes,
    async () => (await runtime.listPodSandbox({ filter })).items,
  );
}

export function imagePages(image: ImageServiceClient, filter?: Filter<ImageFilter>) {
  return pages(
    image,
    image.streamImages && (() => image.streamImages({ filter })),
    (m) => m.images,
    async () => (await image.listImages({ filter })).images,
  );
}

export function containerStatsPages(runtime: RuntimeServiceClient, filter?: Filter<ContainerStatsFilter>) {
  return pages(
    runtime,
    runtime.streamContainerStats && (() => runtime.streamContainerStats({ filter })),
    (m) => m.containerStats,
    async () => (await runtime.listContainerStats({ filter })).stats,
  );
}

export function podSandboxStatsPages(runtime: RuntimeServiceClient, filter?: Filter<PodSandboxStatsFilter>) {
  return pages(
    runtime,
    runtime.streamPodSandboxStats && (() => runtime.streamPodSandboxStats({ filter })),
    (m) => m.podSandboxStats,
    async () => (await runtime.listPodSandboxStats({ filter })).stats,
  );
}

/** Every container matching `filter`, in the runtime's order. */
export const listContainers = (runtime: RuntimeServiceClient, filter?: Filter<ContainerFilter>): Promise<Container[]> =>
  collect(containerPages(runtime, filter));

/** Every pod sandbox matching `filter`, in the runtime's order. */
export const listPodSandboxes = (
  runtime: RuntimeServiceClient,
  filter?: Filter<PodSandboxFilter>,
): Promise<PodSandbox[]> => collect(podSandboxPages(runtime, filter));

/** Every image matching `filter`, in the runtime's order. */
export const listImages = (image: ImageServiceClient, filter?: Filter<ImageFilter>): Promise<Image[]> =>
  collect(imagePages(image, filter));

/** Stats of every container matching `filter`. */
export const listContainerStats = (
  runtime: RuntimeServiceClient,
  filter?: Filter<ContainerStatsFilter>,
): Promise<ContainerStats[]> => collect(containerStatsPages(runtime, filter));

/** Stats of every pod sandbox matching `filter`. */
export const listPodSandboxStats = (
  runtime: RuntimeServiceClient,
  filter?: Filter<PodSandboxStatsFilter>,
): Promise<PodSandboxStats[]> => collect(podSandboxStatsPages(runtime, filter));
