// Container commands: ps, inspect (and the container lifecycle: create, start, stop, rm).
import { Command, Option } from 'clipanion';
import type {
  Container,
  ContainerState,
  ContainerStatusResponse,
  ImageServiceClient,
  RuntimeServiceClient,
} from '../cri/client.js';
import { CommandError, UsageError } from '../errors.js';
import { listContainers, listImages, listPodSandboxes } from '../cri/lists.js';
import { escapeText } from '../output/escape.js';
import { ago, goMapString, mapBlock, rfc3339Nano, truncateId, ZERO_TIME_RFC3339 } from '../output/human.js';
import { renderMessage } from '../output/render.js';
import { formatTable } from '../output/table.js';
import { writeOut } from '../output/write.js';
import type { CliContext } from './context.js';
import { CriCommand } from './cri-command.js';
import { authOption, credsOption, pullTimeoutOption, usernameOption } from './credentials.js';
import { allInOrder, printStatusInfo, type StatusWithInfo } from './inspect-output.js';
import { compileRegex, newestFirst, parseLabels, parseLast } from './list-options.js';
import { resolveContainerIds, resolvePodIds } from './resolve.js';
import {
  cancelTimeoutOption,
  containerIdsOption,
  isSeconds,
  listOutputOption,
  statusOutputOption,
  templateOption,
} from './options.js';

const CONTAINER_STATES: Record<string, ContainerState> = {
  created: 'CONTAINER_CREATED',
  running: 'CONTAINER_RUNNING',
  exited: 'CONTAINER_EXITED',
  unknown: 'CONTAINER_UNKNOWN',
};

/** Table text for a container state, as crictl shows it. */
export function containerStateText(state: string): string {
  switch (state) {
    case 'CONTAINER_CREATED':
      return 'Created';
    case 'CONTAINER_RUNNING':
      return 'Running';
    case 'CONTAINER_EXITED':
      return 'Exited';
    default:
      return 'Unknown';
  }
}

export function parseContainerState(raw: string): ContainerState {
  const state = CONTAINER_STATES[raw.toLowerCase()];
  if (!state) throw new UsageError(`--state "${raw}": must be one of created, running, exited, unknown`);
  return state;
}

/** What selects containers: ps's filters, also used by exec to run in several containers. */
export interface ContainerSelection {
  all?: boolean;
  id?: string;
  pod?: string;
  name?: string;
  /** Regular expression on the pod namespace label (io.kubernetes.pod.namespace). */
  namespace?: string;
  image?: string;
  state?: string;
  label?: string[];
  latest?: boolean;
  last?: string;
}

/**
 * Containers matching a selection, newest first, as crictl ps selects them: ID, pod, state and
 * labels go to the runtime; the --name regex and --image (reference or ID prefix) are matched
 * here. Without -a, --state, --latest or --last only running containers are chosen.
 */
export async function selectContainers(
  runtime: RuntimeServiceClient,
  images: () => Promise<ImageServiceClient>,
  sel: ContainerSelection,
): Promise<Container[]> {
  const last = parseLast(sel.last);
  let state: ContainerState | undefined;
  if (sel.state) state = parseContainerState(sel.state);
  else if (!sel.all && !sel.latest && last === 0) state = 'CONTAINER_RUNNING';
  const nameRe = compileRegex(sel.name, '--name');
  const namespaceRe = compileRegex(sel.namespace, '--namespace');
  const filter = {
    id: sel.id,
    podSandboxId: sel.pod,
    state: state ? { state } : undefined,
    labelSelector: parseLabels(sel.label),
  };
  const containers = await listContainers(runtime, filter);
  let imageIds: Set<string> | undefined;
  if (sel.image) {
    const { matchesRef } = await import('./images.js');
    const list = await listImages(await images());
    imageIds = new Set(list.filter((i) => matchesRef(i, sel.image!)).map((i) => i.id));
  }
  const byImage = (c: Container) =>
    !imageIds || imageIds.has(c.imageRef) || imageIds.has(c.image?.image ?? '') || c.image?.image === sel.image;
  return newestFirst(
    containers.filter(
      (c) =>
        (!nameRe || nameRe.test(c.metadata?.name ?? '')) &&
        (!namespaceRe || namespaceRe.test(c.labels[POD_NAMESPACE_LABEL] ?? '')) &&
        byImage(c),
    ),
    sel.latest ?? false,
    last,
  );
}

