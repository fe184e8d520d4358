// Pod sandbox commands: pods, inspectp (and the pod lifecycle: runp, stopp, rmp).
import { Command, Option } from 'clipanion';
import type { PodSandbox, PodSandboxState, PodSandboxStatusResponse, RuntimeServiceClient } from '../cri/client.js';
import { CommandError, UsageError } from '../errors.js';
import { escapeText } from '../output/escape.js';
import { ago, goMapString, goTimeString, mapBlock, rfc3339Nano, truncateId } from '../output/human.js';
import { renderMessage } from '../output/render.js';
import { listPodSandboxes } from '../cri/lists.js';
import { formatTable } from '../output/table.js';
import { writeOut } from '../output/write.js';
import { CriCommand } from './cri-command.js';
import { compileRegex, newestFirst, parseLabels, parseLast } from './list-options.js';
import { allInOrder, printStatusInfo, type StatusWithInfo } from './inspect-output.js';
import { resolvePodIds } from './resolve.js';
import { cancelTimeoutOption, listOutputOption, statusOutputOption, templateOption } from './options.js';

const POD_STATES: Record<string, PodSandboxState> = { ready: 'SANDBOX_READY', notready: 'SANDBOX_NOTREADY' };

/** Table text for a sandbox state, as crictl shows it. */
export function podStateText(state: string): string {
  return state === 'SANDBOX_READY' ? 'Ready' : state === 'SANDBOX_NOTREADY' ? 'NotReady' : 'Unknown';
}

export class PodsCommand extends CriCommand {
  static override paths = [['pods']];
  static override usage = Command.Usage({
    description: 'List pod sandboxes',
    details:
      'Lists pod sandboxes, newest first. ID, state and labels are filtered by the runtime; --name and --namespace are regular expressions matched here.',
    examples: [
      ['List ready pods', 'crictl pods --state ready'],
      ['IDs of pods in namespace kube-system', 'crictl pods --namespace kube-system -q'],
      ['The newest pod as JSON', 'crictl pods --latest -o json'],
    ],
  });

  id = Option.String('--id', '', { description: 'filter by pod sandbox id' });
  name = Option.String('--name', '', { description: 'filter by pod sandbox name regular expression pattern' });
  namespace = Option.String('--namespace', '', {
    description: 'filter by pod sandbox namespace regular expression pattern',
  });
  state = Option.String('-s,--state', '', { description: 'filter by pod sandbox state (ready or notready)' });
  label = Option.Array('--label', [], { description: 'filter by key=value label' });
  verbose = Option.Boolean('-v,--verbose', false, { description: 'show verbose info for pod sandboxes' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'list only pod IDs' });
  output = listOutputOption();
  template = templateOption();
  latest = Option.Boolean('-l,--latest', false, { description: 'Show the most recently created pod sandbox' });
  last = Option.String('-n,--last', { description: 'Show last n recently created pod sandboxes. Set 0 for unlimited' });
  noTrunc = Option.Boolean('--no-trunc', false, { description: 'Show output without truncating the ID' });

  async execute(): Promise<number> {
    const pods = await selectPods(await this.runtime(), this);

    if (this.output !== 'table') {
      await writeOut(
        this.context.stdout,
        `${await renderMessage('runtime.v1.ListPodSandboxResponse', { items: pods }, this.output, this.template)}\n`,
      );
      return 0;
    }
    if (this.quiet) {
      await writeOut(this.context.stdout, escapeText(pods.map((p) => `${p.id}\n`).join('')));
      return 0;
    }
    if (this.verbose) {
      await writeOut(this.context.stdout, escapeText(pods.map(verbosePod).join('')));
      return 0;
    }
    const now = Date.now();
    const rows = [['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME']];
    for (const p of pods) {
      rows.push([
        this.noTrunc ? p.id : truncateId(p.id),
        ago(p.createdAt, now),
        podStateText(p.state),
        p.metadata?.name ?? '',
        p.metadata?.namespace ?? '',
        String(p.metadata?.attempt ?? 0),
        p.runtimeHandler || '(default)',
      ]);
    }
    await writeOut(this.context.stdout, formatTable(rows));
    return 0;
  }
}

/** What selects pods: pods's filters, also used by inspectp without IDs. */
export interface PodSelection {
  id?: string;
  name?: string;
  namespace?: string;
  state?: string;
  label?: string[];
  latest?: boolean;
  last?: string;
}

/** Pods matching a selection, newest first: ID, state and labels go to the runtime, names and
 *  namespaces (regular expressions) are matched here. */
export async function selectPods(runtime: RuntimeServiceClient, sel: PodSelection): Promise<PodSandbox[]> {
  let state: PodSandboxState | undefined;
  if (sel.state) {
    state = POD_STATES[sel.state.toLowerCase()];
    if (!state) throw new UsageError(`--state "${sel.state}": must be ready or notready`);
  }
  const nameRe = compileRegex(sel.name, '--name');
  const namespaceRe = compileRegex(sel.namespace, '--namespace');
  const last = parseLast(sel.last);
  const filter = { id: sel.id, state: state ? { state } : undefined, labelSelector: parseLabels(sel.label) };
  const items = await listPodSandboxes(runtime, filter);
  return newestFirst(
    items.filter(
      (p) =>
        (!nameRe || nameRe.test(p.metadata?.name ?? '')) &&
        (!namespaceRe || namespaceRe.test(p.metadata?.namespace ?? '')),
    ),
    sel.latest ?? false,
    last,
  );
}

