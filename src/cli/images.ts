// Image commands: images (image, img), inspecti, imagefsinfo (and pull, rmi).
import { Command, Option } from 'clipanion';
import type { Image, ImageServiceClient } from '../cri/client.js';
import { UsageError } from '../cri/errors.js';
import { humanSize, truncateId } from '../output/human.js';
import { renderMessage, type OutputFormat } from '../output/render.js';
import { formatTable } from '../output/table.js';
import { CriCommand } from './cri-command.js';
import { printStatusInfo } from './inspect-output.js';
import { authOption, credsOption, outputOption, parseLabels, templateOption } from './list-options.js';
import { resolveImageRef } from './resolve.js';

const NONE = '<none>';

/** Repository and digest from the first repo digest ("repo@sha256:…"). */
function repoAndDigest(image: Image): [string, string] {
  const first = image.repoDigests[0];
  if (!first) return [NONE, NONE];
  const at = first.indexOf('@');
  return at < 0 ? [first, NONE] : [first.slice(0, at), first.slice(at + 1)];
}

/** One [repository, tag] pair per tag; an untagged image shows its repository with <none>. */
function repoTagPairs(image: Image, repo: string): [string, string][] {
  if (image.repoTags.length === 0) return [[repo, NONE]];
  return image.repoTags.map((ref) => {
    const colon = ref.lastIndexOf(':');
    return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, NONE];
  });
}

interface ImageFilter {
  dangling?: boolean;
  reference?: RegExp;
}

function parseImageFilters(filters: readonly string[]): ImageFilter {
  const out: ImageFilter = {};
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (eq <= 0) throw new UsageError(`--filter "${f}": expected key=value (dangling=true|false, reference=REGEX)`);
    if (key === 'dangling') {
      if (value !== 'true' && value !== 'false') throw new UsageError(`--filter "${f}": dangling must be true or false`);
      out.dangling = value === 'true';
    } else if (key === 'reference') {
      try {
        out.reference = new RegExp(value);
      } catch (err) {
        throw new UsageError(`--filter "${f}": invalid regular expression: ${(err as Error).message}`);
      }
    } else {
      throw new UsageError(`--filter "${f}": unknown filter "${key}" (supported: dangling, reference)`);
    }
  }
  return out;
}

/** Expands a short reference the way Docker does: busybox → docker.io/library/busybox. */
export function normalizeRepo(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/**
 * Whether an image matches a REPOSITORY[:TAG] or name@digest argument. The runtime may ignore
 * the ListImages filter (containerd does), so the match is made here as well.
 */
export function matchesRef(image: Image, ref: string): boolean {
  if (image.id === ref || image.id.replace(/^sha256:/, '').startsWith(ref.replace(/^sha256:/, ''))) return true;
  const at = ref.indexOf('@');
  if (at >= 0) return image.repoDigests.some((d) => d === normalizeRepo(ref.slice(0, at)) + ref.slice(at));
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > ref.lastIndexOf('/');
  const repo = normalizeRepo(hasTag ? ref.slice(0, colon) : ref);
  return image.repoTags.some((t) => (hasTag ? t === `${repo}${ref.slice(colon)}` : t.slice(0, t.lastIndexOf(':')) === repo));
}

function keep(image: Image, filter: ImageFilter): boolean {
  if (filter.dangling !== undefined && (image.repoTags.length === 0) !== filter.dangling) return false;
  if (filter.reference && !image.repoTags.some((t) => filter.reference!.test(t))) return false;
  return true;
}

export class ImagesCommand extends CriCommand {
  static override paths = [['images'], ['image'], ['img']];
  static override usage = Command.Usage({
    description: 'List images',
    details: 'Lists images known to the image service, optionally only those matching REPOSITORY[:TAG].',
    examples: [
      ['All images', 'crictl images'],
      ['With digests, full IDs', 'crictl images --digests --no-trunc'],
      ['Untagged images only', 'crictl images --filter dangling=true -q'],
    ],
  });

  digests = Option.Boolean('--digests', false, { description: 'Show digests' });
  pinned = Option.Boolean('--pinned', false, { description: 'Show whether the image is pinned or not' });
  filter = Option.Array('-f,--filter', [], { description: 'Filter output based on provided conditions: dangling=(true|false), reference=REGEX' });
  noTrunc = Option.Boolean('--no-trunc', false, { description: 'Show output without truncating the ID' });
  output = outputOption('json, yaml, table, go-template');
  template = templateOption();
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Only show image IDs' });
  verbose = Option.Boolean('-v,--verbose', false, { description: 'Show verbose info for images' });
  ref = Option.String({ name: 'REPOSITORY[:TAG]', required: false });

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'table', 'go-template']);
    const filter = parseImageFilters(this.filter);
    const service = await this.images();
    const { images } = await service.listImages({ filter: this.ref ? { image: { image: this.ref } } : undefined });
    const selected = images.filter((i) => keep(i, filter) && (!this.ref || matchesRef(i, this.ref)));
    if (this.output !== 'table') {
      this.context.stdout.write(`${await renderMessage('runtime.v1.ListImagesResponse', { images: selected }, this.output as OutputFormat, this.template)}\n`);
      return 0;
    }
    if (this.quiet) {
      this.context.stdout.write(selected.map((i) => `${i.id}\n`).join(''));
      return 0;
    }
    if (this.verbose) {
      this.context.stdout.write(selected.map(verboseImage).join(''));
      return 0;
    }
    const header = ['IMAGE', 'TAG', ...(this.digests ? ['DIGEST'] : []), 'IMAGE ID', 'SIZE', ...(this.pinned ? ['PINNED'] : [])];
    const rows = [header];
    for (const image of selected) {
      const [repo, digest] = repoAndDigest(image);
      const id = this.noTrunc ? image.id : truncateId(image.id.replace(/^sha256:/, ''));
      const shownDigest = this.noTrunc || digest === NONE ? digest : truncateId(digest.replace(/^sha256:/, ''));
      const size = humanSize(Number(image.size), 3);
      for (const [name, tag] of repoTagPairs(image, repo)) {
        rows.push([name, tag, ...(this.digests ? [shownDigest] : []), id, size, ...(this.pinned ? [String(image.pinned)] : [])]);
      }
    }
    this.context.stdout.write(formatTable(rows));
    return 0;
  }
}