const POD_NAME_LABEL = 'io.kubernetes.pod.name';
const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

export class PsCommand extends CriCommand {
  static override paths = [['ps']];
  static override usage = Command.Usage({
    description: 'List containers',
    details:
      'Lists running containers (all with -a), newest first. ID, pod, state and labels are filtered by the runtime; --name is a regular expression and --image matches an image name or ID prefix.',
    examples: [
      ['All containers', 'crictl ps -a'],
      ['Containers of one pod', 'crictl ps --pod 1f6e'],
      ['IDs of exited containers', 'crictl ps --state exited -q'],
    ],
  });

  all = Option.Boolean('-a,--all', false, { description: 'Show all containers' });
  id = Option.String('--id', '', { description: 'Filter by container id' });
  pod = Option.String('-p,--pod', '', { description: 'Filter by pod id' });
  name = Option.String('--name', '', { description: 'filter by container name regular expression pattern' });
  namespace = Option.String('--namespace', '', { description: 'Filter by pod namespace regular expression pattern' });
  image = Option.String('--image', '', { description: 'Filter by container image' });
  state = Option.String('-s,--state', '', {
    description: 'Filter by container state (created, running, exited, unknown)',
  });
  label = Option.Array('--label', [], { description: 'Filter by key=value label' });
  verbose = Option.Boolean('-v,--verbose', false, { description: 'Show verbose information for containers' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Only display container IDs' });
  output = listOutputOption();
  template = templateOption();
  latest = Option.Boolean('-l,--latest', false, {
    description: 'Show the most recently created container (includes all states)',
  });
  last = Option.String('-n,--last', {
    description: 'Show last n recently created containers (includes all states). Set 0 for unlimited.',
  });
  noTrunc = Option.Boolean('--no-trunc', false, { description: 'Show output without truncating the ID' });
  resolveImagePath = Option.Boolean('-r,--resolve-image-path', false, {
    description: 'Show image path instead of image id',
  });

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    const selected = await selectContainers(runtime, () => this.images(), this);
    const imagePath = this.resolveImagePath && this.output === 'table' ? await this.imagePaths(selected) : undefined;

    if (this.output !== 'table') {
      await writeOut(
        this.context.stdout,
        `${await renderMessage('runtime.v1.ListContainersResponse', { containers: selected }, this.output, this.template)}\n`,
      );
      return 0;
    }
    if (this.quiet) {
      await writeOut(this.context.stdout, escapeText(selected.map((c) => `${c.id}\n`).join('')));
      return 0;
    }
    if (this.verbose) {
      const now = Date.now();
      await writeOut(this.context.stdout, escapeText(selected.map((c) => verboseContainer(c, now)).join('')));
      return 0;
    }
    // The kubelet labels every container with its pod's name and namespace, and crictl reads
    // only those; pods are listed just for containers made by hand, which lack them.
    const unlabelled = selected.some(
      (c) => c.labels[POD_NAME_LABEL] === undefined || c.labels[POD_NAMESPACE_LABEL] === undefined,
    );
    const pods = unlabelled ? await listPodSandboxes(runtime) : [];
    const podsById = new Map(pods.map((p) => [p.id, p.metadata]));
    const now = Date.now();
    const rows = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE']];
    for (const c of selected) {
      const pod = podsById.get(c.podSandboxId);
      rows.push([
        this.noTrunc ? c.id : truncateId(c.id),
        imagePath?.get(c.image?.image ?? '') ?? shownImage(c.image?.image ?? '', this.noTrunc),
        ago(c.createdAt, now),
        containerStateText(c.state),
        c.metadata?.name ?? '',
        String(c.metadata?.attempt ?? 0),
        this.noTrunc ? c.podSandboxId : truncateId(c.podSandboxId),
        c.labels[POD_NAME_LABEL] ?? pod?.name ?? 'unknown',
        c.labels[POD_NAMESPACE_LABEL] ?? pod?.namespace ?? 'unknown',
      ]);
    }
    await writeOut(this.context.stdout, formatTable(rows));
    return 0;
  }

  /** --resolve-image-path: each image's first tag, as crictl shows it (the image as given when untagged). */
  private async imagePaths(containers: readonly Container[]): Promise<Map<string, string>> {
    const service = await this.images();
    const paths = new Map<string, string>();
    for (const image of new Set(containers.map((c) => c.image?.image ?? ''))) {
      if (!image) continue;
      const { image: status } = await service.imageStatus({ image: { image } });
      paths.set(image, status?.repoTags[0] ?? image);
    }
    return paths;
  }
}

/**
 * The IMAGE cell: an image ID (a digest go-digest accepts: sha256, sha384 or sha512 and hex of
 * the right length) is cut to 13 hex digits as crictl cuts it; anything else, such as the name a
 * container made by hand usually carries, is shown whole.
 */
export function shownImage(image: string, noTrunc: boolean): string {
  if (noTrunc) return image;
  const m = /^(sha256|sha384|sha512):([a-f0-9]+)$/.exec(image);
  return m && m[2].length === DIGEST_HEX_LENGTH[m[1]] ? truncateId(m[2]) : image;
}

const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** One container of `ps -v`, as crictl master's OutputContainers prints it. */
export function verboseContainer(c: Container, now = Date.now()): string {
  let s = `ID: ${c.id}\nPodID: ${c.podSandboxId}\nNamespace: ${c.labels[POD_NAMESPACE_LABEL] ?? 'unknown'}\n`;
  if (c.metadata) {
    if (c.metadata.name) s += `Name: ${c.metadata.name}\n`;
    s += `Attempt: ${c.metadata.attempt}\n`;
  }
  s += `State: ${containerStateText(c.state)}\n`;
  if (c.image) s += `Image: ${c.image.image}\n`;
  s += `Created: ${ago(c.createdAt, now)}\n`;
  return `${s + mapBlock('Labels', c.labels) + mapBlock('Annotations', c.annotations)}\n`;
}

export class InspectCommand extends CriCommand {
  static override paths = [['inspect']];
  static override usage = Command.Usage({
    description: 'Display the status of one or more containers',
    details:
      "Shows ContainerStatus with the runtime's verbose info decoded into objects. Several containers print as a JSON array. IDs may be unique prefixes or container names. IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).",
    examples: [
      ['Inspect a container', 'crictl inspect 3a1b'],
      ['The PID of a container', 'crictl inspect -o go-template --template "{{.info.pid}}" 3a1b'],
    ],
  });

