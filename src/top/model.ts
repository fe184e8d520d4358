// `top`'s model, free of I/O: rows built from one sample of the runtime and the one before it,
// the last minute of CPU and memory per row, sorting, filtering, and the events a polling diff
// sees. The command (src/cli/top.ts) gathers samples; render.ts draws them.
import type { Container, ContainerStats, PodSandbox, PodSandboxStats } from '../cri/generated/types.js';

export type SortKey = 'cpu' | 'mem' | 'name' | 'age';
export const SORT_KEYS: readonly SortKey[] = ['cpu', 'mem', 'name', 'age'];

/** What one refresh reads from the runtime. */
export interface Sample {
  /** When it was taken (ms since the epoch). */
  at: number;
  containers: Container[];
  stats: ContainerStats[];
  pods: PodSandbox[];
  /** Pod stats, where the runtime gives them (they carry the process count). */
  podStats: PodSandboxStats[];
}

export interface Row {
  /** Container ID, or pod ID in pod view. */
  id: string;
  name: string;
  podId: string;
  podName: string;
  namespace: string;
  image: string;
  state: string;
  /** Restarts as the kubelet counts them: the attempt number. */
  attempt: number;
  createdMs: number;
  labels: Record<string, string>;
  /** CPU use in percent of one core, undefined until two samples exist. */
  cpu: number | undefined;
  mem: number;
  /** Memory limit (working set + available), undefined when unlimited or unknown. */
  memLimit: number | undefined;
  swap: number | undefined;
  disk: number | undefined;
  inodes: number | undefined;
  pids: number | undefined;
  /** The last minute, oldest first. */
  cpuHistory: number[];
  memHistory: number[];
}

const num = (v: { value: string } | null | undefined): number | undefined => (v ? Number(v.value) : undefined);
const nanosToMs = (nanos: string): number => Number(BigInt(nanos || '0') / 1_000_000n);

/** CPU percent between two cumulative counters (core-nanoseconds over nanoseconds). */
export function cpuBetween(now: ContainerStats['cpu'], before: ContainerStats['cpu']): number | undefined {
  const u1 = now?.usageCoreNanoSeconds?.value;
  const u0 = before?.usageCoreNanoSeconds?.value;
  if (u1 === undefined || u0 === undefined || !now || !before) return undefined;
  const dt = Number(BigInt(now.timestamp) - BigInt(before.timestamp));
  if (dt <= 0) return undefined;
  return Math.max(0, (Number(BigInt(u1) - BigInt(u0)) / dt) * 100);
}

/** Per-row history of the last `keep` samples. */
export type History = Map<string, { cpu: number[]; mem: number[] }>;

function pushHistory(
  history: History,
  id: string,
  cpu: number | undefined,
  mem: number,
  keep: number,
): { cpu: number[]; mem: number[] } {
  const h = history.get(id) ?? { cpu: [], mem: [] };
  if (cpu !== undefined) h.cpu.push(cpu);
  h.mem.push(mem);
  if (h.cpu.length > keep) h.cpu.splice(0, h.cpu.length - keep);
  if (h.mem.length > keep) h.mem.splice(0, h.mem.length - keep);
  history.set(id, h);
  return h;
}

/** One row per container of `now`, with CPU from the previous sample and history updated. */
export function containerRows(now: Sample, before: Sample | undefined, history: History, keep: number): Row[] {
  const pods = new Map(now.pods.map((p) => [p.id, p]));
  const stats = new Map(now.stats.map((s) => [s.attributes?.id ?? '', s]));
  const previous = new Map((before?.stats ?? []).map((s) => [s.attributes?.id ?? '', s]));
  const rows = now.containers.map((c): Row => {
    const s = stats.get(c.id);
    const pod = pods.get(c.podSandboxId);
    const running = c.state === 'CONTAINER_RUNNING';
    const cpu = running && s ? cpuBetween(s.cpu, previous.get(c.id)?.cpu) : undefined;
    const mem = running ? (num(s?.memory?.workingSetBytes) ?? 0) : 0;
    const available = num(s?.memory?.availableBytes);
    const h = pushHistory(history, c.id, running ? (cpu ?? undefined) : 0, mem, keep);
    return {
      id: c.id,
      name: c.metadata?.name ?? '',
      podId: c.podSandboxId,
      podName: pod?.metadata?.name ?? '',
      namespace: pod?.metadata?.namespace ?? '',
      image: c.image?.image ?? c.imageRef,
      state: c.state.replace(/^CONTAINER_/, ''),
      attempt: c.metadata?.attempt ?? 0,
      createdMs: nanosToMs(c.createdAt),
      labels: c.labels,
      cpu,
      mem,
      memLimit: available ? mem + available : undefined,
      swap: num(s?.swap?.swapUsageBytes),
      disk: num(s?.writableLayer?.usedBytes),
      inodes: num(s?.writableLayer?.inodesUsed),
      pids: undefined,
      cpuHistory: [...h.cpu],
      memHistory: [...h.mem],
    };
  });
  const live = new Set(rows.map((r) => r.id));
  for (const id of history.keys()) if (!live.has(id)) history.delete(id);
  return rows;
}