/** One pod of `pods -v`, as crictl's OutputPodSandboxes prints it. */
export function verbosePod(p: PodSandbox): string {
  let s = `ID: ${p.id}\n`;
  if (p.metadata) {
    if (p.metadata.name) s += `Name: ${p.metadata.name}\n`;
    if (p.metadata.uid) s += `UID: ${p.metadata.uid}\n`;
    if (p.metadata.namespace) s += `Namespace: ${p.metadata.namespace}\n`;
    if (p.metadata.attempt) s += `Attempt: ${p.metadata.attempt}\n`;
  }
  s += `Status: ${podStateText(p.state)}\nCreated: ${goTimeString(p.createdAt)}\n`;
  s += mapBlock('Labels', p.labels) + mapBlock('Annotations', p.annotations);
  return `${s}Runtime: ${p.runtimeHandler || '(default)'}\n\n`;
}

export class InspectPodCommand extends CriCommand {
  static override paths = [['inspectp']];
  static override usage = Command.Usage({
    description: 'Display the status of one or more pods',
    details:
      "Shows PodSandboxStatus with the runtime's verbose info decoded into objects. Several pods print as a JSON array. IDs may be unique prefixes or pod names. IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).",
    examples: [
      ['Inspect a pod', 'crictl inspectp 1f6e'],
      ['The pod IP only', 'crictl inspectp -o go-template --template "{{.status.network.ip}}" 1f6e'],
    ],
  });

  output = statusOutputOption();
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show verbose information' });
  template = templateOption();
  // Without IDs, the pods these select (as pods selects them) are inspected.
  name = Option.String('--name', { description: 'Filter by pod name regular expression pattern' });
  namespace = Option.String('--namespace', { description: 'Filter by pod namespace regular expression pattern' });
  state = Option.String('-s,--state', { description: 'Filter by pod state' });
  label = Option.Array('--label', { description: 'Filter by key=value label' });
  latest = Option.Boolean('-l,--latest', false, { description: 'Show the most recently created pod' });
  last = Option.String('-n,--last', { description: 'Show last n recently created pods. Set 0 for unlimited' });
  ids = Option.Rest({ name: 'POD-ID' });

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    const verbose = !this.quiet;
    // Without IDs, the pods the filters select (as pods selects them); with IDs, those.
    const selected = this.ids.length > 0 ? undefined : (await selectPods(runtime, this)).map((p) => p.id);
    if (selected?.length === 0)
      throw new UsageError(
        'No IDs provided or nothing found per filter: crictl inspectp POD-ID [POD-ID...] or filter flags',
      );
    if (this.output === 'table') {
      // crictl prints each table as its status arrives: a bad ID fails after the ones before it.
      for (const arg of selected ?? this.ids) {
        const [podSandboxId] = selected ? [arg] : await resolvePodIds(runtime, [arg]);
        this.context.stdout.write(
          escapeText(podStatusTable(await runtime.podSandboxStatus({ podSandboxId, verbose }), verbose)),
        );
      }
      return 0;
    }
    // One document for all of them, so any failure means nothing is printed (crictl master).
    const ids = selected ?? (await resolvePodIds(runtime, this.ids));
    const results = await allInOrder(ids.map((podSandboxId) => runtime.podSandboxStatus({ podSandboxId, verbose })));
    await printStatusInfo(
      this.context.stdout,
      'runtime.v1.PodSandboxStatus',
      results.map(podStatusItem),
      this.output,
      this.template,
    );
    return 0;
  }
}

/** crictl's marshalPodSandboxStatus: createdAt as RFC 3339. */
export function podStatusItem(r: PodSandboxStatusResponse): StatusWithInfo {
  const overrides = r.status ? { createdAt: rfc3339Nano(r.status.createdAt) } : undefined;
  return { status: r.status, info: r.info, overrides, allFields: true };
}

/** crictl's outputPodSandboxStatusTable. */
export function podStatusTable(r: PodSandboxStatusResponse, verbose: boolean): string {
  const s = r.status;
  let out = `ID: ${s?.id ?? ''}\n`;
  if (s?.metadata) {
    if (s.metadata.name) out += `Name: ${s.metadata.name}\n`;
    if (s.metadata.uid) out += `UID: ${s.metadata.uid}\n`;
    if (s.metadata.namespace) out += `Namespace: ${s.metadata.namespace}\n`;
    out += `Attempt: ${s.metadata.attempt}\n`;
  }
  out += `Status: ${s?.state ?? 'SANDBOX_READY'}\nCreated: ${goTimeString(s?.createdAt ?? '0')}\n`;
  if (s?.network) {
    out += `IP Addresses: ${s.network.ip}\n`;
    for (const extra of s.network.additionalIps) out += `Additional IP: ${extra.ip}\n`;
  }
  if (s) out += mapBlock('Labels', s.labels) + mapBlock('Annotations', s.annotations);
  if (verbose) out += `Info: ${goMapString(r.info)}\n`;
  return out;
}