  output = statusOutputOption();
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show verbose information' });
  template = templateOption();
  // Without IDs, the containers these select (as ps selects them) are inspected.
  name = Option.String('--name', { description: 'Filter by container name regular expression pattern' });
  namespace = Option.String('--namespace', { description: 'Filter by pod namespace regular expression pattern' });
  pod = Option.String('-p,--pod', { description: 'Filter by pod id' });
  image = Option.String('--image', { description: 'Filter by container image' });
  state = Option.String('-s,--state', { description: 'Filter by container state' });
  label = Option.Array('--label', { description: 'Filter by key=value label' });
  latest = Option.Boolean('-l,--latest', false, {
    description: 'Show the most recently created container (includes all states)',
  });
  last = Option.String('-n,--last', {
    description: 'Show last n recently created containers (includes all states). Set 0 for unlimited.',
  });
  all = Option.Boolean('-a,--all', false, { description: 'Show all containers' });
  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    const verbose = !this.quiet;
    // Without IDs, the containers the filters select (as ps selects them); with IDs, those.
    const selected =
      this.ids.length > 0 ? undefined : (await selectContainers(runtime, () => this.images(), this)).map((c) => c.id);
    if (selected?.length === 0)
      throw new UsageError(
        'No IDs provided or nothing found per filter: crictl inspect CONTAINER-ID [CONTAINER-ID...] or filter flags',
      );
    if (this.output === 'table') {
      // crictl prints each table as its status arrives: a bad ID fails after the ones before it.
      for (const arg of selected ?? this.ids) {
        const [containerId] = selected ? [arg] : await resolveContainerIds(runtime, [arg]);
        this.context.stdout.write(
          escapeText(containerStatusTable(await runtime.containerStatus({ containerId, verbose }), verbose)),
        );
      }
      return 0;
    }
    // One document for all of them, so any failure means nothing is printed (crictl master).
    const ids = selected ?? (await resolveContainerIds(runtime, this.ids));
    const results = await allInOrder(ids.map((containerId) => runtime.containerStatus({ containerId, verbose })));
    await printStatusInfo(
      this.context.stdout,
      'runtime.v1.ContainerStatus',
      results.map(containerStatusItem),
      this.output,
      this.template,
    );
    return 0;
  }
}

