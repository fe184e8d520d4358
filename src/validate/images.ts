// Test images for air-gapped nodes: archives loaded through containerd's image API.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Cri, loadImages } from '../lib/index.js';

/** Loads a tar, or every .tar in a directory; returns the image names loaded, once the CRI sees them. */
export async function loadTestImages(
  endpoint: string,
  cri: Cri,
  from: string,
  opts: { signal?: AbortSignal } = {},
): Promise<string[]> {
  let archives: string[];
  try {
    archives = statSync(from).isDirectory()
      ? readdirSync(from)
          .filter((f) => f.endsWith('.tar'))
          .sort()
          .map((f) => join(from, f))
      : [from];
  } catch (err) {
    throw new Error(
      `--images-from ${from}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    );
  }
  if (archives.length === 0) throw new Error(`--images-from ${from}: no .tar files in the directory`);
  const names: string[] = [];
  for (const archive of archives) {
    const loaded = await loadImages(endpoint, archive, { signal: opts.signal }).catch((err: Error) => {
      throw new Error(`--images-from ${archive}: ${err.message}`);
    });
    for (const image of loaded) names.push(...(image.names.length > 0 ? image.names : [image.id]));
  }
  // The CRI plugin learns of imported images through events: wait (bounded) until it lists them.
  const end = Date.now() + 15_000;
  for (const name of names) {
    while (!(await cri.image.imageStatus({ image: { image: name } })).image) {
      if (Date.now() > end) throw new Error(`--images-from: the runtime does not show ${name} after loading it`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return names;
}
