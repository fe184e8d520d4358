// Importing an image archive (OCI image layout or `docker save` tar) into containerd: blobs are
// streamed into the content store under a lease (so a failed or interrupted import leaves
// nothing that garbage collection will not take), then manifests get the labels that keep their
// children alive, then image records are created. Nothing is visible until the last step.
import { createHash, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ArchiveError, readTar, shownPath, type TarEntry } from '../archive/tar.js';
import { isAlreadyExists, isNotFound, type ContainerdClient } from './client.js';
import { fullName, isReference } from './names.js';
import {
  childLabels,
  CRI_IMAGE_LABEL,
  formatPlatform,
  GC_EXPIRE,
  hostPlatform,
  MEDIA,
  parseImageDoc,
  platformMatches,
  readBlob,
  toDescriptor,
  type IndexJson,
  type JsonDescriptor,
  type ManifestJson,
  type Platform,
} from './oci.js';

/** Content Write messages in flight (each is one chunk of the input, up to 1 MiB). */
const IN_FLIGHT = 4;
/** Bytes between explicit garbage collections (see collectGarbage). */
const COLLECT_EVERY = 4 * 1024 * 1024;
/** Archive metadata files, and blobs that might be manifests or configs, are kept in memory up to this size. */
const SMALL = 4 * 1024 * 1024;
const METADATA = new Set(['index.json', 'manifest.json', 'oci-layout', 'repositories']);

export interface LoadProgress {
  /** A blob is being written: bytes so far of `total`. */
  blob(name: string, done: number, total: number): void;
}

export interface LoadOptions {
  /** Names for the (single) image, replacing the archive's; already fully qualified. */
  names?: string[];
  /** Platforms to import from multi-platform indexes; 'all' for every one. Default: this machine's. */
  platforms?: Platform[] | 'all';
  /** What the archive is called in messages (file name or "stdin"). */
  label: string;
  signal?: AbortSignal;
  progress?: LoadProgress;
}

export interface LoadedImage {
  /** Config digest: the image ID the CRI reports. */
  id: string;
  /** Fully qualified names given to it (may be empty: then only its ID names it). */
  names: string[];
  target: JsonDescriptor;
}

interface StoredFile {
  digest: string;
  size: number;
  /** First bytes (compression sniffing). */
  head: Buffer;
}