/** crictl's marshalContainerStatus: readable times; started/finished only once they happened. */
export function containerStatusItem(r: ContainerStatusResponse): StatusWithInfo {
  const s = r.status;
  if (!s) return { status: s, info: r.info, allFields: true };
  const started = s.state !== 'CONTAINER_CREATED';
  const finished = s.state === 'CONTAINER_EXITED' || (s.state === 'CONTAINER_UNKNOWN' && BigInt(s.finishedAt) > 0n);
  const overrides = {
    createdAt: rfc3339Nano(s.createdAt),
    startedAt: started ? rfc3339Nano(s.startedAt) : ZERO_TIME_RFC3339,
    finishedAt: finished ? rfc3339Nano(s.finishedAt) : ZERO_TIME_RFC3339,
  };
  return { status: s, info: r.info, overrides, allFields: true };
}

/** crictl's outputContainerStatusTable. */
export function containerStatusTable(r: ContainerStatusResponse, verbose: boolean, now = Date.now()): string {
  const s = r.status;
  let out = `ID: ${s?.id ?? ''}\n`;
  if (s?.metadata) {
    if (s.metadata.name) out += `Name: ${s.metadata.name}\n`;
    if (s.metadata.attempt) out += `Attempt: ${s.metadata.attempt}\n`;
  }
  const state = s?.state ?? 'CONTAINER_CREATED';
  out += `State: ${state}\nCreated: ${ago(s?.createdAt ?? '0', now)}\n`;
  if (s && state !== 'CONTAINER_CREATED') out += `Started: ${ago(s.startedAt, now)}\n`;
  if (s && state === 'CONTAINER_EXITED') {
    if (BigInt(s.finishedAt) > 0n) out += `Finished: ${ago(s.finishedAt, now)}\n`;
    out += `Exit Code: ${s.exitCode}\n`;
  }
  if (s) out += mapBlock('Labels', s.labels) + mapBlock('Annotations', s.annotations);
  if (verbose) out += `Info: ${goMapString(r.info)}\n`;
  return out;
}

export class CreateContainerCommand extends CriCommand {
  static override paths = [['create']];
  static override usage = Command.Usage({
    description: 'Create a new container',
    details:
      'Creates a container in an existing pod from a ContainerConfig file and the PodSandboxConfig the pod was run with, and prints the container ID. Both files are checked against the CRI schema first.',
    examples: [['Create a container in a pod', 'crictl create 1f6e container-config.json pod-config.json']],
  });

