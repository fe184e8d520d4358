// OCI / Docker image format facts crictl-ts needs to import and export images: media types,
// manifest and index shapes, platform matching, and containerd's garbage-collection labels.
import type { ContainerdClient, Types_Descriptor } from './client.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The label the CRI plugin puts on images it manages (pulled through the CRI). */
export const CRI_IMAGE_LABEL = { 'io.cri-containerd.image': 'managed' } as const;

/** Keeps a lease (and what it holds) alive until then, should crictl-ts die before deleting it. */
export const GC_EXPIRE = 'containerd.io/gc.expire';

export interface Platform {
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface JsonDescriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  config: JsonDescriptor;
  layers: JsonDescriptor[];
}

export interface IndexJson {
  schemaVersion?: number;
  mediaType?: string;
  manifests: JsonDescriptor[];
}

export const isIndex = (mediaType: string | undefined): boolean =>
  mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
export const isManifest = (mediaType: string | undefined): boolean =>
  mediaType === MEDIA.ociManifest || mediaType === MEDIA.dockerManifest;

/** This machine's platform as OCI names it. */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

/** "os/arch[/variant]" → Platform; null when malformed. */
export function parsePlatform(text: string): Platform | null {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_]+$/.test(p))) return null;
  return { os: parts[0], architecture: parts[1], variant: parts[2] };
}

export const formatPlatform = (p: Platform | undefined): string =>
  p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown';

/** Whether a manifest's platform satisfies what was asked for (an unset variant matches any). */
export function platformMatches(have: Platform | undefined, want: Platform): boolean {
  if (!have) return true;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  return !want.variant || !have.variant || have.variant === want.variant;
}

/** The gc.ref labels that keep a manifest's or index's children alive once it is referenced. */
export function childLabels(doc: ManifestJson | IndexJson): Record<string, string> {
  const labels: Record<string, string> = {};
  if ('manifests' in doc && Array.isArray(doc.manifests)) {
    for (const [i, m] of doc.manifests.entries()) labels[`containerd.io/gc.ref.content.m.${i}`] = m.digest;
  } else {
    const m = doc as ManifestJson;
    labels['containerd.io/gc.ref.content.config'] = m.config.digest;
    for (const [i, l] of m.layers.entries()) labels[`containerd.io/gc.ref.content.l.${i}`] = l.digest;
  }
  return labels;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Checks a parsed JSON document has a descriptor's shape; returns a reason when it does not. */
function badDescriptor(d: unknown): string | undefined {
  const x = d as Partial<JsonDescriptor> | null;
  if (!x || typeof x !== 'object') return 'not an object';
  if (typeof x.digest !== 'string' || !DIGEST.test(x.digest))
    return `digest ${JSON.stringify(x.digest)} is not sha256:<64 hex>`;
  if (typeof x.size !== 'number' || !Number.isSafeInteger(x.size) || x.size < 0)
    return `size ${JSON.stringify(x.size)} is not a whole number`;
  return undefined;
}

/** Parses a manifest or index blob, or explains in one line why it is neither. */
export function parseImageDoc(bytes: Buffer, what: string, mediaType?: string): ManifestJson | IndexJson {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${what}: not JSON`);
  }
  const d = doc as Partial<ManifestJson & IndexJson>;
  if (!d || typeof d !== 'object') throw new Error(`${what}: not a JSON object`);
  const type = d.mediaType ?? mediaType;
  if (Array.isArray(d.manifests) && (type === undefined || isIndex(type))) {
    d.manifests.forEach((m, i) => {
      const bad = badDescriptor(m);
      if (bad) throw new Error(`${what}: manifests[${i}]: ${bad}`);
    });
    return d as IndexJson;
  }
  if (d.config && Array.isArray(d.layers)) {
    const bad = badDescriptor(d.config);
    if (bad) throw new Error(`${what}: config: ${bad}`);
    d.layers.forEach((l, i) => {
      const b = badDescriptor(l);
      if (b) throw new Error(`${what}: layers[${i}]: ${b}`);
    });
    return d as ManifestJson;
  }
  throw new Error(`${what}: neither an image manifest nor an index`);
}

/** Reads a whole blob (manifests, configs: small) from the content store. */
export async function readBlob(client: ContainerdClient, digest: string, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of client.content.read({ digest })) {
    total += chunk.data.byteLength;
    if (total > limit) throw new Error(`${digest}: larger than ${limit} bytes, not a manifest or config`);
    parts.push(Buffer.from(chunk.data));
  }
  return Buffer.concat(parts);
}

export const toDescriptor = (d: JsonDescriptor): Partial<Types_Descriptor> => ({
  mediaType: d.mediaType ?? '',
  digest: d.digest,
  size: String(d.size),
  annotations: d.annotations ?? {},
});
