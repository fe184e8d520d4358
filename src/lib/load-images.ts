// Loading image archives into containerd for library users (e.g. test images on an air-gapped
// node): the code of the `load` command, without its terminal progress.
import { createReadStream } from 'node:fs';
import { ContainerdClient, CRI_NAMESPACE } from '../containerd/client.js';
import { loadArchive } from '../containerd/load.js';

export interface LoadImagesOptions {
  /** Names for the archive's (single) image, fully qualified; default: the names the archive holds. */
  names?: string[];
  signal?: AbortSignal;
  /** Deadline of each containerd call in milliseconds (default 60 s: large blobs take a while). */
  timeoutMs?: number;
}

export interface LoadedImageRef {
  /** The image ID (config digest) the CRI reports. */
  id: string;
  names: string[];
}

/** Imports an OCI or docker-save tar into containerd's CRI namespace through its image API. */
export async function loadImages(
  endpoint: string,
  archive: string,
  options: LoadImagesOptions = {},
): Promise<LoadedImageRef[]> {
  const client = new ContainerdClient(endpoint, { namespace: CRI_NAMESPACE, timeoutMs: options.timeoutMs ?? 60_000 });
  const input = createReadStream(archive, { highWaterMark: 1024 * 1024 });
  try {
    const images = await loadArchive(client, input, { label: archive, names: options.names, signal: options.signal });
    return images.map(({ id, names }) => ({ id, names }));
  } finally {
    input.destroy();
    client.close();
  }
}