function verboseImage(image: Image): string {
  let s = `ID: ${image.id}\n`;
  for (const t of image.repoTags) s += `RepoTags: ${t}\n`;
  for (const d of image.repoDigests) s += `RepoDigests: ${d}\n`;
  if (image.size !== '0') s += `Size: ${image.size}\n`;
  if (image.uid) s += `Uid: value:${image.uid.value}\n`;
  if (image.username) s += `Username: ${image.username}\n`;
  if (image.pinned) s += 'Pinned: true\n';
  return s + '\n';
}

export class InspectImageCommand extends CriCommand {
  static override paths = [['inspecti']];
  static override usage = Command.Usage({
    description: 'Return the status of one or more images',
    details: 'Shows ImageStatus with the runtime\'s verbose info decoded into objects. Images may be named by reference, full ID or unique ID prefix.',
    examples: [['Inspect busybox', 'crictl inspecti busybox:1.33.1']],
  });

  output = Option.String('-o,--output', 'json', { description: 'Output format, One of: json, yaml, go-template, table' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show verbose information' });
  template = templateOption();
  refs = Option.Rest({ name: 'IMAGE-ID' });

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'go-template', 'table']);
    if (this.refs.length === 0) throw new UsageError('image ID cannot be empty: crictl inspecti IMAGE-ID [IMAGE-ID...]');
    const service = await this.images();
    const items = [];
    for (const ref of this.refs) {
      const id = await resolveImageRef(service, ref);
      const r = await service.imageStatus({ image: { image: id }, verbose: !this.quiet });
      if (!r.image) throw new UsageError(`image "${ref}" not found`);
      items.push({ status: r.image, info: r.info });
    }
    if (this.output === 'table') {
      this.context.stdout.write(items.map((i) => verboseImage(i.status)).join(''));
      return 0;
    }
    await printStatusInfo(this.context.stdout, 'runtime.v1.Image', items, this.output as OutputFormat, this.template);
    return 0;
  }
}

export class ImageFsInfoCommand extends CriCommand {
  static override paths = [['imagefsinfo']];
  static override usage = Command.Usage({
    description: 'Return image filesystem info',
    examples: [['Image filesystem usage as JSON', 'crictl imagefsinfo']],
  });

  output = Option.String('-o,--output', 'json', { description: 'Output format, One of: json, yaml, go-template, table' });
  template = templateOption();

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'go-template', 'table']);
    const r = await (await this.images()).imageFsInfo({});
    if (this.output === 'table') {
      const rows = [['TYPE', 'MOUNTPOINT', 'USED', 'INODES', 'TIMESTAMP']];
      const add = (type: string, list: typeof r.imageFilesystems) => {
        for (const fs of list) {
          rows.push([type, fs.fsId?.mountpoint ?? '', humanSize(Number(fs.usedBytes?.value ?? 0)), fs.inodesUsed?.value ?? '0', new Date(Number(BigInt(fs.timestamp) / 1_000_000n)).toISOString()]);
        }
      };
      add('image', r.imageFilesystems);
      add('container', r.containerFilesystems);
      this.context.stdout.write(formatTable(rows));
      return 0;
    }
    this.context.stdout.write(`${await renderMessage('runtime.v1.ImageFsInfoResponse', r, this.output as OutputFormat, this.template)}\n`);
    return 0;
  }
}

