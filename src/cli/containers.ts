// Container commands: ps, inspect (and the container lifecycle: create, start, stop, rm).
import { Command, Option } from 'clipanion';
import type { Container, ContainerState, ContainerStatusResponse, ImageServiceClient, RuntimeServiceClient } from '../cri/client.js';
import { UsageError } from '../cri/errors.js';
import { ago, truncateId } from '../output/human.js';
import { renderMessage, type OutputFormat } from '../output/render.js';
import { formatTable } from '../output/table.js';
import { CriCommand } from './cri-command.js';
import { printStatusInfo } from './inspect-output.js';
import { authOption, cancelTimeoutOption, compileRegex, credsOption, newestFirst, outputOption, parseLabels, parseLast, templateOption } from './list-options.js';
import { mapBlock } from './pods.js';
import { resolveContainerIds, resolvePodIds } from './resolve.js';

const CONTAINER_STATES: Record<string, ContainerState> = {
  created: 'CONTAINER_CREATED',
  running: 'CONTAINER_RUNNING',
  exited: 'CONTAINER_EXITED',
  unknown: 'CONTAINER_UNKNOWN',
};

/** Table text for a container state, as crictl shows it. */
export function containerStateText(state: string): string {
  switch (state) {
    case 'CONTAINER_CREATED': return 'Created';
    case 'CONTAINER_RUNNING': return 'Running';
    case 'CONTAINER_EXITED': return 'Exited';
    default: return 'Unknown';
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
export async function selectContainers(runtime: RuntimeServiceClient, images: () => Promise<ImageServiceClient>, sel: ContainerSelection): Promise<Container[]> {
  const last = parseLast(sel.last);
  let state: ContainerState | undefined;
  if (sel.state) state = parseContainerState(sel.state);
  else if (!sel.all && !sel.latest && last === 0) state = 'CONTAINER_RUNNING';
  const nameRe = compileRegex(sel.name, '--name');
  const filter = { id: sel.id, podSandboxId: sel.pod, state: state ? { state } : undefined, labelSelector: parseLabels(sel.label) };
  const { containers } = await runtime.listContainers({ filter });
  let imageIds: Set<string> | undefined;
  if (sel.image) {
    const { matchesRef } = await import('./images.js');
    const list = (await (await images()).listImages({})).images;
    imageIds = new Set(list.filter((i) => matchesRef(i, sel.image!)).map((i) => i.id));
  }
  const byImage = (c: Container) => !imageIds || imageIds.has(c.imageRef) || imageIds.has(c.image?.image ?? '') || c.image?.image === sel.image;
  return newestFirst(
    containers.filter((c) => (!nameRe || nameRe.test(c.metadata?.name ?? '')) && byImage(c)),
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
    details: 'Lists running containers (all with -a), newest first. ID, pod, state and labels are filtered by the runtime; --name is a regular expression and --image matches an image name or ID prefix.',
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
  image = Option.String('--image', '', { description: 'Filter by container image' });
  state = Option.String('-s,--state', '', { description: 'Filter by container state (created, running, exited, unknown)' });
  label = Option.Array('--label', [], { description: 'Filter by key=value label' });
  verbose = Option.Boolean('-v,--verbose', false, { description: 'Show verbose information for containers' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Only display container IDs' });
  output = outputOption('json, yaml, table, go-template');
  template = templateOption();
  latest = Option.Boolean('-l,--latest', false, { description: 'Show the most recently created container (includes all states)' });
  last = Option.String('-n,--last', { description: 'Show last n recently created containers (includes all states). Set 0 for unlimited.' });
  noTrunc = Option.Boolean('--no-trunc', false, { description: 'Show output without truncating the ID' });

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'table', 'go-template']);
    const runtime = await this.runtime();
    const selected = await selectContainers(runtime, () => this.images(), this);

    if (this.output !== 'table') {
      this.context.stdout.write(`${await renderMessage('runtime.v1.ListContainersResponse', { containers: selected }, this.output as OutputFormat, this.template)}\n`);
      return 0;
    }
    if (this.quiet) {
      this.context.stdout.write(selected.map((c) => `${c.id}\n`).join(''));
      return 0;
    }
    if (this.verbose) {
      this.context.stdout.write(selected.map(verboseContainer).join(''));
      return 0;
    }
    // The kubelet labels every container with its pod's name and namespace, and crictl reads
    // only those; pods are listed just for containers made by hand, which lack them.
    const unlabelled = selected.some((c) => c.labels[POD_NAME_LABEL] === undefined || c.labels[POD_NAMESPACE_LABEL] === undefined);
    const pods = unlabelled ? (await runtime.listPodSandbox({})).items : [];
    const podsById = new Map(pods.map((p) => [p.id, p.metadata]));
    const now = Date.now();
    const rows = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE']];
    for (const c of selected) {
      const pod = podsById.get(c.podSandboxId);
      rows.push([
        this.noTrunc ? c.id : truncateId(c.id),
        shownImage(c.image?.image ?? '', this.noTrunc),
        ago(c.createdAt, now),
        containerStateText(c.state),
        c.metadata?.name ?? '',
        String(c.metadata?.attempt ?? 0),
        this.noTrunc ? c.podSandboxId : truncateId(c.podSandboxId),
        c.labels[POD_NAME_LABEL] ?? pod?.name ?? 'unknown',
        c.labels[POD_NAMESPACE_LABEL] ?? pod?.namespace ?? 'unknown',
      ]);
    }
    this.context.stdout.write(formatTable(rows));
    return 0;
  }
}


/**
 * The IMAGE cell: image IDs are shortened like crictl shortens them; a name (what a container
 * created by hand usually carries) is shown whole, since cutting it to 13 characters garbles it.
 */
function shownImage(image: string, noTrunc: boolean): string {
  if (noTrunc) return image;
  const bare = image.replace(/^sha256:/, '');
  return /^[0-9a-f]{64}$/.test(bare) ? truncateId(bare) : image;
}

function verboseContainer(c: Container): string {
  let s = `ID: ${c.id}\nPodID: ${c.podSandboxId}\n`;
  if (c.metadata) s += `Name: ${c.metadata.name}\nAttempt: ${c.metadata.attempt}\n`;
  s += `State: ${c.state}\nImage: ${c.image?.image ?? ''}\nCreated: ${ago(c.createdAt)}\n`;
  return s + mapBlock('Labels', c.labels) + mapBlock('Annotations', c.annotations) + '\n';
}

export class InspectCommand extends CriCommand {
  static override paths = [['inspect']];
  static override usage = Command.Usage({
    description: 'Display the status of one or more containers',
    details: 'Shows ContainerStatus with the runtime\'s verbose info decoded into objects. Several containers print as a JSON array. IDs may be unique prefixes or container names.',
    examples: [
      ['Inspect a container', 'crictl inspect 3a1b'],
      ['The PID of a container', 'crictl inspect -o go-template --template "{{.info.pid}}" 3a1b'],
    ],
  });

  output = Option.String('-o,--output', 'json', { description: 'Output format, One of: json, yaml, go-template, table' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show verbose information' });
  template = templateOption();
  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    this.checkOutput(this.output, ['json', 'yaml', 'go-template', 'table']);
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl inspect CONTAINER-ID [CONTAINER-ID...]');
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    const results = await Promise.all(ids.map((containerId) => runtime.containerStatus({ containerId, verbose: !this.quiet })));
    if (this.output === 'table') {
      this.context.stdout.write(results.map(containerStatusTable).join(''));
      return 0;
    }
    await printStatusInfo(this.context.stdout, 'runtime.v1.ContainerStatus', results.map((r) => ({ status: r.status, info: r.info })), this.output as OutputFormat, this.template);
    return 0;
  }
}

function containerStatusTable(r: ContainerStatusResponse): string {
  const s = r.status;
  if (!s) return '';
  let out = `ID: ${s.id}\n`;
  if (s.metadata) out += `Name: ${s.metadata.name}\nAttempt: ${s.metadata.attempt}\n`;
  out += `State: ${s.state}\nImage: ${s.image?.image ?? ''}\nImageRef: ${s.imageRef}\nCreated: ${ago(s.createdAt)}\n`;
  if (s.state !== 'CONTAINER_CREATED') out += `Started: ${ago(s.startedAt)}\n`;
  if (s.state === 'CONTAINER_EXITED') out += `Finished: ${ago(s.finishedAt)}\nExit Code: ${s.exitCode}\nReason: ${s.reason}\n`;
  return out + mapBlock('Labels', s.labels) + mapBlock('Annotations', s.annotations) + '\n';
}

export class CreateContainerCommand extends CriCommand {
  static override paths = [['create']];
  static override usage = Command.Usage({
    description: 'Create a new container',
    details: 'Creates a container in an existing pod from a ContainerConfig file and the PodSandboxConfig the pod was run with, and prints the container ID. Both files are checked against the CRI schema first.',
    examples: [['Create a container in a pod', 'crictl create 1f6e container-config.json pod-config.json']],
  });

  noPull = Option.Boolean('--no-pull', false, { description: 'Do not pull the image (overrides pull-image-on-create=true in config)' });
  withPull = Option.Boolean('--with-pull', false, { description: 'Pull the image before creating the container (overrides pull-image-on-create=false in config)' });
  creds = credsOption();
  auth = authOption();
  cancelTimeout = cancelTimeoutOption();
  pod = Option.String({ name: 'POD' });
  containerConfig = Option.String({ name: 'container-config.[json|yaml]' });
  podConfig = Option.String({ name: 'pod-config.[json|yaml]' });

  async execute(): Promise<number> {
    const { loadContainerConfig, loadPodConfig } = await import('../spec/configs.js');
    const config = await loadContainerConfig(this.containerConfig);
    const sandboxConfig = await loadPodConfig(this.podConfig);
    const runtime = await this.runtime();
    const [podSandboxId] = await resolvePodIds(runtime, [this.pod]);
    const settings = await this.context.settings();
    const timeoutMs = await this.callTimeout(this.cancelTimeout);
    if (this.withPull || (settings.pullImageOnCreate && !this.noPull)) {
      const { pullImage } = await import('./images.js');
      await pullImage(await this.images(), config.image?.image ?? '', { creds: this.creds, auth: this.auth, sandboxConfig, timeoutMs, progress: () => import('./pull-progress.js').then((m) => m.watchPull(this.context, () => this.runtime(), config.image?.image ?? '')) });
    }
    const { containerId } = await runtime.createContainer({ podSandboxId, config, sandboxConfig }, { timeoutMs });
    this.out(containerId);
    return 0;
  }
}

export class StartContainerCommand extends CriCommand {
  static override paths = [['start']];
  static override usage = Command.Usage({
    description: 'Start one or more created containers',
    examples: [['Start a container', 'crictl start 3a1b']],
  });

  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl start CONTAINER-ID [CONTAINER-ID...]');
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    const timeoutMs = await this.callTimeout();
    return this.bulk(ids, async (containerId) => {
      await runtime.startContainer({ containerId }, { timeoutMs });
      return containerId;
    }, (id) => `starting container ${id}`);
  }
}

export class StopContainerCommand extends StartContainerCommand {
  static override paths = [['stop']];
  static override usage = Command.Usage({
    description: 'Stop one or more running containers',
    details: 'Asks the runtime to stop each container, killing it after --timeout seconds.',
    examples: [['Stop, killing after 10 s', 'crictl stop -t 10 3a1b']],
  });

  timeout = Option.String('-t,--timeout', '0', { description: 'Seconds to wait to kill the container after a graceful stop is requested' });

  override async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl stop CONTAINER-ID [CONTAINER-ID...]');
    if (!/^\d+$/.test(this.timeout)) throw new UsageError(`--timeout "${this.timeout}": expected whole seconds`);
    const timeout = Number(this.timeout);
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    const base = await this.callTimeout();
    return this.bulk(ids, async (containerId) => {
      await runtime.stopContainer({ containerId, timeout: String(timeout) }, { timeoutMs: base === 0 ? 0 : base + timeout * 1000 });
      return containerId;
    }, (id) => `stopping container ${id}`);
  }
}

export class RemoveContainerCommand extends StartContainerCommand {
  static override paths = [['rm']];
  static override usage = Command.Usage({
    description: 'Remove one or more containers',
    details: 'A running container is refused unless --force, which stops it first. Failures are listed one per line and the exit code is 1 if any failed.',
    examples: [['Remove a container', 'crictl rm 3a1b'], ['Remove every container', 'crictl rm -a -f']],
  });

  force = Option.Boolean('-f,--force', false, { description: 'Force removal of the container, disregarding if running' });
  all = Option.Boolean('-a,--all', false, { description: 'Remove all containers' });

  override async execute(): Promise<number> {
    const runtime = await this.runtime();
    let ids: string[];
    let running: Set<string>;
    if (this.all) {
      const { containers } = await runtime.listContainers({});
      ids = containers.map((c) => c.id);
      running = new Set(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id));
    } else {
      if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl rm CONTAINER-ID [CONTAINER-ID...] (or -a)');
      ids = await resolveContainerIds(runtime, this.ids);
      const { containers } = await runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
      running = new Set(containers.map((c) => c.id));
    }
    const timeoutMs = await this.callTimeout();
    return this.bulk(ids, async (containerId) => {
      if (running.has(containerId)) {
        if (!this.force) throw new UsageError('container is running, stop it first or use --force');
        await runtime.stopContainer({ containerId, timeout: '0' }, { timeoutMs });
      }
      await runtime.removeContainer({ containerId }, { timeoutMs });
      return containerId;
    }, (id) => `removing container ${id}`);
  }
}

