// Image commands: images (image, img), inspecti, imagefsinfo (and pull, rmi).
import { Command, Option } from 'clipanion';
import type {
  AuthConfig,
  DeepPartial,
  FilesystemUsage,
  Image,
  ImageFsInfoResponse,
  ImageServiceClient,
  ImageStatusResponse,
} from '../cri/client.js';
import { UsageError } from '../errors.js';
import { listImages } from '../cri/lists.js';
import { escapeText } from '../output/escape.js';
import { goStringCompare } from '../output/go-json.js';
import { goMapString, humanSize, truncateId } from '../output/human.js';
import { renderMessage } from '../output/render.js';
import { formatTable } from '../output/table.js';
import { writeOut } from '../output/write.js';
import { CriCommand } from './cri-command.js';
import { printStatusInfo, type StatusWithInfo } from './inspect-output.js';
import { authOption, credsOption, pullTimeoutOption, usernameOption } from './credentials.js';
import { parseLabels } from './list-options.js';
import { resolveImageRef } from './resolve.js';
import { listOutputOption, statusOutputOption, templateOption } from './options.js';

const NONE = '<none>';

/** Repository and digest from the first repo digest ("repo@sha256:…"), as crictl's
 *  normalizeRepoDigest splits it (its error words included). */
export function repoAndDigest(image: Image): [string, string] {
  const first = image.repoDigests[0];
  if (first === undefined) return [NONE, NONE];
  const parts = first.split('@');
  return parts.length === 2 ? [parts[0], parts[1]] : ['errorName', 'errorRepoDigest'];
}

/** One [repository, tag] pair per tag, as crictl's normalizeRepoTagPair makes them: an untagged
 *  image (or a "<none>" repository) shows the repository of its digest. */
export function repoTagPairs(image: Image, repo: string): [string, string][] {
  if (image.repoTags.length === 0) return [[repo, NONE]];
  return image.repoTags.map((ref) => {
    const colon = ref.lastIndexOf(':');
    if (colon < 0) return ['errorRepoTag', 'errorRepoTag'];
    const name = ref.slice(0, colon);
    return [name === NONE ? repo : name, ref.slice(colon + 1)];
  });
}

interface ImageFilter {
  dangling?: boolean;
  reference?: RegExp;
  /** before=REF / since=REF: images listed after / before REF in the runtime's order. */
  before?: string;
  since?: string;
}

