// Which images `rmi --prune` and `rmi -a` may remove. crictl removes everything not used by a
// container and not pinned, but containerd 1.6 does not pin its sandbox (pause) image and pods
// are not containers, so crictl deletes pause and every new pod then needs a registry. Here the
// runtime's sandbox image (from `info`), pinned images and images any container uses are kept,
// each with the reason.
import type { Container, Image, ImageServiceClient, RuntimeServiceClient } from '../cri/client.js';
import { listContainers, listImages } from '../cri/lists.js';
import { matchesRef } from './images.js';

export interface PruneSelection {
  remove: Image[];
  kept: { image: Image; why: string }[];
  /** Problems that did not stop the selection (e.g. `info` unavailable). */
  warnings: string[];
}

/** Keys under which runtimes name their sandbox image in the `info` config (containerd, CRI-O). */
const SANDBOX_IMAGE_KEYS = new Set(['sandboxImage', 'sandbox_image', 'pauseImage', 'pause_image']);

/** The sandbox image names found anywhere in the runtime's verbose info (JSON values). */
export function sandboxImagesFromInfo(info: Record<string, string>): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8 || value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SANDBOX_IMAGE_KEYS.has(k) && typeof v === 'string' && v !== '') found.add(v);
      else visit(v, depth + 1);
    }
  };
  for (const text of Object.values(info)) {
    try {
      visit(JSON.parse(text), 0);
    } catch {
      // Not JSON: nothing to find there.
    }
  }
  return [...found];
}

export async function selectPrunable(
  images: ImageServiceClient,
  runtime: RuntimeServiceClient,
): Promise<PruneSelection> {
  const warnings: string[] = [];
  const [list, containers, sandboxImages] = await Promise.all([
    listImages(images),
    listContainers(runtime),
    runtime.status({ verbose: true }).then(
      (r) => sandboxImagesFromInfo(r.info),
      (e: Error) => {
        warnings.push(
          `cannot ask the runtime for its sandbox image (${e.message}); keeping pinned and used images only`,
        );
        return [] as string[];
      },
    ),
  ]);
  const kept: PruneSelection['kept'] = [];
  const remove: Image[] = [];
  for (const image of list) {
    const why = keepReason(image, containers, sandboxImages);
    if (why) kept.push({ image, why });
    else remove.push(image);
  }
  return { remove, kept, warnings };
}

function keepReason(
  image: Image,
  containers: readonly Container[],
  sandboxImages: readonly string[],
): string | undefined {
  const sandbox = sandboxImages.find((ref) => matchesRef(image, ref));
  if (sandbox) return `the runtime's sandbox image (${sandbox}); removing it breaks every new pod`;
  if (image.pinned) return 'pinned by the runtime';
  const users = containers.filter(
    (c) =>
      c.imageRef === image.id || c.image?.image === image.id || (c.image?.image && matchesRef(image, c.image.image)),
  );
  if (users.length > 0) return `used by ${users.length} container${users.length === 1 ? '' : 's'}`;
  return undefined;
}
