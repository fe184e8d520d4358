// `crictl __complete WORD...`: what the completion scripts (completion.ts) ask for. The last
// word is the one being completed (empty after a space). Prints one candidate a line
// (`VALUE<TAB>DESCRIPTION` where a description helps), or the single line `:files` when a file
// name belongs there, which the shell completes itself. IDs, names and image references come
// from the runtime, asked with a short deadline; a runtime that does not answer gives nothing.
import type { CommandClass } from 'clipanion';
import { COMMANDS } from './commands.js';
import type { CliContext } from './context.js';
import { GLOBAL_FLAGS } from './global-flags.js';
import { commandShape, type CommandShape, type OptionShape, type PositionalShape } from './help.js';
import { CONFIG_KEYS, resolveConfigPath } from '../config/config.js';
import type { GlobalFlags } from '../config/settings.js';
import type { CriClients } from '../cri/client.js';
import { listContainers, listImages, listPodSandboxes } from '../cri/lists.js';

export interface CompleteIo {
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Connects for ID/name/image look-ups (tests pass their own). */
  connect?: (flags: GlobalFlags) => Promise<CriClients>;
}

/** How long completion waits for the runtime before offering nothing. */
export const RUNTIME_WAIT_MS = 1000;

const FILES = ':files';
type Kind = 'containers' | 'pods' | 'images';
type Candidate = [value: string, description?: string];
type Want = { files: true } | { kind: Kind } | { words: Candidate[] } | { none: true };

/** The candidates for the last of `words`, as lines for the shell script. */
export async function complete(words: readonly string[], io: CompleteIo): Promise<number> {
  const cur = words.length > 0 ? words[words.length - 1] : '';
  const before = words.slice(0, -1);
  const flags: GlobalFlags = {};
  const want = whatGoesHere(before, cur, flags);
  let candidates: Candidate[] = [];
  let prefix = '';
  if ('files' in want) {
    io.stdout.write(`${FILES}\n`);
    return 0;
  }
  if ('words' in want) candidates = want.words;
  if ('kind' in want) candidates = await fromRuntime(want.kind, flags, io);
  // `--output=js`: complete the value, keep what precedes it.
  const eq = cur.startsWith('-') ? cur.indexOf('=') : -1;
  if (eq > 0 && !('none' in want)) prefix = cur.slice(0, eq + 1);
  const typed = cur.slice(prefix.length);
  const seen = new Set<string>();
  let out = '';
  for (const [value, description] of candidates) {
    // A name with control characters is not offered: it would reach the terminal as typed.
    if (!value?.startsWith(typed) || seen.has(value) || /[\x00-\x1f\x7f]/.test(value)) continue;
    seen.add(value);
    // Runtime-provided names are shown, never interpreted: keep the description to one plain line.
    const desc = description?.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 80);
    out += `${prefix}${value}${desc ? `\t${desc}` : ''}\n`;
  }
  io.stdout.write(out);
  return 0;
}

/** Top-level words: each command's first path word, with its description. */
function commandWords(): Candidate[] {
  const out: Candidate[] = [];
  for (const c of COMMANDS)
    for (const p of c.paths ?? []) if (p.length === 1) out.push([p[0], (c.usage?.description ?? '').trim()]);
  return out;
}

function findCommand(words: readonly string[]): { command: CommandClass<CliContext>; path: string[] } | undefined {
  let best: { command: CommandClass<CliContext>; path: string[] } | undefined;
  for (const command of COMMANDS)
    for (const p of command.paths ?? [])
      if (p.every((w, i) => words[i] === w) && (!best || p.length > best.path.length)) best = { command, path: [...p] };
  return best;
}