export async function loadArchive(
  client: ContainerdClient,
  input: AsyncIterable<Buffer | Uint8Array | string>,
  opts: LoadOptions,
): Promise<LoadedImage[]> {
  const expire = new Date(Date.now() + 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const leaseId = `crictl-ts-load-${process.pid}-${randomBytes(6).toString('hex')}`;
  await client.leases.create({ id: leaseId, labels: { [GC_EXPIRE]: expire } });
  const session = new LoadSession(client, leaseId, opts);
  try {
    const images = await session.run(input);
    await client.leases.delete({ id: leaseId }).catch(() => undefined);
    return images;
  } catch (err) {
    await session.cleanUp();
    throw opts.signal?.aborted ? new Error('interrupted') : err;
  }
}

class LoadSession {
  private readonly files = new Map<string, StoredFile>();
  private readonly links = new Map<string, string>();
  private readonly metadata = new Map<string, Buffer>();
  /** Small JSON-looking blobs by digest: candidate manifests, indexes and configs. */
  private readonly small = new Map<string, Buffer>();
  /** Digests now in the content store under this lease. */
  private readonly stored = new Set<string>();
  private openIngest: string | undefined;
  private counter = 0;
  private sinceCollect = 0;

  constructor(
    private readonly client: ContainerdClient,
    private readonly lease: string,
    private readonly opts: LoadOptions,
  ) {}

  async run(input: AsyncIterable<Buffer | Uint8Array | string>): Promise<LoadedImage[]> {
    const label = this.opts.label;
    for await (const entry of readTar(input, label)) {
      if (this.opts.signal?.aborted) throw new Error('interrupted');
      if (entry.type === '2' || entry.type === '1') {
        // docker save links a layer that repeats to its first copy.
        const target =
          entry.type === '2' ? joinPath(dirOf(entry.name), entry.linkName) : entry.linkName.replace(/^(\.\/)+/, '');
        this.links.set(entry.name, target);
      } else if (entry.type === '0') {
        if (METADATA.has(entry.name)) this.metadata.set(entry.name, await readSmall(entry, label));
        else if (!/(^|\/)(VERSION|json)$/.test(entry.name)) await this.storeEntry(entry);
      }
    }
    let images: { target: JsonDescriptor; names: string[] }[];
    if (this.metadata.has('index.json')) images = await this.fromOciLayout();
    else if (this.metadata.has('manifest.json')) images = await this.fromDockerArchive();
    else throw new ArchiveError(`${label}: not an image archive (no index.json or manifest.json in it)`);
    if (images.length === 0) throw new ArchiveError(`${label}: the archive lists no images`);

    const { names } = this.opts;
    if (names && names.length > 0) {
      if (images.length !== 1)
        throw new ArchiveError(`${label}: holds ${images.length} images; --name needs an archive with exactly one`);
      images[0].names = names;
    }
    const out: LoadedImage[] = [];
    for (const image of images) {
      const id = await this.prepare(image.target, image.target.digest);
      // docker save (25+) writes an OCI layout and a manifest.json whose RepoTags name it too.
      const tags = names && names.length > 0 ? [] : (this.tagsByConfig.get(id) ?? []);
      out.push({ id, names: [...new Set([...image.names, ...tags])], target: image.target });
    }
    for (const image of out) await createRecords(this.client, image.target, [...image.names, image.id]);
    return out;
  }

  async cleanUp(): Promise<void> {
    if (this.openIngest) await this.client.content.abort({ ref: this.openIngest }).catch(() => undefined);
    // Synchronous GC: when this returns, what the import wrote is gone.
    await this.client.leases.delete({ id: this.lease, sync: true }, { timeoutMs: 60_000 }).catch(() => undefined);
  }

  /** Streams one archive file into the content store, checking its digest when its name gives one. */
  private async storeEntry(entry: TarEntry): Promise<void> {
    const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(entry.name);
    const expected = m ? `sha256:${m[1]}` : undefined;
    const label = this.opts.label;
    if (!expected && /^blobs\//.test(entry.name))
      throw new ArchiveError(`${label}: ${shownPath(entry.name)}: expected blobs/sha256/<64 hex digits>`);
    const ref = `${this.lease}-${++this.counter}`;
    const total = entry.size;
    const hash = createHash('sha256');
    const keep: Buffer[] | undefined = total <= SMALL ? [] : undefined;
    let head = Buffer.alloc(0);
    let exists = false;
    const writer = this.client.openWrite({ lease: this.lease, signal: this.opts.signal });
    this.openIngest = ref;
    try {
      try {
        await writer.send({ action: 'STAT', ref, total: String(total), expected: expected ?? '' });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        exists = true;
      }
      const inFlight: Promise<unknown>[] = [];
      let offset = 0;
      for await (const chunk of entry.body) {
        hash.update(chunk);
        if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16)]);
        keep?.push(chunk);
        if (!exists) {
          const sent = writer.send({ action: 'WRITE', ref, offset: String(offset), data: chunk });
          sent.catch(() => undefined);
          inFlight.push(sent);
          if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
        }
        offset += chunk.length;
        this.sinceCollect += chunk.length;
        if (this.sinceCollect >= COLLECT_EVERY) {
          this.sinceCollect = 0;
          collectGarbage();
        }
        this.opts.progress?.blob(entry.name, offset, total);
      }
      await Promise.all(inFlight);
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected && digest !== expected)
        throw new ArchiveError(`${label}: ${entry.name}: content does not match its digest (it hashes to ${digest})`);
      if (!exists) {
        try {
          await writer.send({ action: 'COMMIT', ref, offset: String(offset), total: String(total), expected: digest });
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          exists = true;
        }
      }
      // A blob that was there already is held by the lease too, so nothing removes it meanwhile.
      if (exists) await this.client.leases.addResource({ id: this.lease, resource: { id: digest, type: 'content' } });
      this.openIngest = undefined;
      this.stored.add(digest);
      this.files.set(entry.name, { digest, size: total, head });
      if (keep && /^\s*[{[]/.test(head.toString('latin1'))) this.small.set(digest, Buffer.concat(keep));
    } finally {
      writer.close();
    }
  }

  /** A file of the archive by path, following docker save's links. */
  private file(path: string, what: string): StoredFile {
    let p = path.replace(/^(\.\/)+/, '');
    for (let hops = 0; hops < 10 && this.links.has(p); hops++) p = this.links.get(p)!;
    const f = this.files.get(p);
    if (!f)
      throw new ArchiveError(
        `${this.opts.label}: ${what} names ${JSON.stringify(path)}, which the archive does not contain`,
      );
    return f;
  }

  private json<T>(name: string): T {
    try {
      return JSON.parse(this.metadata.get(name)!.toString('utf8')) as T;
    } catch {
      throw new ArchiveError(`${this.opts.label}: ${name}: not valid JSON`);
    }
  }

  /** docker save's manifest.json, keyed by config digest: its RepoTags name OCI-layout images too. */
  private dockerEntries(): { config: string; tags: string[]; layers: string[] }[] {
    if (!this.metadata.has('manifest.json')) return [];
    const list = this.json<unknown>('manifest.json');
    if (!Array.isArray(list)) throw new ArchiveError(`${this.opts.label}: manifest.json: expected a JSON array`);
    return list.map((e: { Config?: unknown; RepoTags?: unknown; Layers?: unknown }, i) => {
      const where = `manifest.json[${i}]`;
      if (typeof e?.Config !== 'string')
        throw new ArchiveError(`${this.opts.label}: ${where}.Config: expected a file name`);
      if (!Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string'))
        throw new ArchiveError(`${this.opts.label}: ${where}.Layers: expected a list of file names`);
      const tags = e.RepoTags == null ? [] : e.RepoTags;
      if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && isReference(t)))
        throw new ArchiveError(`${this.opts.label}: ${where}.RepoTags: expected a list of image references`);
      return { config: e.Config, tags: tags.map(fullName), layers: e.Layers as string[] };
    });
  }

  private async fromOciLayout(): Promise<{ target: JsonDescriptor; names: string[] }[]> {
    const index = this.json<IndexJson>('index.json');
    if (!index || !Array.isArray(index.manifests))
      throw new ArchiveError(`${this.opts.label}: index.json: expected an OCI image index (a "manifests" list)`);
    parseImageDoc(this.metadata.get('index.json')!, `${this.opts.label}: index.json`, MEDIA.ociIndex);
    const tagsByConfig = new Map<string, string[]>();
    for (const e of this.dockerEntries()) {
      const config = this.file(e.config, 'manifest.json').digest;
      tagsByConfig.set(config, [...(tagsByConfig.get(config) ?? []), ...e.tags]);
    }
    this.tagsByConfig = tagsByConfig;
    return index.manifests.map((d) => {
      const a = d.annotations ?? {};
      const names: string[] = [];
      const full = a['io.containerd.image.name'];
      const ref = a['org.opencontainers.image.ref.name'];
      if (full && isReference(full)) names.push(fullName(full));
      else if (ref?.includes('/') && isReference(ref)) names.push(fullName(ref));
      return { target: d, names };
    });
  }

  private tagsByConfig = new Map<string, string[]>();

  private async fromDockerArchive(): Promise<{ target: JsonDescriptor; names: string[] }[]> {
    const out: { target: JsonDescriptor; names: string[] }[] = [];
    for (const [i, e] of this.dockerEntries().entries()) {
      const config = this.file(e.config, `manifest.json[${i}].Config`);
      const layers = e.layers.map((l, j) => {
        const f = this.file(l, `manifest.json[${i}].Layers[${j}]`);
        const gzip = f.head[0] === 0x1f && f.head[1] === 0x8b;
        return { mediaType: gzip ? MEDIA.dockerLayerGzip : MEDIA.dockerLayer, digest: f.digest, size: f.size };
      });
      const manifest: ManifestJson = {
        schemaVersion: 2,
        mediaType: MEDIA.dockerManifest,
        config: { mediaType: MEDIA.dockerConfig, digest: config.digest, size: config.size },
        layers,
      };
      const bytes = Buffer.from(JSON.stringify(manifest));
      const digest = await this.storeBytes(bytes, childLabels(manifest));
      this.small.set(digest, bytes);
      out.push({ target: { mediaType: MEDIA.dockerManifest, digest, size: bytes.length }, names: e.tags });
    }
    return out;
  }

  /** Writes a blob made here (a synthesised manifest), with its labels set at commit. */
  private async storeBytes(bytes: Buffer, labels: Record<string, string>): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const ref = `${this.lease}-${++this.counter}`;
    const writer = this.client.openWrite({ lease: this.lease, signal: this.opts.signal });
    try {
      await writer.send({ action: 'STAT', ref, total: String(bytes.length), expected: digest });
      await writer.send({ action: 'WRITE', ref, offset: '0', data: bytes });
      await writer.send({
        action: 'COMMIT',
        ref,
        offset: String(bytes.length),
        total: String(bytes.length),
        expected: digest,
        labels,
      });
      this.stored.add(digest);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.client.leases.addResource({ id: this.lease, resource: { id: digest, type: 'content' } });
      await this.setLabels(digest, labels);
    } finally {
      writer.close();
    }
    return digest;
  }

  /** A manifest or index: from this archive, or already in the content store. */
  private async doc(d: JsonDescriptor, what: string): Promise<ManifestJson | IndexJson> {
    let bytes = this.small.get(d.digest);
    if (!bytes) {
      await this.present(d.digest, what);
      bytes = await readBlob(this.client, d.digest);
    }
    return parseImageDoc(bytes, `${this.opts.label}: ${what} ${d.digest}`, d.mediaType);
  }

  /** Fails unless the blob is in the store (from this archive or before); holds it in the lease. */
  private async present(digest: string, what: string): Promise<void> {
    if (this.stored.has(digest)) return;
    try {
      await this.client.content.info({ digest });
    } catch (err) {
      if (isNotFound(err)) throw new ArchiveError(`${this.opts.label}: ${what} ${digest} is missing from the archive`);
      throw err;
    }
    await this.client.leases.addResource({ id: this.lease, resource: { id: digest, type: 'content' } });
    this.stored.add(digest);
  }

  /** Checks an image root and everything it needs, labels it for GC; returns its image ID. */
  private async prepare(d: JsonDescriptor, what: string, depth = 0): Promise<string> {
    if (depth > 2) throw new ArchiveError(`${this.opts.label}: ${what}: indexes nested too deep`);
    const doc = await this.doc(d, depth === 0 ? 'image' : 'manifest');
    if ('manifests' in doc) {
      const want = this.opts.platforms ?? [hostPlatform()];
      const selected =
        want === 'all' ? doc.manifests : doc.manifests.filter((m) => want.some((p) => platformMatches(m.platform, p)));
      if (selected.length === 0) {
        const have = doc.manifests.map((m) => formatPlatform(m.platform)).join(', ');
        const asked = want === 'all' ? 'any' : want.map(formatPlatform).join(', ');
        throw new ArchiveError(
          `${this.opts.label}: image ${d.digest} has no manifest for ${asked} (it has: ${have}); use --platform`,
        );
      }
      const ids: string[] = [];
      for (const m of selected) ids.push(await this.prepare(m, `manifest ${m.digest}`, depth + 1));
      await this.setLabels(d.digest, childLabels({ manifests: selected }));
      const host = selected.findIndex((m) => platformMatches(m.platform, hostPlatform()));
      return ids[Math.max(host, 0)];
    }
    const manifest = doc;
    const config = this.small.get(manifest.config.digest);
    await this.present(manifest.config.digest, 'config');
    if (config) {
      try {
        JSON.parse(config.toString('utf8'));
      } catch {
        throw new ArchiveError(`${this.opts.label}: config ${manifest.config.digest}: not JSON`);
      }
    }
    for (const [i, layer] of manifest.layers.entries())
      await this.present(layer.digest, `layer ${i + 1} of ${d.digest}:`);
    await this.setLabels(d.digest, childLabels(manifest));
    return manifest.config.digest;
  }

  private async setLabels(digest: string, labels: Record<string, string>): Promise<void> {
    await this.client.content.update(
      { info: { digest, labels }, updateMask: { paths: Object.keys(labels).map((k) => `labels.${k}`) } },
      { lease: this.lease },
    );
  }
}