/** One row per pod: its containers added up, and the process count where pod stats give it. */
export function podRows(now: Sample, before: Sample | undefined, history: History, keep: number): Row[] {
  const scratch: History = new Map();
  const containers = containerRows(now, before, scratch, keep);
  const podStats = new Map(now.podStats.map((s) => [s.attributes?.id ?? '', s]));
  const rows = now.pods.map((p): Row => {
    const mine = containers.filter((c) => c.podId === p.id);
    const sum = (pick: (r: Row) => number | undefined) => {
      const values = mine.map(pick).filter((v): v is number => v !== undefined);
      return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
    };
    const cpu = sum((r) => r.cpu);
    const mem = sum((r) => r.mem) ?? 0;
    const h = pushHistory(history, p.id, p.state === 'SANDBOX_READY' ? (cpu ?? undefined) : 0, mem, keep);
    return {
      id: p.id,
      name: p.metadata?.name ?? '',
      podId: p.id,
      podName: p.metadata?.name ?? '',
      namespace: p.metadata?.namespace ?? '',
      image: '',
      state: p.state.replace(/^SANDBOX_/, ''),
      attempt: p.metadata?.attempt ?? 0,
      createdMs: nanosToMs(p.createdAt),
      labels: p.labels,
      cpu,
      mem,
      memLimit: sum((r) => r.memLimit),
      swap: sum((r) => r.swap),
      disk: sum((r) => r.disk),
      inodes: sum((r) => r.inodes),
      pids: num(podStats.get(p.id)?.linux?.process?.processCount),
      cpuHistory: [...h.cpu],
      memHistory: [...h.mem],
    };
  });
  const live = new Set(rows.map((r) => r.id));
  for (const id of history.keys()) if (!live.has(id)) history.delete(id);
  return rows;
}

/** Sorts as top does: CPU and memory highest first, names A to Z, age newest first. */
export function sortRows(rows: readonly Row[], key: SortKey): Row[] {
  const byName = (a: Row, b: Row) =>
    a.name.localeCompare(b.name) || a.podName.localeCompare(b.podName) || a.id.localeCompare(b.id);
  const compare: Record<SortKey, (a: Row, b: Row) => number> = {
    cpu: (a, b) => (b.cpu ?? -1) - (a.cpu ?? -1) || byName(a, b),
    mem: (a, b) => b.mem - a.mem || byName(a, b),
    name: byName,
    age: (a, b) => b.createdMs - a.createdMs || byName(a, b),
  };
  return [...rows].sort(compare[key]);
}

/**
 * A filter typed at `/`: space-separated terms, all of which must match. `pod=RE`, `ns=RE` and
 * `label=KEY=VALUE` (or `label=KEY`) test those fields; any other term is a regular expression
 * for the name. Returns an error message instead when a term is not valid.
 */
export interface Filter {
  text: string;
  test(row: Row): boolean;
}

export function parseFilter(text: string): Filter | string {
  const tests: ((r: Row) => boolean)[] = [];
  for (const term of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(pod|ns|namespace|label)=(.*)$/.exec(term);
    try {
      if (!m) {
        const re = new RegExp(term);
        tests.push((r) => re.test(r.name));
      } else if (m[1] === 'label') {
        const eq = m[2].indexOf('=');
        const key = eq < 0 ? m[2] : m[2].slice(0, eq);
        const value = eq < 0 ? undefined : m[2].slice(eq + 1);
        tests.push((r) => Object.hasOwn(r.labels, key) && (value === undefined || r.labels[key] === value));
      } else {
        const re = new RegExp(m[2]);
        tests.push(
          m[1] === 'pod' ? (r) => re.test(r.podName) || r.podId.startsWith(m[2]) : (r) => re.test(r.namespace),
        );
      }
    } catch (e) {
      return `filter ${JSON.stringify(term)}: ${(e as Error).message}`;
    }
  }
  return { text: text.trim(), test: (r) => tests.every((t) => t(r)) };
}

export interface TopEvent {
  at: number;
  text: string;
}

/** What changed between two samples, as `top` shows when the runtime streams no events. */
export function diffEvents(before: Sample | undefined, now: Sample): TopEvent[] {
  if (!before) return [];
  const events: TopEvent[] = [];
  const old = new Map(before.containers.map((c) => [c.id, c]));
  const label = (c: Container) => `${c.metadata?.name ?? ''} (${c.id.slice(0, 13)})`;
  for (const c of now.containers) {
    const was = old.get(c.id);
    if (!was) events.push({ at: now.at, text: `container ${label(c)} created` });
    else if (was.state !== c.state)
      events.push({ at: now.at, text: `container ${label(c)} ${c.state.replace(/^CONTAINER_/, '').toLowerCase()}` });
    old.delete(c.id);
  }
  for (const c of old.values()) events.push({ at: now.at, text: `container ${label(c)} removed` });
  const oldPods = new Set(before.pods.map((p) => p.id));
  for (const p of now.pods)
    if (!oldPods.has(p.id))
      events.push({ at: now.at, text: `pod ${p.metadata?.name ?? ''} (${p.id.slice(0, 13)}) created` });
  const nowPods = new Set(now.pods.map((p) => p.id));
  for (const p of before.pods)
    if (!nowPods.has(p.id))
      events.push({ at: now.at, text: `pod ${p.metadata?.name ?? ''} (${p.id.slice(0, 13)}) removed` });
  return events;
}