function parseImageFilters(filters: readonly string[]): ImageFilter {
  const out: ImageFilter = {};
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (eq <= 0)
      throw new UsageError(
        `--filter "${f}": expected key=value (dangling=true|false, reference=REGEX, before=IMAGE, since=IMAGE)`,
      );
    if (key === 'dangling') {
      if (value !== 'true' && value !== 'false')
        throw new UsageError(`--filter "${f}": dangling must be true or false`);
      out.dangling = value === 'true';
    } else if (key === 'reference') {
      try {
        out.reference = new RegExp(value);
      } catch (err) {
        throw new UsageError(`--filter "${f}": invalid regular expression: ${(err as Error).message}`);
      }
    } else if (key === 'before' || key === 'since') {
      if (!value) throw new UsageError(`--filter "${f}": expected ${key}=NAME[:TAG], an image ID or NAME@DIGEST`);
      out[key] = value;
    } else {
      throw new UsageError(`--filter "${f}": unknown filter "${key}" (supported: dangling, reference, before, since)`);
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
  return image.repoTags.some((t) =>
    hasTag ? t === `${repo}${ref.slice(colon)}` : t.slice(0, t.lastIndexOf(':')) === repo,
  );
}

/** Applies --filter to the runtime's list, keeping its order (before/since are positions in it, as in crictl). */
function filterImages(images: readonly Image[], filter: ImageFilter): Image[] {
  let list = [...images];
  if (filter.since !== undefined) {
    const at = list.findIndex((i) => matchesRef(i, filter.since!));
    if (at >= 0) list = list.slice(0, at);
  }
  if (filter.before !== undefined) {
    const at = list.findIndex((i) => matchesRef(i, filter.before!));
    if (at >= 0) list = list.slice(at + 1);
  }
  return list.filter((i) => keep(i, filter));
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
  filter = Option.Array('-f,--filter', [], {
    description:
      'Filter output based on provided conditions: dangling=(true|false), reference=REGEX, before=IMAGE, since=IMAGE (IMAGE: NAME[:TAG], ID or NAME@DIGEST)',
  });
  noTrunc = Option.Boolean('--no-trunc', false, { description: 'Show output without truncating the ID' });
  output = listOutputOption();
  template = templateOption();
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Only show image IDs' });
  verbose = Option.Boolean('-v,--verbose', false, { description: 'Show verbose info for images' });
  ref = Option.String({ name: 'REPOSITORY[:TAG]', required: false });

  async execute(): Promise<number> {
    const filter = parseImageFilters(this.filter);
    const service = await this.images();
    const images = await listImages(service, this.ref ? { image: { image: this.ref } } : undefined);
    // crictl master sorts, then applies --filter (before/since count in that order).
    const selected = filterImages(sortImages(images), filter).filter((i) => !this.ref || matchesRef(i, this.ref));
    if (this.output !== 'table') {
      await writeOut(
        this.context.stdout,
        `${await renderMessage('runtime.v1.ListImagesResponse', { images: selected }, this.output, this.template)}\n`,
      );
      return 0;
    }
    if (this.quiet) {
      await writeOut(this.context.stdout, escapeText(selected.map((i) => `${i.id}\n`).join('')));
      return 0;
    }
    if (this.verbose) {
      await writeOut(this.context.stdout, escapeText(selected.map(verboseImage).join('')));
      return 0;
    }
    const header = [
      'IMAGE',
      'TAG',
      ...(this.digests ? ['DIGEST'] : []),
      'IMAGE ID',
      'SIZE',
      ...(this.pinned ? ['PINNED'] : []),
    ];
    const rows = [header];
    for (const image of selected) {
      const [repo, digest] = repoAndDigest(image);
      const id = this.noTrunc ? image.id : truncateId(image.id.replace(/^sha256:/, ''));
      const shownDigest = this.noTrunc ? digest : truncateId(digest.replace(/^sha256:/, ''));
      const size = humanSize(Number(image.size), 3);
      for (const [name, tag] of repoTagPairs(image, repo)) {
        rows.push([
          name,
          tag,
          ...(this.digests ? [shownDigest] : []),
          id,
          size,
          ...(this.pinned ? [String(image.pinned)] : []),
        ]);
      }
    }
    await writeOut(this.context.stdout, formatTable(rows));
    return 0;
  }
}

/** crictl's ListImages order: by first repo tag when both have one, else by first repo
 *  digest when both have one, else by ID (the comparison is bytewise, as Go compares strings). */
export function compareImages(a: Image, b: Image): number {
  if (a.repoTags.length > 0 && b.repoTags.length > 0) return goStringCompare(a.repoTags[0], b.repoTags[0]);
  if (a.repoDigests.length > 0 && b.repoDigests.length > 0) return goStringCompare(a.repoDigests[0], b.repoDigests[0]);
  return goStringCompare(a.id, b.id);
}

/**
 * The images in crictl's order. That comparison is not a total order when tagged, untagged and
 * digest-less images mix, so the result then depends on the algorithm: Go sorts up to 12 items
 * by plain insertion, which is reproduced here; longer lists use a stable sort.
 */
export function sortImages(images: readonly Image[]): Image[] {
  const out = [...images];
  if (out.length > 12) return out.sort(compareImages);
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && compareImages(out[j], out[j - 1]) < 0; j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
  }
  return out;
}

/** One image of `images -v`, as crictl prints it (the uid as gogo's String() spells it). */
export function verboseImage(image: Image): string {
  let s = `ID: ${image.id}\n`;
  for (const t of image.repoTags) s += `RepoTags: ${t}\n`;
  for (const d of image.repoDigests) s += `RepoDigests: ${d}\n`;
  if (image.size !== '0') s += `Size: ${image.size}\n`;
  if (image.uid) s += `Uid: &Int64Value{Value:${image.uid.value},}\n`;
  if (image.username) s += `Username: ${image.username}\n`;
  if (image.pinned) s += 'Pinned: true\n';
  return `${s}\n`;
}

/** crictl's outputImageStatusTable. */
export function imageStatusTable(r: ImageStatusResponse, verbose: boolean): string {
  const image = r.image;
  let s = `ID: ${image?.id ?? ''}\n`;
  for (const t of image?.repoTags ?? []) s += `Tag: ${t}\n`;
  for (const d of image?.repoDigests ?? []) s += `Digest: ${d}\n`;
  s += `Size: ${humanSize(Number(image?.size ?? 0), 3)}\n`;
  if (verbose) s += `Info: ${goMapString(r.info)}\n`;
  return s;
}

export class InspectImageCommand extends CriCommand {
  static override paths = [['inspecti']];
  static override usage = Command.Usage({
    description: 'Return the status of one or more images',
    details:
      "Shows ImageStatus with the runtime's verbose info decoded into objects. Images may be named by reference, full ID or unique ID prefix. IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).",
    examples: [['Inspect busybox', 'crictl inspecti busybox:1.33.1']],
  });

