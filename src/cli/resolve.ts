// Turning what a user typed (full ID, unique ID prefix, or exact name) into one runtime ID.
import type { Container, ImageServiceClient, PodSandbox, RuntimeServiceClient } from '../cri/client.js';
import { UsageError } from '../errors.js';
import { listContainers, listImages, listPodSandboxes } from '../cri/lists.js';

interface Named {
  id: string;
  name: string;
}

/** Picks the one candidate matching `arg` by full ID, then ID prefix, then exact name. */
export function pickOne(kind: string, arg: string, candidates: readonly Named[]): string {
  if (arg.trim() === '') throw new UsageError(`${kind} ID cannot be empty`);
  const exact = candidates.find((c) => c.id === arg);
  if (exact) return exact.id;
  let matches = candidates.filter((c) => c.id.startsWith(arg));
  if (matches.length === 0) matches = candidates.filter((c) => c.name === arg);
  if (matches.length === 1) return matches[0].id;
  if (matches.length === 0) throw new UsageError(`${kind} "${arg}" not found`);
  const list = matches
    .slice(0, 10)
    .map((m) => `${m.id.slice(0, 13)} (${m.name})`)
    .join(', ');
  throw new UsageError(
    `${kind} "${arg}" is ambiguous: matches ${matches.length}: ${list}${matches.length > 10 ? ', …' : ''}`,
  );
}

const FULL_ID = /^[0-9a-f]{64}$/;

export async function resolveContainerIds(runtime: RuntimeServiceClient, args: readonly string[]): Promise<string[]> {
  if (args.every((a) => FULL_ID.test(a))) return [...args];
  const containers = await listContainers(runtime);
  const named = containers.map((c: Container) => ({ id: c.id, name: c.metadata?.name ?? '' }));
  return args.map((a) => (FULL_ID.test(a) ? a : pickOne('container', a, named)));
}

export async function resolvePodIds(runtime: RuntimeServiceClient, args: readonly string[]): Promise<string[]> {
  if (args.every((a) => FULL_ID.test(a))) return [...args];
  const items = await listPodSandboxes(runtime);
  const named = items.map((p: PodSandbox) => ({ id: p.id, name: p.metadata?.name ?? '' }));
  return args.map((a) => (FULL_ID.test(a) ? a : pickOne('pod sandbox', a, named)));
}

/** Images resolve by reference (name:tag, name@digest), full or short ID. */
export async function resolveImageRef(image: ImageServiceClient, arg: string): Promise<string> {
  if (arg.trim() === '') throw new UsageError('image ID cannot be empty');
  const status = await image.imageStatus({ image: { image: arg } });
  if (status.image) return status.image.id;
  const images = await listImages(image);
  const bare = arg.replace(/^sha256:/, '');
  const matches = images.filter((i) => i.id.replace(/^sha256:/, '').startsWith(bare));
  if (matches.length === 1) return matches[0].id;
  if (matches.length === 0) throw new UsageError(`image "${arg}" not found`);
  throw new UsageError(
    `image "${arg}" is ambiguous: matches ${matches.map((m) => m.id.replace(/^sha256:/, '').slice(0, 13)).join(', ')}`,
  );
}