  noPull = Option.Boolean('--no-pull', false, {
    description: 'Do not pull the image (overrides pull-image-on-create=true in config)',
  });
  withPull = Option.Boolean('--with-pull', false, {
    description: 'Pull the image before creating the container (overrides pull-image-on-create=false in config)',
  });
  creds = credsOption();
  auth = authOption();
  username = usernameOption();
  pullTimeout = pullTimeoutOption();
  cancelTimeout = cancelTimeoutOption();
  pod = Option.String({ name: 'POD' });
  containerConfig = Option.String({ name: 'container-config.[json|yaml]' });
  podConfig = Option.String({ name: 'pod-config.[json|yaml]' });

  async execute(): Promise<number> {
    checkPullFlags(this);
    const { loadContainerConfig, loadPodConfig } = await import('../spec/configs.js');
    const config = await loadContainerConfig(this.containerConfig);
    const sandboxConfig = await loadPodConfig(this.podConfig);
    const runtime = await this.runtime();
    const [podSandboxId] = await resolvePodIds(runtime, [this.pod]);
    const settings = await this.context.settings();
    const timeoutMs = await this.callTimeout(this.cancelTimeout);
    if (this.withPull || (settings.pullImageOnCreate && !this.noPull)) {
      await pullForContainer(this, await this.images(), config.image?.image ?? '', sandboxConfig, timeoutMs, () =>
        this.runtime(),
      );
    }
    // A signal during CreateContainer: the container it makes is removed again.
    const { Rollback } = await import('./rollback.js');
    const rollback = new Rollback(this.context.stderr);
    try {
      const { containerId } = await rollback.step(
        'CreateContainer',
        () => runtime.createContainer({ podSandboxId, config, sandboxConfig }, { timeoutMs }),
        (r) => ({
          what: `container ${r.containerId}`,
          undo: async () => void (await runtime.removeContainer({ containerId: r.containerId }, { timeoutMs })),
        }),
      );
      this.out(containerId);
      return 0;
    } finally {
      rollback.end();
    }
  }
}

/** The pull flags create and run share. */
interface PullFlags {
  noPull: boolean;
  withPull: boolean;
  creds?: string;
  auth?: string;
  username?: string;
  pullTimeout?: string;
  context: CliContext;
}

/** Refuses contradictory pull flags before anything is read or created. */
function checkPullFlags(flags: PullFlags): void {
  if (flags.noPull && flags.withPull) throw new UsageError('--no-pull and --with-pull contradict each other: give one');
}

/** Pulls a container's image with the command's credentials; --pull-timeout, when given, bounds it. */
async function pullForContainer(
  flags: PullFlags,
  service: ImageServiceClient,
  image: string,
  sandboxConfig: object,
  timeoutMs: number,
  runtime: () => Promise<RuntimeServiceClient>,
): Promise<void> {
  const { resolveAuth, resolvePullTimeout } = await import('./credentials.js');
  const pullTimeoutMs = await resolvePullTimeout(flags.pullTimeout, flags.context.env);
  const auth = await resolveAuth(flags, flags.context.env, flags.context);
  const { pullImage } = await import('./images.js');
  const progress = () => import('./pull-progress.js').then((m) => m.watchPull(flags.context, runtime, image));
  await pullImage(service, image, { auth, sandboxConfig, timeoutMs: pullTimeoutMs ?? timeoutMs, progress });
}

export class StartContainerCommand extends CriCommand {
  static override paths = [['start']];
  static override usage = Command.Usage({
    description: 'Start one or more created containers',
    details:
      'IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).',
    examples: [['Start a container', 'crictl start 3a1b']],
  });

  ids = containerIdsOption();

  async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl start CONTAINER-ID [CONTAINER-ID...]');
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    const timeoutMs = await this.callTimeout();
    return this.bulk(
      ids,
      async (containerId) => {
        await runtime.startContainer({ containerId }, { timeoutMs });
        return containerId;
      },
      (id) => `starting container ${id}`,
    );
  }
}

