// `crictl-ts top`: a live view of the node's containers (or pods) for a terminal, refreshed every
// --interval; piped or with --once, one plain table. The model and the screen are pure functions
// in src/top/; this file samples the runtime and turns keys into state.
import { Command, Option } from 'clipanion';
import type { RuntimeServiceClient } from '../cri/client.js';
import { CriError } from '../cri/errors.js';
import { UsageError } from '../errors.js';
import { listContainerStats, listContainers, listPodSandboxes, listPodSandboxStats } from '../cri/lists.js';
import { CriCommand } from './cri-command.js';

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: 143, SIGHUP: 129 };

export class TopCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['top']];
  static override usage = Command.Usage({
    description: 'Live view of container (or pod) resource use (crictl-ts only)',
    details: `
      One row per running container (per pod with --pods): CPU % with a sparkline of the last minute, memory working set with its sparkline and limit, state, pod, restarts, age, swap, writable-layer disk and inodes (processes per pod where the runtime reports them). Columns that do not fit a narrow terminal are left out, least useful first.

      Keys: q or ctrl-c quit; up/down (or k/j) select; c, m, n, a sort by CPU, memory, name, age (s cycles); / types a filter: a regular expression for the name, plus pod=RE, ns=RE and label=KEY=VALUE terms; p switches between containers and pods; x shows exited containers and not-ready pods too. The selected row's image, state and last log lines show below the list, and events (from the runtime's event stream, or what changed between refreshes when it has none) at the bottom.

      When the output is not a terminal, or with --once, it prints one table (CPU measured over one second) and exits, with no escape codes.
    `,
    examples: [
      ['Watch the node', 'crictl-ts top'],
      ['Pods, by memory', 'crictl-ts top --pods --sort mem'],
      ['One table for a script', 'crictl-ts top --once --filter ns=kube-system'],
    ],
  });

  interval = Option.String('--interval', '2s', { description: 'Time between refreshes (Go duration, at least 200ms)' });
  pods = Option.Boolean('--pods', false, { description: 'One row per pod instead of per container' });
  once = Option.Boolean('--once', false, {
    description: 'Print one table and exit (also what happens when stdout is not a terminal)',
  });
  sort = Option.String('--sort', 'cpu', { description: 'Sort by cpu (default), mem, name or age' });
  filter = Option.String('--filter', '', {
    description: 'Only rows matching: name regex, pod=RE, ns=RE, label=KEY=VALUE (space-separated, all must match)',
  });
  all = Option.Boolean('-a,--all', false, { description: 'Include exited containers and not-ready pods' });

  async execute(): Promise<number> {
    const model = await import('../top/model.js');
    const { parseDuration } = await import('../config/settings.js');
    if (!(model.SORT_KEYS as readonly string[]).includes(this.sort))
      throw new UsageError(`--sort ${this.sort}: expected one of ${model.SORT_KEYS.join(', ')}`);
    const intervalMs = parseDuration(this.interval, '--interval');
    if (intervalMs < 200) throw new UsageError(`--interval ${this.interval}: expected at least 200ms`);
    const filter = model.parseFilter(this.filter);
    if (typeof filter === 'string') throw new UsageError(`--${filter}`);
    const runtime = await this.runtime();
    const stdout = this.context.stdout as NodeJS.WriteStream;
    const stdin = this.context.stdin as NodeJS.ReadStream;

    if (this.once || !stdout.isTTY || !stdin.isTTY) {
      const { snapshotTable } = await import('../top/render.js');
      const first = await sample(runtime, this.pods);
      await new Promise((r) => setTimeout(r, 1000));
      const second = await sample(runtime, this.pods);
      const build = this.pods ? model.podRows : model.containerRows;
      const rows = build(second, first, new Map(), 1).filter((r) => (this.all || isLive(r.state)) && filter.test(r));
      this.context.stdout.write(
        snapshotTable(model.sortRows(rows, this.sort as (typeof model.SORT_KEYS)[number]), this.pods),
      );
      return 0;
    }
    return this.interactive(runtime, stdout, stdin, intervalMs, filter);
  }

  private async interactive(
    runtime: RuntimeServiceClient,
    stdout: NodeJS.WriteStream,
    stdin: NodeJS.ReadStream,
    intervalMs: number,
    initialFilter: import('../top/model.js').Filter,
  ): Promise<number> {
    const model = await import('../top/model.js');
    const { layout } = await import('../top/render.js');
    const { Screen } = await import('../top/terminal.js');
    const { lastLogLines } = await import('../logs/last-lines.js');
    type Row = import('../top/model.js').Row;
    type Details = import('../top/render.js').Details;

    const keep = Math.max(2, Math.ceil(60_000 / intervalMs));
    const version = await runtime.version({ version: 'v1' }).catch(() => undefined);
    const title = `crictl-ts top — ${version ? `${version.runtimeName} ${version.runtimeVersion}` : 'runtime'} — every ${this.interval}`;
    const state = {
      sort: this.sort as import('../top/model.js').SortKey,
      pods: this.pods,
      all: this.all,
      filter: initialFilter,
      typing: undefined as string | undefined,
      note: '',
      selectedId: '',
      rows: [] as Row[],
      allRows: [] as Row[],
      events: [] as import('../top/model.js').TopEvent[],
      details: undefined as Details | undefined,
      previous: undefined as import('../top/model.js').Sample | undefined,
      history: new Map() as import('../top/model.js').History,
      streamedEvents: false,
    };

    const screen = new Screen(stdout, stdin);
    let finish: (code: number) => void = () => undefined;
    const done = new Promise<number>((resolve) => (finish = resolve));

    const apply = () => {
      state.rows = model.sortRows(
        state.allRows.filter((r) => (state.all || isLive(r.state)) && state.filter.test(r)),
        state.sort,
      );
      if (!state.rows.some((r) => r.id === state.selectedId)) state.selectedId = state.rows[0]?.id ?? '';
    };
    const draw = () => {
      const selected = Math.max(
        0,
        state.rows.findIndex((r) => r.id === state.selectedId),
      );
      const view = {
        title,
        rows: state.rows,
        selected,
        sort: state.sort,
        pods: state.pods,
        filter: state.filter.text,
        typing: state.typing,
        note: state.note,
        events: state.events,
        details: state.details,
        sparkWidth: (stdout.columns || 80) >= 140 ? 20 : 10,
      };
      screen.draw(layout(view, stdout.columns || 80, stdout.rows || 24));
    };
    const details = async (): Promise<Details | undefined> => {
      const row = state.rows.find((r) => r.id === state.selectedId);
      if (!row) return undefined;
      if (state.pods) {
        const s = (await runtime.podSandboxStatus({ podSandboxId: row.id }).catch(() => undefined))?.status;
        const ip = s?.network?.ip;
        return {
          id: row.id,
          image: `${row.namespace}/${row.name}`,
          state: row.state,
          restarts: row.attempt,
          facts: ip ? [`IP ${ip}`] : [],
          lastLines: [],
        };
      }
      const s = (await runtime.containerStatus({ containerId: row.id }).catch(() => undefined))?.status;
      const facts: string[] = [];
      if (s && s.state === 'CONTAINER_EXITED') facts.push(`exit code ${s.exitCode}${s.reason ? ` (${s.reason})` : ''}`);
      return {
        id: row.id,
        image: row.image,
        state: row.state,
        restarts: row.attempt,
        facts,
        lastLines: s?.logPath
          ? lastLogLines(s.logPath, Math.max(1, Math.min(6, Math.floor((stdout.rows || 24) / 5) - 2)))
          : [],
      };
    };

    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const refresh = async () => {
      try {
        const now = await sample(runtime, state.pods);
        if (!state.streamedEvents) state.events.push(...model.diffEvents(state.previous, now));
        state.events.splice(0, Math.max(0, state.events.length - 50));
        state.allRows = (state.pods ? model.podRows : model.containerRows)(now, state.previous, state.history, keep);
        state.previous = now;
        if (state.note.startsWith('runtime:')) state.note = '';
        apply();
        state.details = await details();
      } catch (e) {
        state.note = `runtime: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (stopped) return;
      draw();
      timer = setTimeout(() => void refresh(), intervalMs);
    };

    const move = (by: number) => {
      const i = state.rows.findIndex((r) => r.id === state.selectedId);
      const next = Math.min(state.rows.length - 1, Math.max(0, Math.max(i, 0) + by));
      state.selectedId = state.rows[next]?.id ?? '';
      void details().then((d) => {
        state.details = d;
        draw();
      });
    };
    const switchView = () => {
      state.pods = !state.pods;
      state.previous = undefined;
      state.history.clear();
      state.allRows = [];
      state.selectedId = '';
      clearTimeout(timer);
      void refresh();
    };
    const onKeys = (keys: import('../top/terminal.js').Key[]) => {
      for (const key of keys) {
        if (state.typing !== undefined) {
          if (key.kind === 'char') state.typing += key.char;
          else if (key.kind === 'backspace') state.typing = state.typing.slice(0, -1);
          else if (key.kind === 'escape') state.typing = undefined;
          else if (key.kind === 'interrupt') return finish(130);
          else if (key.kind === 'enter') {
            const parsed = model.parseFilter(state.typing);
            if (typeof parsed === 'string') state.note = parsed;
            else {
              state.filter = parsed;
              state.note = '';
            }
            state.typing = undefined;
            apply();
          }
          continue;
        }
        if (key.kind === 'interrupt') return finish(130);
        if (key.kind === 'up') move(-1);
        else if (key.kind === 'down') move(1);
        else if (key.kind === 'pageup') move(-10);
        else if (key.kind === 'pagedown') move(10);
        else if (key.kind === 'home') move(-Infinity);
        else if (key.kind === 'end') move(Infinity);
        else if (key.kind === 'char') {
          const c = key.char;
          if (c === 'q') return finish(0);
          if (c === 'k') move(-1);
          else if (c === 'j') move(1);
          else if (c === 'c' || c === 'm' || c === 'n' || c === 'a')
            state.sort = ({ c: 'cpu', m: 'mem', n: 'name', a: 'age' } as const)[c];
          else if (c === 's')
            state.sort = model.SORT_KEYS[(model.SORT_KEYS.indexOf(state.sort) + 1) % model.SORT_KEYS.length];
          else if (c === '/') state.typing = state.filter.text;
          else if (c === 'x') state.all = !state.all;
          else if (c === 'p') {
            switchView();
            continue;
          }
          apply();
        }
      }
      draw();
    };

    const onSignal = (signal: NodeJS.Signals) => finish(SIGNAL_EXIT[signal] ?? 1);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    stdout.on('resize', draw);
    screen.enter(onKeys);
    const eventStream = runtime.getContainerEvents({});
    void followEvents(eventStream, state, draw);
    try {
      await refresh();
      return await done;
    } finally {
      stopped = true;
      clearTimeout(timer);
      stdout.off('resize', draw);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      eventStream.cancel();
      screen.leave();
    }
  }
}

/** Events from the runtime's stream while it has one; otherwise refreshes diff samples instead. */
async function followEvents(
  stream: ReturnType<RuntimeServiceClient['getContainerEvents']>,
  state: { events: import('../top/model.js').TopEvent[]; streamedEvents: boolean },
  draw: () => void,
): Promise<void> {
  try {
    for await (const e of stream) {
      state.streamedEvents = true;
      const name = e.containersStatuses.find((c) => c.id === e.containerId)?.metadata?.name ?? '';
      const what = e.containerEventType.replace(/^CONTAINER_|_EVENT$/g, '').toLowerCase();
      state.events.push({
        at: Number(BigInt(e.createdAt || '0') / 1_000_000n) || Date.now(),
        text: `container ${name} (${e.containerId.slice(0, 13)}) ${what}`,
      });
      draw();
    }
  } catch (e) {
    // UNIMPLEMENTED (containerd < 1.7), cancelled, or the runtime went away: polling diffs take over.
    if (!(e instanceof CriError)) throw e;
  }
  state.streamedEvents = false;
}

function isLive(state: string): boolean {
  return state === 'RUNNING' || state === 'READY' || state === 'CREATED';
}

async function sample(runtime: RuntimeServiceClient, pods: boolean): Promise<import('../top/model.js').Sample> {
  const at = Date.now();
  const [containers, stats, podList, podStats] = await Promise.all([
    listContainers(runtime),
    listContainerStats(runtime),
    listPodSandboxes(runtime),
    // containerd fails the whole list when one pod has no cgroup parent: then go without.
    pods ? listPodSandboxStats(runtime).catch(() => []) : Promise.resolve([]),
  ]);
  return { at, containers, stats, pods: podList, podStats };
}
