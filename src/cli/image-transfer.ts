// Commands the CRI has no calls for, done through containerd's own API on the same socket:
// load (import), save (export), tag. Other runtimes get one line naming their own tool.
import { Command, Option } from 'clipanion';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ContainerdClient } from '../containerd/client.js';
import type { JsonDescriptor } from '../containerd/oci.js';
import { CriError, GrpcCode } from '../cri/errors.js';
import { CommandError, UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';
import { resolveImageRef } from './resolve.js';
import { stopOnSignals } from './signals.js';

/** What to use instead on runtimes without containerd's API, per command. */
const ELSEWHERE: Record<string, { crio: string; docker: string }> = {
  load: { crio: 'podman load (or skopeo copy docker-archive:FILE containers-storage:NAME)', docker: 'docker load' },
  save: { crio: 'podman save (or skopeo copy containers-storage:NAME oci-archive:FILE)', docker: 'docker save' },
  tag: { crio: 'podman tag', docker: 'docker tag' },
};

/** Base of commands that talk to containerd directly. */
abstract class ContainerdCommand extends CriCommand {
  /** Opens containerd's API on the image endpoint, or explains in one line why it cannot. */
  protected async containerd(command: 'load' | 'save' | 'tag'): Promise<ContainerdClient> {
    const settings = await this.context.settings();
    const endpoint = settings.imageEndpoint || settings.runtimeEndpoint;
    const { runtimeName } = await (await this.runtime()).version({});
    const hint = ELSEWHERE[command];
    const refuse = (name: string) => {
      const tool = /cri-o/i.test(name)
        ? hint.crio
        : /docker/i.test(name)
          ? hint.docker
          : `${hint.crio} on CRI-O, ${hint.docker} on cri-dockerd`;
      return new CommandError(
        `${command} needs containerd's image API, but the runtime at ${endpoint} is ${name || 'unnamed'}: use ${tool}`,
      );
    };
    if (runtimeName !== 'containerd') throw refuse(runtimeName);
    const { ContainerdClient, CRI_NAMESPACE } = await import('../containerd/client.js');
    const client = new ContainerdClient(endpoint, {
      timeoutMs: settings.timeoutMs,
      debug: settings.debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
    });
    try {
      await client.namespaces.get({ name: CRI_NAMESPACE });
    } catch (err) {
      client.close();
      const { isNotFound } = await import('../containerd/client.js');
      if (isNotFound(err))
        throw new CommandError(
          `containerd at ${endpoint} has no "${CRI_NAMESPACE}" namespace (is its CRI plugin enabled?)`,
        );
      // Says it is containerd, but does not serve containerd's API there (a proxy, a shim).
      if (err instanceof CriError && err.code === GrpcCode.UNIMPLEMENTED)
        throw refuse(`${runtimeName} without containerd's API on that socket`);
      throw err;
    }
    return client;
  }

  /** Waits (briefly) until the CRI plugin, which learns of new images from events, lists it. */
  protected async waitVisible(id: string, names: string[]): Promise<void> {
    const service = await this.images();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { image } = await service.imageStatus({ image: { image: id } });
      if (image && names.every((n) => image.repoTags.includes(n) || image.repoDigests.includes(n))) return;
      if (Date.now() > deadline) {
        this.warn(`crictl: warning: the runtime does not list ${names[0] ?? id} yet`);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The containerd record behind a CRI image reference: its root descriptor and the CRI's view. */
  protected async findImage(
    client: ContainerdClient,
    ref: string,
  ): Promise<{ id: string; tags: string[]; target: JsonDescriptor }> {
    const service = await this.images();
    const id = await resolveImageRef(service, ref);
    const { image } = await service.imageStatus({ image: { image: id } });
    if (!image) throw new UsageError(`image "${ref}" not found`);
    const { isNotFound } = await import('../containerd/client.js');
    for (const name of [...image.repoTags, ...image.repoDigests, image.id]) {
      try {
        const r = await client.images.get({ name });
        const t = r.image?.target;
        if (t)
          return {
            id: image.id,
            tags: image.repoTags,
            target: { mediaType: t.mediaType, digest: t.digest, size: Number(t.size), annotations: t.annotations },
          };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    throw new CommandError(`image "${ref}": the runtime lists it, but containerd has no image record for it`);
  }
}

/** Runs `work` with a stop signal turned into an abort; returns the signal's exit code if one came. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value?: T; code?: number }> {
  const ac = new AbortController();
  const stopped = stopOnSignals(() => ac.abort());
  try {
    return { value: await work(ac.signal) };
  } catch (err) {
    const code = stopped.exitCode();
    if (code !== undefined) return { code };
    throw err;
  } finally {
    stopped.release();
  }
}

export class LoadCommand extends ContainerdCommand {
  static override paths = [['load'], ['import']];
  static override usage = Command.Usage({
    description: 'Load images from an archive (containerd only)',
    details: `Reads an OCI image layout tar or a \`docker save\` archive (from a file, or from standard input) and stores its images in the runtime, where \`images\`, \`create\` and \`run\` see them at once. Nothing of a failed or interrupted load remains. Multi-platform images are loaded for this machine's platform unless --platform or --all-platforms says otherwise.`,
    examples: [
      ['From a file', 'crictl load -i busybox.tar'],
      ['From docker, under another name', 'docker save busybox | crictl load --name registry.example/busybox:v1'],
    ],
  });

  input = Option.String('-i,--input', '-', { description: 'Archive to read (default: standard input)' });
  names = Option.Array('--name', [], {
    description: 'Name the loaded image NAME instead of the names the archive carries (repeatable)',
  });
  platform = Option.Array('--platform', [], {
    description: 'Platform (os/arch[/variant]) to load from multi-platform images (repeatable)',
  });
  allPlatforms = Option.Boolean('--all-platforms', false, {
    description: 'Load every platform of multi-platform images',
  });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Show no progress' });

  async execute(): Promise<number> {
    const { userName } = await import('../containerd/names.js');
    const { parsePlatform } = await import('../containerd/oci.js');
    const names = this.names.map((n) => userName(n, '--name'));
    const platforms = this.platform.map(
      (p) =>
        parsePlatform(p) ??
        (() => {
          throw new UsageError(`--platform "${p}": expected os/arch[/variant], e.g. linux/amd64`);
        })(),
    );
    const fromStdin = this.input === '-';
    if (fromStdin && (this.context.stdin as NodeJS.ReadStream).isTTY)
      throw new UsageError('load: no archive: give -i FILE, or pipe one into standard input');
    const label = fromStdin ? 'stdin' : this.input;
    let input: AsyncIterable<Buffer>;
    if (fromStdin) input = this.context.stdin as AsyncIterable<Buffer>;
    else {
      try {
        if (statSync(this.input).isDirectory())
          throw new UsageError(`${this.input}: is a directory, expected an image archive (tar)`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(
          `${this.input}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        );
      }
      input = createReadStream(this.input, { highWaterMark: 1024 * 1024 });
    }
    const client = await this.containerd('load');
    try {
      const { loadArchive } = await import('../containerd/load.js');
      const tty = !this.quiet && Boolean((this.context.stdout as NodeJS.WriteStream).isTTY);
      const { ProgressBoard } = await import('./transfer-progress.js');
      const board = tty ? new ProgressBoard(this.context.stdout) : undefined;
      const r = await interruptible((signal) => {
        // The input may be a pipe whose writer is still going: stop reading it at once.
        signal.addEventListener('abort', () => (input as unknown as { destroy(): void }).destroy(), { once: true });
        return loadArchive(client, input, {
          label,
          names,
          platforms: this.allPlatforms ? 'all' : platforms.length > 0 ? platforms : undefined,
          signal,
          progress: board && {
            blob: (name, done, total) =>
              board.set(name, name.replace(/^blobs\/sha256\//, '').slice(0, 12), done, total),
          },
        });
      });
      board?.end();
      if (r.code !== undefined) {
        this.warn('crictl: load interrupted: nothing was loaded');
        return r.code;
      }
      for (const image of r.value!) {
        await this.waitVisible(image.id, image.names);
        if (image.names.length === 0) this.out(`Loaded image ID: ${image.id}`);
        for (const name of image.names) this.out(`Loaded image: ${name}`);
      }
      return 0;
    } finally {
      client.close();
      if (!fromStdin) (input as ReturnType<typeof createReadStream>).destroy();
    }
  }
}

export class TagCommand extends ContainerdCommand {
  static override paths = [['tag']];
  static override usage = Command.Usage({
    description: 'Give an image more names (containerd only)',
    details:
      'Creates TARGET names for the image SOURCE (a name, ID or unique ID prefix). A TARGET that names another image already is moved to this one.',
    examples: [['Tag busybox for a local registry', 'crictl tag busybox:1.33.1 registry.example:5000/busybox:1.33.1']],
  });

  source = Option.String({ name: 'SOURCE' });
  targets = Option.Rest({ name: 'TARGET', required: 1 });

  async execute(): Promise<number> {
    const { userName } = await import('../containerd/names.js');
    const targets = this.targets.map((t) => userName(t, 'tag'));
    const client = await this.containerd('tag');
    try {
      const image = await this.findImage(client, this.source);
      const { createRecords } = await import('../containerd/load.js');
      await createRecords(client, image.target, targets);
      await this.waitVisible(image.id, targets);
      return 0;
    } finally {
      client.close();
    }
  }
}

export class SaveCommand extends ContainerdCommand {
  static override paths = [['save'], ['export']];
  static override usage = Command.Usage({
    description: 'Save images to an archive (containerd only)',
    details:
      'Writes IMAGEs (names, IDs or unique ID prefixes) as an OCI image layout tar, which `crictl load`, `ctr images import`, `podman load` and `skopeo` read; `--format docker` adds the manifest.json that `docker load` needs. The file appears only when complete.',
    examples: [
      ['Save busybox', 'crictl save -o busybox.tar busybox:1.33.1'],
      ['For docker load', 'crictl save --format docker -o images.tar busybox:1.33.1 registry.k8s.io/pause:3.6'],
    ],
  });

  output = Option.String('-o,--output', { required: true, description: 'Archive to write ("-": standard output)' });
  format = Option.String('--format', 'oci', {
    description: "oci (OCI image layout) or docker (OCI layout plus docker save's manifest.json)",
  });
  platform = Option.String('--platform', '', {
    description: "Platform (os/arch[/variant]) to save of multi-platform images (default: this machine's)",
  });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Show no progress' });
  refs = Option.Rest({ name: 'IMAGE', required: 1 });

  async execute(): Promise<number> {
    if (this.format !== 'oci' && this.format !== 'docker')
      throw new UsageError(`--format "${this.format}": expected oci or docker`);
    const { parsePlatform } = await import('../containerd/oci.js');
    const platform = this.platform ? parsePlatform(this.platform) : undefined;
    if (platform === null)
      throw new UsageError(`--platform "${this.platform}": expected os/arch[/variant], e.g. linux/amd64`);
    const toStdout = this.output === '-';
    if (toStdout && (this.context.stdout as NodeJS.WriteStream).isTTY)
      throw new UsageError(
        'save: refusing to write an archive to a terminal: give -o FILE or redirect standard output',
      );
    if (!toStdout) {
      try {
        if (statSync(this.output).isDirectory())
          throw new UsageError(`-o ${this.output}: is a directory, expected a file name`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
      }
    }
    const { fullName, isReference } = await import('../containerd/names.js');
    const client = await this.containerd('save');
    // A temporary file beside the target, created exclusively (never one that was there), renamed
    // into place once complete.
    const temp = toStdout
      ? ''
      : join(dirname(this.output), `.${basename(this.output)}.${randomBytes(6).toString('hex')}.tmp`);
    let out: NodeJS.WritableStream & import('node:stream').Writable = this.context.stdout as NodeJS.WriteStream;
    let finished = false;
    try {
      const images: { names: string[]; target: JsonDescriptor }[] = [];
      for (const ref of this.refs) {
        const found = await this.findImage(client, ref);
        // Named by one of its tags: that name alone, as docker save does; by ID: all its names.
        const named = isReference(ref) ? fullName(ref) : '';
        images.push({ names: found.tags.includes(named) ? [named] : found.tags, target: found.target });
      }
      if (!toStdout) {
        out = createWriteStream(temp, { flags: 'wx', mode: 0o644 });
        await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
      }
      const { saveImages } = await import('../containerd/save.js');
      const tty = !toStdout && !this.quiet && Boolean((this.context.stdout as NodeJS.WriteStream).isTTY);
      const { ProgressBoard } = await import('./transfer-progress.js');
      const board = tty ? new ProgressBoard(this.context.stdout) : undefined;
      const progress = board && {
        blob: (digest: string, done: number, total: number) => board.set(digest, digest.slice(7, 19), done, total),
      };
      const r = await interruptible((signal) =>
        saveImages(client, images, out, {
          format: this.format as 'oci' | 'docker',
          platform: platform ?? undefined,
          signal,
          progress,
        }),
      );
      board?.end();
      if (r.code !== undefined) {
        this.warn('crictl: save interrupted: nothing was written');
        return r.code;
      }
      if (!toStdout) {
        await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject));
        renameSync(temp, this.output);
      }
      finished = true;
      return 0;
    } catch (err) {
      if (typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall)
        throw new CommandError(`-o ${this.output}: ${(err as Error).message}`);
      throw err;
    } finally {
      client.close();
      if (!toStdout && !finished) {
        (out as import('node:fs').WriteStream).destroy?.();
        try {
          unlinkSync(temp);
        } catch {
          // never created
        }
      }
    }
  }
}