export class StopContainerCommand extends CriCommand {
  static override paths = [['stop']];
  static override usage = Command.Usage({
    description: 'Stop one or more running containers',
    details:
      'Asks the runtime to stop each container, killing it after --timeout seconds. --all stops every running container. IDs are all resolved first: if one is not found nothing is stopped (crictl would stop those before it).',
    examples: [
      ['Stop, killing after 10 s', 'crictl stop -t 10 3a1b'],
      ['Stop every running container', 'crictl stop --all'],
    ],
  });

  ids = containerIdsOption();
  timeout = Option.String('-t,--timeout', '0', {
    description: 'Seconds to wait to kill the container after a graceful stop is requested',
    validator: isSeconds('--timeout', 0, 'expected whole seconds'),
  });
  all = Option.Boolean('-a,--all', false, { description: 'Stop all running containers' });

  async execute(): Promise<number> {
    if (this.all && this.ids.length > 0) throw new UsageError('stop: cannot specify CONTAINER-ID(s) when using --all');
    if (!this.all && this.ids.length === 0)
      throw new UsageError('ID cannot be empty: crictl stop CONTAINER-ID [CONTAINER-ID...] (or --all)');
    const timeout = this.timeout;
    const runtime = await this.runtime();
    let ids: string[];
    if (this.all) {
      const containers = await listContainers(runtime, { state: { state: 'CONTAINER_RUNNING' } });
      ids = containers.map((c) => c.id);
      if (ids.length === 0) {
        this.out('No running containers found.');
        return 0;
      }
    } else {
      ids = await resolveContainerIds(runtime, this.ids);
    }
    const base = await this.callTimeout();
    return this.bulk(
      ids,
      async (containerId) => {
        await runtime.stopContainer(
          { containerId, timeout: String(timeout) },
          { timeoutMs: base === 0 ? 0 : base + timeout * 1000 },
        );
        return containerId;
      },
      (id) => `stopping container ${id}`,
    );
  }
}

export class RemoveContainerCommand extends CriCommand {
  static override paths = [['rm']];
  static override usage = Command.Usage({
    description: 'Remove one or more containers',
    details:
      "A running container is refused unless --force, which stops it first. The container's log file and its rotations are removed too (as crictl master does) unless --keep-logs; only regular files are removed. IDs are all resolved first: if one is not found nothing is removed. Failures are listed one per line and the exit code is 1 if any failed.",
    examples: [
      ['Remove a container', 'crictl rm 3a1b'],
      ['Remove every container', 'crictl rm -a -f'],
      ['Keep the log files', 'crictl rm --keep-logs 3a1b'],
    ],
  });

  ids = containerIdsOption();
  force = Option.Boolean('-f,--force', false, {
    description: 'Force removal of the container, disregarding if running',
  });
  keepLogs = Option.Boolean('-k,--keep-logs', false, {
    description: 'Preserve the container log file and its rotations',
  });
  all = Option.Boolean('-a,--all', false, { description: 'Remove all containers' });

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    let ids: string[];
    let running: Set<string>;
    if (this.all) {
      const containers = await listContainers(runtime);
      ids = containers.map((c) => c.id);
      running = new Set(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id));
    } else {
      if (this.ids.length === 0)
        throw new UsageError('ID cannot be empty: crictl rm CONTAINER-ID [CONTAINER-ID...] (or -a)');
      ids = await resolveContainerIds(runtime, this.ids);
      const containers = await listContainers(runtime, { state: { state: 'CONTAINER_RUNNING' } });
      running = new Set(containers.map((c) => c.id));
    }
    const timeoutMs = await this.callTimeout();
    const { removeLogFiles } = await import('./log-files.js');
    return this.bulk(
      ids,
      async (containerId) => {
        if (running.has(containerId)) {
          if (!this.force) throw new CommandError('container is running, stop it first or use --force');
          await runtime.stopContainer({ containerId, timeout: '0' }, { timeoutMs });
        }
        // The log path is only known while the container exists.
        const logPath = this.keepLogs ? '' : ((await runtime.containerStatus({ containerId })).status?.logPath ?? '');
        await runtime.removeContainer({ containerId }, { timeoutMs });
        for (const problem of removeLogFiles(logPath)) this.warn(`crictl: container ${containerId}: ${problem}`);
        return containerId;
      },
      (id) => `removing container ${id}`,
    );
  }
}