function whatGoesHere(before: readonly string[], cur: string, flags: GlobalFlags): Want {
  // Global flags come before the command, as main.ts reads them.
  let i = 0;
  for (; i < before.length; i++) {
    const w = before[i];
    if (!w.startsWith('-') || w === '-') break;
    const [name, value] = w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, undefined];
    const spec = GLOBAL_FLAGS[name];
    if (!spec) continue;
    const [field, takesValue] = spec;
    let v = value;
    if (takesValue && v === undefined) v = before[++i];
    if (field === 'help' || field === 'version') continue;
    if (field === 'debug') continue;
    if (v !== undefined) flags[field] = v;
    else return globalValue(field); // the value of this flag is what is being typed
  }
  if (i >= before.length) {
    if (cur.startsWith('-')) {
      const eq = cur.indexOf('=');
      if (eq > 0) {
        const spec = GLOBAL_FLAGS[cur.slice(0, eq)];
        return spec ? globalValue(spec[0]) : { none: true };
      }
      return { words: Object.keys(GLOBAL_FLAGS).map((n) => [n]) };
    }
    return { words: commandWords() };
  }
  const found = findCommand(before.slice(i));
  if (!found) return { none: true };
  const shape = commandShape(found.command);
  const args = before.slice(i + found.path.length);
  // Sub-commands (`runp jsonschema`) right after the command word.
  const subWords: Candidate[] =
    args.length === 0 && !cur.startsWith('-')
      ? COMMANDS.flatMap((c) =>
          (c.paths ?? [])
            .filter((p) => p.length === found.path.length + 1 && found.path.every((w, k) => p[k] === w))
            .map((p): Candidate => [p[p.length - 1], (c.usage?.description ?? '').trim()]),
        )
      : [];
  let given = 0;
  let afterDashDash = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (afterDashDash || !a.startsWith('-') || a === '-') {
      given++;
      continue;
    }
    if (a === '--') {
      afterDashDash = true;
      continue;
    }
    const option = optionNamed(shape, a.split('=')[0]);
    if (option && option.arity > 0 && !a.includes('=')) {
      if (k + 1 >= args.length) return optionValue(shape, option); // its value is being typed
      k += option.arity;
    }
  }
  if (!afterDashDash && cur.startsWith('-')) {
    const eq = cur.indexOf('=');
    if (eq > 0) {
      const option = optionNamed(shape, cur.slice(0, eq));
      return option && option.arity > 0 ? optionValue(shape, option) : { none: true };
    }
    return {
      words: [
        ...shape.options.filter((o) => !o.hidden).flatMap((o) => o.names.map((n): Candidate => [n, o.description])),
        ['--help', 'show help'],
      ],
    };
  }
  const positional = positionalAt(shape.positionals, given);
  const want: Want = positional ? positionalValue(shape, positional, given) : { none: true };
  if (subWords.length > 0 && !('files' in want))
    return 'words' in want ? { words: [...subWords, ...want.words] } : { words: subWords };
  return want;
}

function globalValue(field: (typeof GLOBAL_FLAGS)[string][0]): Want {
  return field === 'config' ? { files: true } : { none: true };
}

const optionNamed = (shape: CommandShape, name: string) => shape.options.find((o) => o.names.includes(name));

function positionalAt(positionals: readonly PositionalShape[], index: number): PositionalShape | undefined {
  if (index < positionals.length) return positionals[index];
  const last = positionals[positionals.length - 1];
  return last?.rest && !last.proxy ? last : undefined;
}

/** Which objects an ID-like argument names: by its name, else by what the command is about. */
function idKind(name: string, context: string): Kind {
  if (/^POD/i.test(name)) return 'pods';
  if (/^(IMAGE|REPOSITORY)/i.test(name)) return 'images';
  if (/^CONTAINER/i.test(name)) return 'containers';
  return /\bpod\b/i.test(context) && !/\bcontainer/i.test(context) ? 'pods' : 'containers';
}

const configKeys = (): Candidate[] => Object.keys(CONFIG_KEYS).map((k) => [k]);

/** The values listed in an option's description ("One of: json, yaml", "(ready or notready)"). */
function listedValues(description: string, parenthesised: boolean): Candidate[] {
  const m =
    /one of:?\s*([a-z0-9, -]+)/i.exec(description) ?? (parenthesised ? /\(([a-z, ]+)\)/i.exec(description) : null);
  if (!m) return [];
  return m[1]
    .split(/,|\bor\b/)
    .map((w) => w.trim())
    .filter((w) => /^[a-z][a-z0-9-]*$/.test(w))
    .map((w) => [w]);
}