  output = statusOutputOption();
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show verbose information' });
  template = templateOption();
  // Without IDs, the images these select are inspected.
  name = Option.String('--name', { description: 'Filter by image name' });
  filter = Option.Array('-f,--filter', [], {
    description:
      'Filter by conditions, as images --filter: dangling=(true|false), reference=REGEX, before=IMAGE, since=IMAGE',
  });
  refs = Option.Rest({ name: 'IMAGE-ID' });

  async execute(): Promise<number> {
    const filter = parseImageFilters(this.filter);
    const service = await this.images();
    const verbose = !this.quiet;
    let refs = this.refs;
    if (refs.length === 0) {
      const images = await listImages(service, this.name ? { image: { image: this.name } } : undefined);
      refs = filterImages(sortImages(images), filter)
        .filter((i) => !this.name || matchesRef(i, this.name))
        .map((i) => i.id);
      if (refs.length === 0)
        throw new UsageError(
          'No IDs provided or nothing found per filter: crictl inspecti IMAGE-ID [IMAGE-ID...] or --name/--filter',
        );
    }
    const items: StatusWithInfo[] = [];
    for (const ref of refs) {
      const id = await resolveImageRef(service, ref);
      const r = await service.imageStatus({ image: { image: id }, verbose });
      if (!r.image) throw new UsageError(`image "${ref}" not found`);
      // Tables print as they come, as crictl's do; a document waits for all of them.
      if (this.output === 'table') this.context.stdout.write(escapeText(imageStatusTable(r, verbose)));
      else items.push({ status: r.image, info: r.info });
    }
    if (this.output !== 'table')
      await printStatusInfo(this.context.stdout, 'runtime.v1.Image', items, this.output, this.template);
    return 0;
  }
}

export class ImageFsInfoCommand extends CriCommand {
  static override paths = [['imagefsinfo']];
  static override usage = Command.Usage({
    description: 'Return image filesystem info',
    examples: [['Image filesystem usage as JSON', 'crictl imagefsinfo']],
  });

  output = statusOutputOption();
  template = templateOption();

  async execute(): Promise<number> {
    const r = await (await this.images()).imageFsInfo({});
    if (this.output === 'table') {
      this.context.stdout.write(escapeText(imageFsInfoTable(r)));
      return 0;
    }
    // crictl master prints the whole reply as the status of an inspect-style document.
    await printStatusInfo(
      this.context.stdout,
      'runtime.v1.ImageFsInfoResponse',
      [{ status: r, info: {} }],
      this.output,
      this.template,
    );
    return 0;
  }
}

/** crictl's outputImageFsInfoTable: container filesystems, then image filesystems. */
export function imageFsInfoTable(r: ImageFsInfoResponse): string {
  const block = (label: string, list: readonly FilesystemUsage[]) =>
    `${label} Filesystem \n${list
      .map(
        (fs, i) =>
          `TimeStamp[${i}]: ${fs.timestamp}\nDisk[${i}]: ${humanSize(Number(fs.usedBytes?.value ?? 0))}\nInodes[${i}]: ${fs.inodesUsed?.value ?? '0'}\nMountpoint[${i}]: ${fs.fsId?.mountpoint ?? ''}\n`,
      )
      .join('')}`;
  return block('Container', r.containerFilesystems) + block('Image', r.imageFilesystems);
}

export interface PullOptions {
  /** Registry credentials (see credentials.ts: resolveAuth). */
  auth?: DeepPartial<AuthConfig>;
  sandboxConfig?: object;
  annotations?: Record<string, string>;
  timeoutMs?: number;
  /** Shown while the pull runs (pull-progress.ts). */
  progress?: () => Promise<{ stop(): Promise<void> } | undefined>;
}

/** Pulls `ref`, with credentials when given; returns the image reference. */
export async function pullImage(service: ImageServiceClient, ref: string, opts: PullOptions): Promise<string> {
  const progress = await opts.progress?.();
  const r = await service
    .pullImage(
      {
        image: { image: ref, annotations: opts.annotations ?? {} },
        auth: opts.auth,
        sandboxConfig: opts.sandboxConfig,
      },
      // Pulls take as long as the image is big: no deadline unless the caller sets one.
      { timeoutMs: opts.timeoutMs ?? 0 },
    )
    .finally(() => progress?.stop());
  return r.imageRef;
}

