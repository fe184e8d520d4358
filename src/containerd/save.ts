// Exporting images from containerd as an OCI image layout tar (and, for `--format docker`, with
// the manifest.json `docker load` reads), streamed blob by blob from the content store.
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { TAR_END, tarHeader, tarPadding } from '../archive/tar.js';
import { isNotFound, type ContainerdClient } from './client.js';
import {
  formatPlatform,
  hostPlatform,
  parseImageDoc,
  platformMatches,
  readBlob,
  type IndexJson,
  type JsonDescriptor,
  type ManifestJson,
  type Platform,
} from './oci.js';

export interface SaveImage {
  /** Fully qualified names to record (may be empty). */
  names: string[];
  /** The root descriptor of the image record. */
  target: JsonDescriptor;
}

export interface SaveOptions {
  format: 'oci' | 'docker';
  platform?: Platform;
  signal?: AbortSignal;
  progress?: { blob(digest: string, done: number, total: number): void };
}

interface Planned {
  names: string[];
  root: JsonDescriptor;
  /** The manifest saved for the docker manifest.json. */
  manifest: ManifestJson;
}

/** Writes an archive of `images` to `out` (which the caller opens and closes). */
export async function saveImages(
  client: ContainerdClient,
  images: SaveImage[],
  out: Writable,
  opts: SaveOptions,
): Promise<void> {
  const blobs = new Map<string, number>();
  const plans: Planned[] = [];
  for (const image of images) plans.push(await plan(client, image, opts.platform ?? hostPlatform(), blobs));

  const write = (chunk: Buffer): Promise<void> | undefined => {
    if (opts.signal?.aborted) throw new Error('interrupted');
    if (out.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        out.off('error', onError);
        resolve();
      };
      const onError = (e: Error) => {
        out.off('drain', onDrain);
        reject(e);
      };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  };
  const file = async (name: string, data: Buffer) => {
    await write(tarHeader(name, data.length));
    await write(data);
    await write(tarPadding(data.length));
  };

  await file('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  await write(tarHeader('blobs', 0, '5'));
  await write(tarHeader('blobs/sha256', 0, '5'));
  for (const [digest, size] of blobs) {
    await write(tarHeader(`blobs/sha256/${digest.slice(7)}`, size));
    const hash = createHash('sha256');
    let done = 0;
    for await (const chunk of client.content.read({ digest }, { signal: opts.signal })) {
      const b = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
      hash.update(b);
      done += b.length;
      if (done > size) throw new Error(`content ${digest}: larger than its descriptor says (${size} bytes)`);
      await write(b);
      opts.progress?.blob(digest, done, size);
    }
    if (done !== size || `sha256:${hash.digest('hex')}` !== digest)
      throw new Error(`content ${digest}: the content store returned ${done} bytes that do not match it`);
    await write(tarPadding(size));
  }

  const manifests: JsonDescriptor[] = [];
  for (const p of plans) {
    const names = p.names.length > 0 ? p.names : [''];
    for (const name of names) {
      const annotations: Record<string, string> = name
        ? { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tagOf(name) }
        : {};
      manifests.push({
        mediaType: p.root.mediaType,
        digest: p.root.digest,
        size: p.root.size,
        ...(p.root.platform ? { platform: p.root.platform } : {}),
        ...(name ? { annotations } : {}),
      });
    }
  }
  const index: IndexJson & { mediaType: string } = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests,
  };
  await file('index.json', Buffer.from(JSON.stringify(index)));
  if (opts.format === 'docker') {
    const list = plans.map((p) => ({
      Config: `blobs/sha256/${p.manifest.config.digest.slice(7)}`,
      RepoTags: p.names.filter((n) => !n.includes('@')),
      Layers: p.manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    }));
    await file('manifest.json', Buffer.from(JSON.stringify(list)));
  }
  await write(TAR_END);
}

/** The tag (or digest) part of a name: what OCI's ref.name annotation holds. */
function tagOf(name: string): string {
  const at = name.indexOf('@');
  if (at >= 0) return name.slice(at + 1);
  return name.slice(name.lastIndexOf(':') + 1);
}

async function present(client: ContainerdClient, digest: string): Promise<boolean> {
  try {
    await client.content.info({ digest });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Which blobs an image needs. A multi-platform index is saved whole when every platform's blobs
 * are in the store; otherwise (a pull fetches one platform) the archive's root is the manifest for
 * the platform asked for.
 */
async function plan(
  client: ContainerdClient,
  image: SaveImage,
  platform: Platform,
  blobs: Map<string, number>,
): Promise<Planned> {
  const what = image.names[0] ?? image.target.digest;
  const doc = parseImageDoc(
    await readBlob(client, image.target.digest),
    `${what}: ${image.target.digest}`,
    image.target.mediaType,
  );
  if (!('manifests' in doc)) {
    await addManifest(client, doc as ManifestJson, what, blobs);
    blobs.set(image.target.digest, image.target.size);
    return { names: image.names, root: image.target, manifest: doc as ManifestJson };
  }
  const children: { desc: JsonDescriptor; manifest: ManifestJson; complete: boolean }[] = [];
  for (const desc of doc.manifests) {
    if (!(await present(client, desc.digest))) {
      children.push({ desc, manifest: { config: desc, layers: [] }, complete: false });
      continue;
    }
    const m = parseImageDoc(await readBlob(client, desc.digest), `${what}: ${desc.digest}`, desc.mediaType);
    if ('manifests' in m) throw new Error(`${what}: nested indexes are not supported`);
    let complete = await present(client, m.config.digest);
    for (const l of m.layers) complete = complete && (await present(client, l.digest));
    children.push({ desc, manifest: m, complete });
  }
  const chosen = children.find((c) => c.complete && platformMatches(c.desc.platform, platform));
  if (!chosen)
    throw new Error(
      `${what}: the runtime holds no complete image for ${formatPlatform(platform)} (the index lists ${doc.manifests.map((m) => formatPlatform(m.platform)).join(', ')})`,
    );
  if (children.every((c) => c.complete)) {
    for (const c of children) {
      await addManifest(client, c.manifest, what, blobs);
      blobs.set(c.desc.digest, c.desc.size);
    }
    blobs.set(image.target.digest, image.target.size);
    return { names: image.names, root: image.target, manifest: chosen.manifest };
  }
  await addManifest(client, chosen.manifest, what, blobs);
  blobs.set(chosen.desc.digest, chosen.desc.size);
  return { names: image.names, root: chosen.desc, manifest: chosen.manifest };
}

async function addManifest(
  client: ContainerdClient,
  m: ManifestJson,
  what: string,
  blobs: Map<string, number>,
): Promise<void> {
  for (const d of [...m.layers, m.config]) {
    if (!blobs.has(d.digest) && !(await present(client, d.digest)))
      throw new Error(`${what}: blob ${d.digest} is not in the content store (not unpacked or pulled completely?)`);
    blobs.set(d.digest, d.size);
  }
}