function optionValue(shape: CommandShape, option: OptionShape): Want {
  const long = option.names.find((n) => n.startsWith('--')) ?? '';
  if (shape.paths[0]?.[0] === 'config') {
    if (long === '--get') return { words: configKeys() };
    if (long === '--set') return { words: configKeys().map(([k]) => [`${k}=`]) };
  }
  if (option.valueName === 'FILE') return { files: true };
  if (option.valueName === 'POD-ID') return { kind: 'pods' };
  if (option.valueName === 'ID') return { kind: idKind('', option.description) };
  if (long === '--image') return { kind: 'images' };
  const listed = listedValues(option.description, long === '--state' || long === '--sort' || long === '--stream');
  return listed.length > 0 ? { words: listed } : { none: true };
}

// Positionals whose values are a fixed list.
const POSITIONAL_WORDS: Record<string, string[]> = { SHELL: ['bash', 'zsh', 'fish'] };

function positionalValue(shape: CommandShape, p: PositionalShape, index: number): Want {
  const name = p.name;
  if (POSITIONAL_WORDS[name]) return { words: POSITIONAL_WORDS[name].map((w) => [w]) };
  if (/config|file|json\|yaml/i.test(name)) return { files: true };
  if (/^[a-z]+(\|[a-z]+)+$/.test(name)) return { words: name.split('|').map((w) => [w]) };
  if (name === 'KEY VALUE') return index % 2 === 0 ? { words: configKeys() } : { none: true };
  if (/ID$|^POD$|^CONTAINER$|^IMAGE|^REPOSITORY/.test(name))
    return { kind: idKind(name, `${shape.paths[0]?.join(' ')} ${shape.description}`) };
  return { none: true };
}

/** IDs and names (or image references) from the runtime; nothing if it does not answer in time. */
async function fromRuntime(kind: Kind, flags: GlobalFlags, io: CompleteIo): Promise<Candidate[]> {
  let clients: CriClients | undefined;
  let timer: NodeJS.Timeout | undefined;
  const ask = async (): Promise<Candidate[]> => {
    clients = await (io.connect ?? defaultConnect(io.env))(flags);
    if (kind === 'containers') {
      return (await listContainers(clients.runtime)).flatMap((c): Candidate[] => [
        [c.id, c.metadata?.name],
        [c.metadata?.name ?? '', c.id.slice(0, 13)],
      ]);
    }
    if (kind === 'pods') {
      return (await listPodSandboxes(clients.runtime)).flatMap((p): Candidate[] => [
        [p.id, p.metadata?.name],
        [p.metadata?.name ?? '', p.id.slice(0, 13)],
      ]);
    }
    return (await listImages(clients.image)).flatMap((img): Candidate[] =>
      (img.repoTags.length > 0 ? img.repoTags : img.repoDigests.length > 0 ? img.repoDigests : [img.id]).map(
        (r): Candidate => [r],
      ),
    );
  };
  try {
    return await Promise.race([
      ask(),
      new Promise<Candidate[]>((resolve) => (timer = setTimeout(() => resolve([]), RUNTIME_WAIT_MS))),
    ]);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
    (clients as CriClients | undefined)?.close();
  }
}

/** Settings as a command would resolve them, but quiet (no warnings) and with a short deadline. */
const defaultConnect =
  (env: NodeJS.ProcessEnv) =>
  async (flags: GlobalFlags): Promise<CriClients> => {
    const { resolveSettings } = await import('../config/settings.js');
    const { connect } = await import('../cri/client.js');
    const settings = await resolveSettings(flags, env, resolveConfigPath(flags.config, env, process.argv[1] ?? ''));
    return connect(settings.runtimeEndpoint, settings.imageEndpoint, { timeoutMs: RUNTIME_WAIT_MS });
  };