export interface PullOptions {
  creds?: string;
  auth?: string;
  sandboxConfig?: object;
  annotations?: Record<string, string>;
  timeoutMs?: number;
  /** Shown while the pull runs (pull-progress.ts). */
  progress?: () => Promise<{ stop(): Promise<void> } | undefined>;
}

/** Pulls `ref` with optional USER[:PASS] or base64 auth; returns the image reference. */
export async function pullImage(service: ImageServiceClient, ref: string, opts: PullOptions): Promise<string> {
  if (opts.creds && opts.auth) throw new UsageError('both --creds and --auth given: use one');
  let auth: { username?: string; password?: string; auth?: string } | undefined;
  if (opts.creds) {
    const colon = opts.creds.indexOf(':');
    auth = colon < 0 ? { username: opts.creds } : { username: opts.creds.slice(0, colon), password: opts.creds.slice(colon + 1) };
    if (!auth.username) throw new UsageError('--creds: expected USERNAME[:PASSWORD]');
  } else if (opts.auth) {
    auth = { auth: opts.auth };
  }
  const progress = await opts.progress?.();
  const r = await service.pullImage(
    { image: { image: ref, annotations: opts.annotations ?? {} }, auth, sandboxConfig: opts.sandboxConfig },
    // Pulls take as long as the image is big: no deadline unless the caller sets one.
    { timeoutMs: opts.timeoutMs ?? 0 },
  ).finally(() => progress?.stop());
  return r.imageRef;
}

export class PullCommand extends CriCommand {
  static override paths = [['pull']];
  static override usage = Command.Usage({
    description: 'Pull an image from a registry',
    details: 'Asks the image service to pull IMAGE. Credentials go to the runtime only and never appear in --debug output.',
    examples: [
      ['Pull busybox', 'crictl pull busybox:1.33.1'],
      ['From a private registry', 'crictl pull --creds user:secret registry.example:5000/app:v1'],
    ],
  });

  creds = credsOption();
  auth = authOption();
  podConfig = Option.String('-p,--pod-config', '', { description: 'Use `pod-config.[json|yaml]` to override the pull context' });
  annotation = Option.Array('-a,--annotation', [], { description: 'Annotation to be set on the pulled image (key=value)' });
  image = Option.String({ name: 'IMAGE' });

  async execute(): Promise<number> {
    let sandboxConfig: object | undefined;
    if (this.podConfig) {
      const { loadPodConfig } = await import('../spec/configs.js');
      sandboxConfig = await loadPodConfig(this.podConfig);
    }
    const ref = await pullImage(await this.images(), this.image, {
      creds: this.creds,
      auth: this.auth,
      sandboxConfig,
      annotations: parseLabels(this.annotation, '--annotation'),
      progress: () => import('./pull-progress.js').then((m) => m.watchPull(this.context, () => this.runtime(), this.image)),
    });
    this.out(`Image is up to date for ${ref}`);
    return 0;
  }
}

export class RemoveImageCommand extends CriCommand {
  static override paths = [['rmi']];
  static override usage = Command.Usage({
    description: 'Remove one or more images',
    details: 'Removes images by reference or ID. --all removes every image, --prune every image no container uses.',
    examples: [['Remove busybox', 'crictl rmi busybox:1.33.1'], ['Remove unused images', 'crictl rmi --prune']],
  });

  all = Option.Boolean('-a,--all', false, { description: 'Remove all images' });
  prune = Option.Boolean('--prune', false, { description: 'Remove all unused images' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show the removed references' });
  refs = Option.Rest({ name: 'IMAGE-ID' });

  async execute(): Promise<number> {
    const service = await this.images();
    let targets: { id: string; tags: string[] }[];
    if (this.all || this.prune) {
      const { images } = await service.listImages({});
      let used = new Set<string>();
      if (this.prune) {
        const { containers } = await (await this.runtime()).listContainers({});
        used = new Set(containers.flatMap((c) => [c.imageRef, c.image?.image ?? '']));
      }
      targets = images.filter((i) => !used.has(i.id)).map((i) => ({ id: i.id, tags: [...i.repoTags] }));
    } else {
      if (this.refs.length === 0) throw new UsageError('ID cannot be empty: crictl rmi IMAGE-ID [IMAGE-ID...] (or -a, --prune)');
      targets = [];
      for (const ref of this.refs) {
        const id = await resolveImageRef(service, ref);
        const status = await service.imageStatus({ image: { image: id } });
        targets.push({ id, tags: status.image?.repoTags ?? [] });
      }
    }
    return this.bulk(targets, async ({ id, tags }) => {
      await service.removeImage({ image: { image: id } });
      if (this.quiet) return undefined;
      return (tags.length > 0 ? tags : [id]).map((t) => `Deleted: ${t}`).join('\n');
    }, (t) => `removing image ${t.tags[0] ?? t.id}`);
  }
}