export class PullCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['pull']];
  static override usage = Command.Usage({
    description: 'Pull an image from a registry',
    details:
      'Asks the image service to pull IMAGE. Credentials go to the runtime only and never appear in --debug output. --creds and --auth on the command line are visible to every user of the machine (ps, /proc): prefer --username (the password is asked for, or read from stdin) or the CRICTL_CREDS / CRICTL_AUTH environment variables.',
    examples: [
      ['Pull busybox', 'crictl pull busybox:1.33.1'],
      ['From a private registry, asking for the password', 'crictl pull -u user registry.example:5000/app:v1'],
      [
        'Password from a file, not on the command line',
        'crictl pull -u user registry.example:5000/app:v1 < password.txt',
      ],
      ['Give up after 5 minutes', 'crictl pull --pull-timeout 5m busybox:1.33.1'],
    ],
  });

  creds = credsOption();
  auth = authOption();
  username = usernameOption();
  pullTimeout = pullTimeoutOption();
  podConfig = Option.String('-p,--pod-config', '', {
    description: 'Use `pod-config.[json|yaml]` to override the pull context',
  });
  annotation = Option.Array('-a,--annotation', [], {
    description: 'Annotation to be set on the pulled image (key=value)',
  });
  image = Option.String({ name: 'IMAGE' });

  async execute(): Promise<number> {
    let sandboxConfig: object | undefined;
    if (this.podConfig) {
      const { loadPodConfig } = await import('../spec/configs.js');
      sandboxConfig = await loadPodConfig(this.podConfig);
    }
    const annotations = parseLabels(this.annotation, '--annotation');
    const { resolveAuth, resolvePullTimeout } = await import('./credentials.js');
    const timeoutMs = await resolvePullTimeout(this.pullTimeout, this.context.env);
    const auth = await resolveAuth(this, this.context.env, this.context);
    const progress = () =>
      import('./pull-progress.js').then((m) => m.watchPull(this.context, () => this.runtime(), this.image));
    const ref = await pullImage(await this.images(), this.image, {
      auth,
      sandboxConfig,
      annotations,
      timeoutMs,
      progress,
    });
    this.out(escapeText(`Image is up to date for ${ref}`));
    return 0;
  }
}

export class RemoveImageCommand extends CriCommand {
  static override paths = [['rmi']];
  static override usage = Command.Usage({
    description: 'Remove one or more images',
    details:
      "Removes images by reference or ID (an image goes with all its tags). --prune (-q, as in crictl) removes every image no container uses; --all every image. Both keep the runtime's sandbox (pause) image, pinned images and images any container uses, and say on stderr what they kept and why (crictl would delete pause, which containerd 1.6 does not pin). IDs are all resolved first: if one is not found nothing is removed.",
    examples: [
      ['Remove busybox', 'crictl rmi busybox:1.33.1'],
      ['Remove unused images', 'crictl rmi --prune'],
    ],
  });

  all = Option.Boolean('-a,--all', false, {
    description: 'Remove all images (except the sandbox image, pinned and used ones)',
  });
  prune = Option.Boolean('-q,--prune', false, {
    description: 'Remove all unused images (except the sandbox image and pinned ones)',
  });
  quiet = Option.Boolean('--quiet', false, { description: 'Do not show the removed references' });
  refs = Option.Rest({ name: 'IMAGE-ID' });

  async execute(): Promise<number> {
    const service = await this.images();
    let targets: { id: string; tags: string[] }[];
    if (this.all || this.prune) {
      if (this.refs.length > 0)
        throw new UsageError(`rmi: give image IDs or ${this.all ? '--all' : '--prune'}, not both`);
      const { selectPrunable } = await import('./prune.js');
      const { remove, kept, warnings } = await selectPrunable(service, await this.runtime());
      for (const w of warnings) this.warn(`crictl: ${w}`);
      for (const { image, why } of kept)
        this.warn(`Kept: ${image.repoTags[0] ?? image.repoDigests[0] ?? image.id} (${why})`);
      targets = remove.map((i) => ({ id: i.id, tags: [...i.repoTags] }));
    } else {
      if (this.refs.length === 0)
        throw new UsageError('ID cannot be empty: crictl rmi IMAGE-ID [IMAGE-ID...] (or -a, --prune)');
      targets = [];
      for (const ref of this.refs) {
        const id = await resolveImageRef(service, ref);
        const status = await service.imageStatus({ image: { image: id } });
        targets.push({ id, tags: status.image?.repoTags ?? [] });
      }
    }
    return this.bulk(
      targets,
      async ({ id, tags }) => {
        await service.removeImage({ image: { image: id } });
        if (this.quiet) return undefined;
        return (tags.length > 0 ? tags : [id]).map((t) => `Deleted: ${t}`).join('\n');
      },
      (t) => `removing image ${t.tags[0] ?? t.id}`,
    );
  }
}