export class RunContainerCommand extends CriCommand {
  static override paths = [['run']];
  static override usage = Command.Usage({
    description: 'Run a new container inside a sandbox',
    details: 'Runs a pod from the pod config, creates the container in it and starts it, printing the container ID. If any step fails, what was created is removed again and the error says so.',
    examples: [['Run busybox in a new pod', 'crictl run container-config.json pod-config.json']],
  });

  runtimeHandler = Option.String('-r,--runtime', '', { description: 'Runtime handler to use. Available options are defined by the container runtime.' });
  noPull = Option.Boolean('--no-pull', false, { description: 'Do not pull the image on container creation (overrides disable-pull-on-run=false in config)' });
  withPull = Option.Boolean('--with-pull', false, { description: 'Pull the image on container creation (overrides disable-pull-on-run=true in config)' });
  creds = credsOption();
  auth = authOption();
  cancelTimeout = cancelTimeoutOption();
  containerConfig = Option.String({ name: 'container-config.[json|yaml]' });
  podConfig = Option.String({ name: 'pod-config.[json|yaml]' });

  async execute(): Promise<number> {
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
      if (!present.image) {
        const { pullImage } = await import('./images.js');
        await pullImage(await this.images(), image, { creds: this.creds, auth: this.auth, sandboxConfig, timeoutMs, progress: () => import('./pull-progress.js').then((m) => m.watchPull(this.context, () => this.runtime(), image)) });
      }
    }
    const { podSandboxId } = await runtime.runPodSandbox({ config: sandboxConfig, runtimeHandler: this.runtimeHandler }, { timeoutMs });
    try {
      const { containerId } = await runtime.createContainer({ podSandboxId, config, sandboxConfig }, { timeoutMs });
      await runtime.startContainer({ containerId }, { timeoutMs });
      this.out(containerId);
      return 0;
    } catch (err) {
      // Leave nothing half-done: the pod we made (and any container in it) goes.
      const cleanup = await runtime
        .stopPodSandbox({ podSandboxId }, { timeoutMs })
        .then(() => runtime.removePodSandbox({ podSandboxId }, { timeoutMs }))
        .then(() => `removed pod sandbox ${podSandboxId}`, (e: Error) => `could not remove pod sandbox ${podSandboxId}: ${e.message}`);
      throw new UsageError(`run failed: ${(err as Error).message} (${cleanup})`);
    }
  }
}
