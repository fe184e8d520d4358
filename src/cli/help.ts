// Help text and parse errors, formatted here for every command (clipanion's own usage shows
// `--id #0` and `crictl start ...`): value names come from the option's name (or a small
// table), usage lines list the arguments by name, and top-level and command help share one
// layout. Commands need nothing special to get this.
import type { Cli, CommandClass } from 'clipanion';
import type { CliContext } from './context.js';
import { suggest } from '../errors.js';
import { VERSION } from '../version.js';

export interface OptionShape {
  names: string[];
  /** How many values the option takes (0: a switch). */
  arity: number;
  description: string;
  hidden: boolean;
  required: boolean;
  /** What the help calls its value: `FORMAT` in `-o,--output FORMAT`. */
  valueName: string;
}

export interface PositionalShape {
  name: string;
  required: boolean;
  /** Takes every remaining argument (Option.Rest / Option.Proxy). */
  rest: boolean;
  /** Passes everything after it on (Option.Proxy): its name already reads `COMMAND [ARG...]`. */
  proxy?: boolean;
}

/** What a command accepts, read from its option declarations. */
export interface CommandShape {
  paths: string[][];
  description: string;
  details: string;
  examples: [string, string][];
  options: OptionShape[];
  positionals: PositionalShape[];
}

// Value names that the option's own name does not say well.
const VALUE_NAMES: Record<string, string> = {
  output: 'FORMAT',
  id: 'ID',
  pod: 'POD-ID',
  label: 'KEY=VALUE',
  annotation: 'KEY=VALUE',
  template: 'TEMPLATE',
  last: 'N',
  tail: 'N',
  seconds: 'N',
  'limit-bytes': 'N',
  since: 'TIME',
  timeout: 'DURATION',
  'cancel-timeout': 'DURATION',
  interval: 'DURATION',
  config: 'FILE',
  'pod-config': 'FILE',
  input: 'FILE',
  export: 'FILE',
  creds: 'USER[:PASSWORD]',
  memory: 'BYTES',
  transport: 'PROTOCOL',
  'detach-keys': 'KEYS',
  'tls-ca': 'FILE',
  'tls-cert': 'FILE',
  'tls-key': 'FILE',
  set: 'KEY=VALUE',
  get: 'KEY',
  runtime: 'HANDLER',
};

/** The value name of an option: from the table, "FILE" when it names a file, else its long name. */
export function valueNameOf(names: readonly string[], description: string): string {
  const long = (names.find((n) => n.startsWith('--')) ?? names[0]).replace(/^-+/, '');
  if (VALUE_NAMES[long]) return VALUE_NAMES[long];
  if (/\b(file|archive|path)\b/i.test(description)) return 'FILE';
  return long.toUpperCase();
}

/**
 * Runs a command class's option declarations against a recorder (what clipanion's builder would
 * receive), so help and completion see positional names that clipanion's usage drops.
 */
export function commandShape(commandClass: CommandClass<CliContext>): CommandShape {
  const options: OptionShape[] = [];
  const positionals: PositionalShape[] = [];
  const recorder: Record<string, (arg: Record<string, unknown>) => void> = {
    addOption: (o) => {
      const names = o.names as string[];
      const description = String(o.description ?? '');
      options.push({
        names,
        arity: Number(o.arity ?? 0),
        description,
        hidden: Boolean(o.hidden),
        required: Boolean(o.required),
        valueName: valueNameOf(names, description),
      });
    },
    addPositional: (p) => positionals.push({ name: String(p.name), required: p.required !== false, rest: false }),
    addRest: (p) => positionals.push({ name: String(p.name), required: Number(p.required ?? 0) > 0, rest: true }),
    addProxy: (p) =>
      positionals.push({ name: String(p.name), required: Number(p.required ?? 0) > 0, rest: true, proxy: true }),
  };
  const builder = new Proxy(recorder, { get: (target, key: string) => target[key] ?? (() => undefined) });
  const instance = new (commandClass as unknown as new () => Record<string, unknown>)();
  for (const key of Object.keys(instance)) {
    const value = instance[key] as { definition?: (b: unknown, k: string) => void } | null;
    // clipanion marks option declarations with a symbol; the definition callback is what matters.
    if (value && typeof value === 'object' && typeof value.definition === 'function') value.definition(builder, key);
  }
  const usage = commandClass.usage ?? {};
  return {
    paths: (commandClass.paths ?? []).map((p) => [...p]),
    description: (usage.description ?? '').trim(),
    details: (usage.details ?? '').trim(),
    examples: (usage.examples ?? []).map(([label, cmd]) => [label, cmd] as [string, string]),
    options,
    positionals,
  };
}

