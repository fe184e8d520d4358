// Builds small image archives on the spot for load/save tests: an OCI image layout tar (gzip
// layers) or a classic `docker save` tar (uncompressed layers, manifest.json), from root
// filesystems described as { path: content } (null content: a directory).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../tmp.js';

export type Rootfs = Record<string, string | Buffer | null>;

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const ARCH = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;

/** A reproducible tar of a described root filesystem. */
export function layerTar(files: Rootfs): Buffer {
  const dir = tempDir('crictl-layer-');
  try {
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, path);
      if (content === null) mkdirSync(full, { recursive: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        // Files under bin/ are programs.
        writeFileSync(full, content, { mode: path.startsWith('bin/') ? 0o755 : 0o644 });
      }
    }
    const out = join(dir, '..', `${dir.split('/').pop()}.tar`);
    execFileSync('tar', [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-C',
      dir,
      '-cf',
      out,
      '.',
    ]);
    const tar = readFileSync(out);
    rmSync(out);
    return tar;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BuiltImage {
  /** Path of the archive (in its own temp dir: remove with cleanup()). */
  path: string;
  /** Config digest: the image ID. */
  id: string;
  manifestDigest: string;
  /** Digests of every blob in the archive. */
  blobs: string[];
  cleanup(): void;
}

/** Writes a tar archive of `entries` (name → bytes) with GNU tar, in order. */
export function writeArchive(entries: [string, Buffer][]): { path: string; cleanup(): void } {
  const dir = tempDir('crictl-archive-');
  const root = join(dir, 'root');
  for (const [name, data] of entries) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), data);
  }
  const path = join(dir, 'image.tar');
  execFileSync('tar', [
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    root,
    '-cf',
    path,
    ...entries.map(([n]) => n),
  ]);
  rmSync(root, { recursive: true, force: true });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function config(layers: Buffer[], cmd: string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: ARCH,
      os: 'linux',
      config: { Cmd: cmd, Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l)) },
    }),
  );
}

/** An OCI image layout tar named `ref` with one gzip layer per root filesystem. */
export function ociArchive(
  ref: string,
  layers: Rootfs[],
  opts: { cmd?: string[]; extraLayerBytes?: Buffer[] } = {},
): BuiltImage {
  const raw = layers.map(layerTar);
  const gz = raw.map((t) => gzipSync(t, { level: 1 }));
  const cfg = config(raw, opts.cmd ?? ['sh']);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
      layers: gz.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: sha256(l),
        size: l.length,
      })),
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha256(manifest),
          size: manifest.length,
          annotations: {
            'io.containerd.image.name': ref,
            'org.opencontainers.image.ref.name': ref.slice(ref.lastIndexOf(':') + 1),
          },
        },
      ],
    }),
  );
  const blobs = [...gz, cfg, manifest];
  const archive = writeArchive([
    ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
    ...blobs.map((b): [string, Buffer] => [`blobs/sha256/${sha256(b).slice(7)}`, b]),
    ['index.json', index],
  ]);
  return { ...archive, id: sha256(cfg), manifestDigest: sha256(manifest), blobs: blobs.map((b) => sha256(b)) };
}

/** A classic `docker save` tar: <id>/layer.tar (uncompressed), <config>.json, manifest.json. */
export function dockerArchive(repoTag: string, layers: Rootfs[], opts: { cmd?: string[] } = {}): BuiltImage {
  const raw = layers.map(layerTar);
  const cfg = config(raw, opts.cmd ?? ['sh']);
  const ids = raw.map((l) => sha256(l).slice(7));
  const manifestJson = Buffer.from(
    JSON.stringify([
      { Config: `${sha256(cfg).slice(7)}.json`, RepoTags: [repoTag], Layers: ids.map((id) => `${id}/layer.tar`) },
    ]),
  );
  const archive = writeArchive([
    ...raw.map((l, i): [string, Buffer] => [`${ids[i]}/layer.tar`, l]),
    ...ids.map((id): [string, Buffer] => [`${id}/VERSION`, Buffer.from('1.0')]),
    [`${sha256(cfg).slice(7)}.json`, cfg],
    ['manifest.json', manifestJson],
  ]);
  return { ...archive, id: sha256(cfg), manifestDigest: '', blobs: [...raw.map((l) => sha256(l)), sha256(cfg)] };
}

/** The lab's static busybox, for images that must run. */
export const BUSYBOX_BIN = '/bin/busybox';

/** A fast, reproducible pseudo-random byte stream (xorshift32): incompressible, no disk needed. */
export function* randomChunks(total: number, seed = 0x9e3779b9, chunk = 1024 * 1024): Generator<Buffer> {
  let x = seed >>> 0 || 1;
  for (let done = 0; done < total; done += chunk) {
    const n = Math.min(chunk, total - done);
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    yield Buffer.from(words.buffer, 0, n);
  }
}

/** A ustar header block for a regular file (the streaming generator writes its own tar). */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('0', 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}
const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/**
 * A `docker save` archive streamed as it is generated: one layer holding one file of `size`
 * pseudo-random bytes. Layer digests are computed on the way, so nothing is buffered.
 */
export function* largeDockerArchive(repoTag: string, size: number): Generator<Buffer> {
  const layerSize = 512 + size + pad(size).length + 1024;
  const hash = createHash('sha256');
  const emit = (b: Buffer) => {
    hash.update(b);
    return b;
  };
  yield header('big/layer.tar', layerSize);
  yield emit(header('big.bin', size));
  for (const c of randomChunks(size)) yield emit(c);
  yield emit(pad(size));
  yield emit(Buffer.alloc(1024));
  yield pad(layerSize);
  const diffId = `sha256:${hash.digest('hex')}`;
  const cfg = Buffer.from(
    JSON.stringify({
      architecture: ARCH,
      os: 'linux',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    }),
  );
  const cfgName = `${sha256(cfg).slice(7)}.json`;
  for (const [name, data] of [
    [cfgName, cfg],
    [
      'manifest.json',
      Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: [repoTag], Layers: ['big/layer.tar'] }])),
    ],
  ] as [string, Buffer][]) {
    yield header(name, data.length);
    yield data;
    yield pad(data.length);
  }
  yield Buffer.alloc(1024);
}