/** Creates (or repoints) image records in the CRI namespace, labelled as the CRI labels its own. */
export async function createRecords(client: ContainerdClient, target: JsonDescriptor, names: string[]): Promise<void> {
  for (const name of [...new Set(names)]) {
    const image = { name, target: toDescriptor(target), labels: { ...CRI_IMAGE_LABEL } };
    try {
      await client.images.create({ image });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await client.images.update({ image, updateMask: { paths: ['target', 'labels'] } });
    }
  }
}

async function readSmall(entry: TarEntry, label: string): Promise<Buffer> {
  if (entry.size > 16 * 1024 * 1024)
    throw new ArchiveError(`${label}: ${shownPath(entry.name)} is ${entry.size} bytes (expected a small JSON file)`);
  const parts: Buffer[] = [];
  for await (const c of entry.body) parts.push(c);
  return Buffer.concat(parts);
}

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

function joinPath(dir: string, rel: string): string {
  const parts = rel.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg && seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

let gc: ((options: { type: 'minor' }) => void) | null | undefined;
/**
 * Every chunk streamed leaves buffers outside V8's heap (the input read, the encoded message, its
 * gRPC frame); V8 collects them only once ~64 MiB have piled up, which would double the memory
 * of a large load. Collecting every few MiB keeps it flat.
 */
function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as (options: { type: 'minor' }) => void;
    } catch {
      gc = null;
    }
  }
  // A scavenge is enough: the buffers' wrappers die young. A full collection would cost far more.
  gc?.({ type: 'minor' });
}