/** `CONTAINER-ID [CONTAINER-ID...]`: the argument part of a usage line. */
export function argumentsUsage(shape: CommandShape): string {
  return shape.positionals
    .map((p) => {
      if (!p.rest || p.proxy) return p.required ? p.name : `[${p.name}]`;
      // Rests of IDs are declared optional so that -a/--all can stand in for them, but crictl's
      // usage lists one as needed; other rests (config KEY VALUE) really are optional.
      if (p.required || /(^|-)ID$/.test(p.name)) return `${p.name} [${p.name}...]`;
      return `[${p.name}...]`;
    })
    .join(' ');
}

/** `crictl start [OPTIONS] CONTAINER-ID [CONTAINER-ID...]` */
export function usageLine(shape: CommandShape, path = shape.paths[0] ?? []): string {
  const hasOptions = shape.options.some((o) => !o.hidden);
  return ['crictl', ...path, hasOptions ? '[OPTIONS]' : '', argumentsUsage(shape)].filter(Boolean).join(' ');
}

const optionLabel = (o: OptionShape) => `${o.names.join(',')}${o.arity > 0 ? ` ${o.valueName}` : ''}`;

/** Wraps text to `width` columns, each line indented by `indent`. */
function wrap(text: string, indent: string, width = 100): string {
  const lines: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(indent + line);
    lines.push('');
  }
  return lines.join('\n').replace(/\n+$/, '');
}

/** Two-column rows (`   --all, -a   Show all`), the layout of top-level help too. */
function rows(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([name]) => name.length)) + 2;
  return pairs.map(([name, desc]) => `   ${name.padEnd(width)}${desc}`.trimEnd()).join('\n');
}

/** `crictl COMMAND --help`: name, usage with arguments, options with value names, details, examples. */
export function commandHelp(commandClass: CommandClass<CliContext>): string {
  const shape = commandShape(commandClass);
  const path = shape.paths[0] ?? [];
  const aliases = shape.paths.slice(1).map((p) => p.join(' '));
  let out = `NAME:\n   crictl ${path.join(' ')} - ${shape.description}\n\nUSAGE:\n   ${usageLine(shape)}\n`;
  if (aliases.length > 0) out += `\nALIASES:\n   ${aliases.join(', ')}\n`;
  if (shape.details) out += `\nDESCRIPTION:\n${wrap(shape.details, '   ')}\n`;
  const options = shape.options.filter((o) => !o.hidden);
  out += `\nOPTIONS:\n${rows([...options.map((o) => [optionLabel(o), o.description.trim()] as const), ['-h,--help', 'show help']])}\n`;
  if (shape.examples.length > 0) {
    out += `\nEXAMPLES:\n${shape.examples
      .map(
        ([label, cmd]) =>
          `   ${label}\n${cmd
            .split('\n')
            .map((l) => `     $ ${l}`)
            .join('\n')}`,
      )
      .join('\n\n')}\n`;
  }
  return out;
}