export class RunContainerCommand extends CriCommand {
  static override paths = [['run']];
  static override usage = Command.Usage({
    description: 'Run a new container inside a sandbox',
    details:
      'Runs a pod from the pod config, creates the container in it and starts it, printing the container ID. If any step fails, what was created is removed again and the error says so.',
    examples: [['Run busybox in a new pod', 'crictl run container-config.json pod-config.json']],
  });

  runtimeHandler = Option.String('-r,--runtime', '', {
    description: 'Runtime handler to use. Available options are defined by the container runtime.',
  });
  noPull = Option.Boolean('--no-pull', false, {
    description: 'Do not pull the image on container creation (overrides disable-pull-on-run=false in config)',
  });
  withPull = Option.Boolean('--with-pull', false, {
    description: 'Pull the image on container creation (overrides disable-pull-on-run=true in config)',
  });
  creds = credsOption();
  auth = authOption();
  username = usernameOption();
  pullTimeout = pullTimeoutOption();
  cancelTimeout = cancelTimeoutOption();
  containerConfig = Option.String({ name: 'container-config.[json|yaml]' });
  podConfig = Option.String({ name: 'pod-config.[json|yaml]' });

  async execute(): Promise<number> {
    checkPullFlags(this);
    const { loadContainerConfig, loadPodConfig } = await import('../spec/configs.js');
    const config = await loadContainerConfig(this.containerConfig);
    const sandboxConfig = await loadPodConfig(this.podConfig);
    const runtime = await this.runtime();
    await this.checkCgroupParent(this.podConfig, sandboxConfig.linux?.cgroupParent ?? undefined);
    const settings = await this.context.settings();
    const timeoutMs = await this.callTimeout(this.cancelTimeout);
    if (this.withPull || (!settings.disablePullOnRun && !this.noPull)) {
      const image = config.image?.image ?? '';
      const present = await (await this.images()).imageStatus({ image: { image } });
      // Pull only what is missing: a node without a registry can still run local images.
      if (!present.image)
        await pullForContainer(this, await this.images(), image, sandboxConfig, timeoutMs, () => this.runtime());
    }
    // Leave nothing half-done, on failure or signal: the pod we made (and its container) goes.
    const { Rollback } = await import('./rollback.js');
    const rollback = new Rollback(this.context.stderr);
    try {
      const pod = { what: '', undo: async () => undefined };
      const { podSandboxId } = await rollback.step(
        'RunPodSandbox',
        () => runtime.runPodSandbox({ config: sandboxConfig, runtimeHandler: this.runtimeHandler }, { timeoutMs }),
        (r) =>
          Object.assign(pod, {
            what: `pod sandbox ${r.podSandboxId}`,
            undo: async () => {
              await runtime.stopPodSandbox({ podSandboxId: r.podSandboxId }, { timeoutMs });
              await runtime.removePodSandbox({ podSandboxId: r.podSandboxId }, { timeoutMs });
            },
          }),
      );
      try {
        // Removing the pod removes its container.
        const { containerId } = await rollback.step(
          'CreateContainer',
          () => runtime.createContainer({ podSandboxId, config, sandboxConfig }, { timeoutMs }),
          (r) => {
            pod.what += ` and its container ${r.containerId}`;
            return undefined;
          },
        );
        await rollback.step('StartContainer', () => runtime.startContainer({ containerId }, { timeoutMs }));
        this.out(containerId);
        return 0;
      } catch (err) {
        return await rollback.fail('run', err);
      }
    } finally {
      rollback.end();
    }
  }
}