export class RunPodCommand extends CriCommand {
  static override paths = [['runp']];
  static override usage = Command.Usage({
    description: 'Run a new pod',
    details:
      'Creates and starts a pod sandbox from a PodSandboxConfig file (JSON or YAML; snake_case or lowerCamelCase fields) and prints its ID. The file is checked against the CRI schema first: unknown fields and wrong types are errors.',
    examples: [
      ['Run a pod', 'crictl runp pod-config.json'],
      ['With a runtime handler', 'crictl runp --runtime runc pod-config.yaml'],
    ],
  });

  runtimeHandler = Option.String('-r,--runtime', '', {
    description: 'Runtime handler to use. Available options are defined by the container runtime.',
  });
  cancelTimeout = cancelTimeoutOption();
  file = Option.String({ name: 'pod-config.[json|yaml]' });

  async execute(): Promise<number> {
    const { loadPodConfig } = await import('../spec/configs.js');
    const config = await loadPodConfig(this.file);
    const runtime = await this.runtime();
    await this.checkCgroupParent(this.file, config.linux?.cgroupParent ?? undefined);
    const timeoutMs = await this.callTimeout(this.cancelTimeout);
    // A signal during RunPodSandbox: the pod it makes is removed again.
    const { Rollback } = await import('./rollback.js');
    const rollback = new Rollback(this.context.stderr);
    try {
      const { podSandboxId } = await rollback.step(
        'RunPodSandbox',
        () => runtime.runPodSandbox({ config, runtimeHandler: this.runtimeHandler }, { timeoutMs }),
        (r) => ({
          what: `pod sandbox ${r.podSandboxId}`,
          undo: async () => {
            await runtime.stopPodSandbox({ podSandboxId: r.podSandboxId }, { timeoutMs });
            await runtime.removePodSandbox({ podSandboxId: r.podSandboxId }, { timeoutMs });
          },
        }),
      );
      this.out(podSandboxId);
      return 0;
    } finally {
      rollback.end();
    }
  }
}

export class StopPodCommand extends CriCommand {
  static override paths = [['stopp']];
  static override usage = Command.Usage({
    description: 'Stop one or more running pods',
    details:
      'IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).',
    examples: [['Stop a pod', 'crictl stopp 1f6e']],
  });

  ids = Option.Rest({ name: 'POD-ID' });

  async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl stopp POD-ID [POD-ID...]');
    const runtime = await this.runtime();
    const ids = await resolvePodIds(runtime, this.ids);
    const timeoutMs = await this.callTimeout();
    return this.bulk(
      ids,
      async (podSandboxId) => {
        await runtime.stopPodSandbox({ podSandboxId }, { timeoutMs });
        return `Stopped sandbox ${podSandboxId}`;
      },
      (id) => `stopping pod sandbox ${id}`,
    );
  }
}

export class RemovePodCommand extends CriCommand {
  static override paths = [['rmp']];
  static override usage = Command.Usage({
    description: 'Remove one or more pods',
    details:
      'A ready pod is refused unless --force, which stops it first. With --all, every pod is removed; failures are listed one per line and the exit code is 1 if any failed. IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).',
    examples: [
      ['Remove a stopped pod', 'crictl rmp 1f6e'],
      ['Remove every pod', 'crictl rmp -a -f'],
    ],
  });

  force = Option.Boolean('-f,--force', false, {
    description: 'Force removal of the pod sandbox, disregarding if running',
  });
  all = Option.Boolean('-a,--all', false, { description: 'Remove all pods' });
  ids = Option.Rest({ name: 'POD-ID' });

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    let pods: { id: string; ready: boolean }[];
    if (this.all) {
      pods = (await listPodSandboxes(runtime)).map((p) => ({ id: p.id, ready: p.state === 'SANDBOX_READY' }));
    } else {
      if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl rmp POD-ID [POD-ID...] (or -a)');
      const ids = await resolvePodIds(runtime, this.ids);
      pods = await Promise.all(
        ids.map(async (id) => ({
          id,
          ready: (await runtime.podSandboxStatus({ podSandboxId: id })).status?.state === 'SANDBOX_READY',
        })),
      );
    }
    const timeoutMs = await this.callTimeout();
    return this.bulk(
      pods,
      async ({ id, ready }) => {
        if (ready) {
          if (!this.force) throw new CommandError('pod sandbox is running, stop it first or use --force');
          await runtime.stopPodSandbox({ podSandboxId: id }, { timeoutMs });
        }
        await runtime.removePodSandbox({ podSandboxId: id }, { timeoutMs });
        return `Removed sandbox ${id}`;
      },
      (p) => `removing pod sandbox ${p.id}`,
    );
  }
}