export function globalHelp(cli: Cli<CliContext>): string {
  const commands = cli
    .definitions()
    .filter((d) => d.path.split(' ').length > 1)
    .map((d) => [d.path.split(' ').slice(1).join(' '), (d.description ?? '').trim()] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return `NAME:
   crictl - client for CRI (crictl-ts ${VERSION})

USAGE:
   crictl [global options] command [command options] [arguments...]

COMMANDS:
${rows(commands)}

GLOBAL OPTIONS:
   --config value, -c value            Location of the client config file. If not specified and the default does not exist, the program's directory is searched as well (default: "/etc/crictl.yaml") [$CRI_CONFIG_FILE]
   --debug, -D                         Enable debug mode (default: false)
   --image-endpoint value, -i value    Endpoint of CRI image manager service (default: uses 'runtime-endpoint' setting) [$IMAGE_SERVICE_ENDPOINT]
   --max-retries value                 Max retries, with exponential backoff (0.5 s doubling to 5 s), while an explicitly set endpoint cannot be reached (0 to disable, negative for infinite) (default: 3, or 0 when the config file lacks max-retries)
   --runtime-endpoint value, -r value  Endpoint of CRI container runtime service (default: uses in order the first successful one of [unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]) [$CONTAINER_RUNTIME_ENDPOINT]
   --timeout value, -t value           Timeout of each call to the runtime (e.g. 2s, 500ms, 1m; a bare number is seconds). 0 waits forever (default: 2s)
   --help, -h                          show help (default: false)
   --version, -v                       print the version (default: false)

Run 'crictl COMMAND --help' for a command's flags and examples.
`;
}

/** The registered command whose path is the longest prefix of `argv`'s words. */
function commandFor(
  argv: readonly string[],
  commands: readonly CommandClass<CliContext>[],
): [CommandClass<CliContext>, string[]] | undefined {
  let best: [CommandClass<CliContext>, string[]] | undefined;
  for (const c of commands)
    for (const p of c.paths ?? [])
      if (p.every((w, i) => argv[i] === w) && (!best || p.length > best[1].length)) best = [c, p];
  return best;
}

/** Names of the required arguments `argv` (after the command's path) leaves out. */
function missingArguments(shape: CommandShape, args: readonly string[]): string[] {
  let given = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      given += args.length - i - 1;
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const option = shape.options.find((o) => o.names.includes(a.split('=')[0]));
      if (option && option.arity > 0 && !a.includes('=')) i += option.arity;
      continue;
    }
    given++;
  }
  const needed = shape.positionals.filter((p) => p.required && !p.rest);
  return needed.slice(given).map((p) => p.name);
}

/** One line for a command line clipanion could not match: what is wrong, and the usage line. */
export function describeParseError(
  err: unknown,
  argv: readonly string[],
  cli: Cli<CliContext>,
  commands: readonly CommandClass<CliContext>[] = [],
): string {
  const e = err as Error & { candidates?: { usage: string; reason: string | null }[] };
  const names = cli.definitions().map((d) => d.path.split(' ').slice(1).join(' '));
  const word = argv[0] ?? '';
  if (!names.some((n) => n.split(' ')[0] === word)) {
    const hint = suggest(word, names);
    return `unknown command "${word}"${hint ? ` (did you mean "${hint}"?)` : ''}; run crictl --help for the list`;
  }
  const match = commandFor(argv, commands);
  const reason = e.candidates?.find((c) => c.reason)?.reason ?? e.message.split('\n')[0];
  // A value an option's validator refused (options.ts): its message names the flag already.
  const refused = /^Invalid value for \S+: (.+)$/.exec(reason);
  if (refused) return refused[1];
  if (!match) return `${word}: ${reason.replace(/\s+/g, ' ').trim()}; run crictl ${word} --help`;
  const [commandClass, path] = match;
  const shape = commandShape(commandClass);
  const name = path.join(' ');
  const usage = `usage: ${usageLine(shape, path)}`;
  const flag = /Unsupported option name \("([^"]+)"\)/.exec(reason ?? '')?.[1];
  if (flag) {
    const hint = suggest(
      flag,
      shape.options.flatMap((o) => o.names),
    );
    return `${name}: unknown flag ${flag}${hint ? ` (did you mean ${hint}?)` : ''}; ${usage}`;
  }
  const needsValue = /Not enough arguments to option (\S+?)\.?$/.exec(reason ?? '')?.[1];
  if (needsValue) {
    const option = shape.options.find((o) => o.names.includes(needsValue));
    return `${name}: flag ${needsValue} needs a value${option ? ` (${option.valueName})` : ''}; ${usage}`;
  }
  if (/Not enough positional arguments/.test(reason ?? '')) {
    const missing = missingArguments(shape, argv.slice(path.length));
    const what = missing.length > 0 ? `missing ${missing.join(', ')}` : 'missing arguments';
    return `${name}: ${what}; ${usage}`;
  }
  if (/Extraneous positional argument/.test(reason ?? '')) {
    const extra = /\("([^"]*)"\)/.exec(reason ?? '')?.[1];
    return `${name}: unexpected argument${extra !== undefined ? ` "${extra}"` : ''}; ${usage}`;
  }
  return `${name}: ${reason.replace(/\s+/g, ' ').trim()}; ${usage}`;
}
