// crictl's command-line conventions (urfave/cli over Go's flag package) that clipanion does not
// take as they are: `--all=false` for booleans, a value that starts with a dash taken as the
// value (`logs --tail -1`, `ps -n -2`), and long names written with one dash (`-tail 5`). The
// arguments are rewritten, before clipanion parses them, into spellings that mean the same to it;
// no value is changed.
import { Command, type CommandClass } from 'clipanion';
import type { CliContext } from './context.js';
import { UsageError } from '../errors.js';

interface OptionSpec {
  names: string[];
  /** 0 for booleans, 1 for options that take a value. */
  arity: number;
}

/** What argument rewriting needs to know of a command: its options, and whether a positional
 *  ends option parsing (exec passes everything after the container ID through). */
export interface CommandShape {
  options: Map<string, OptionSpec>;
  proxy: boolean;
}

/** Reads a command's options the way clipanion's own registration does, without a parser. */
export function commandShape(commandClass: CommandClass<CliContext>): CommandShape {
  const shape: CommandShape = { options: new Map(), proxy: false };
  const recorder = {
    addOption(o: { names: string[]; arity?: number }) {
      const spec = { names: o.names, arity: o.arity ?? 0 };
      for (const name of o.names) shape.options.set(name, spec);
    },
    addProxy() {
      shape.proxy = true;
    },
    addPositional() {},
    addRest() {},
  };
  const command = new commandClass() as unknown as Record<string, unknown>;
  for (const key of Object.keys(command)) {
    const value = command[key] as {
      [k: symbol]: unknown;
      definition?: (b: typeof recorder, key: string) => void;
    } | null;
    if (typeof value === 'object' && value !== null && value[Command.isOption] && value.definition)
      value.definition(recorder, key);
  }
  return shape;
}

/** Go's strconv.ParseBool, which urfave/cli uses for `--flag=VALUE`. */
export function parseGoBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

/** The command's words (`['runp', 'jsonschema']`) that `args` starts with: the longest match. */
export function matchPath(
  args: readonly string[],
  commands: readonly CommandClass<CliContext>[],
): { command: CommandClass<CliContext>; length: number } | undefined {
  let best: { command: CommandClass<CliContext>; length: number } | undefined;
  for (const command of commands) {
    for (const path of command.paths ?? []) {
      if (path.length > (best?.length ?? 0) && path.every((w, i) => args[i] === w))
        best = { command, length: path.length };
    }
  }
  return best;
}

/**
 * Rewrites a command's arguments (those after its name) into clipanion's spellings:
 * `--all=false` → `--no-all`, `--all=true` → `--all`, `--tail -1` → `--tail=-1`,
 * `-tail 5` → `--tail=5`. Anything it does not recognise is left for clipanion to judge.
 */
export function normalizeArgs(args: readonly string[], shape: CommandShape, commandName: string): string[] {
  const out: string[] = [];
  let positionals = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    // Go stops reading flags at the first positional: `config max-retries -1` passes -1 on.
    if (positionals > 0 && /^-\d/.test(arg)) {
      out.push('--', ...args.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals++;
      out.push(arg);
      if (shape.proxy) {
        out.push(...args.slice(i + 1));
        break;
      }
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : undefined;
    let spec = shape.options.get(name);
    // Go's flag package takes `-tail` for `--tail`; a bundle of known short flags (`-aq`) stays one.
    if (!spec && /^-[^-]{2,}$/.test(name) && !isShortBundle(name, shape)) {
      spec = shape.options.get(`-${name}`);
      if (spec) name = `-${name}`;
    }
    if (!spec) {
      out.push(arg);
      continue;
    }
    if (spec.arity === 0) {
      if (value === undefined) {
        out.push(name);
        continue;
      }
      const on = parseGoBool(value);
      if (on === undefined) throw new UsageError(`${commandName}: ${name}=${value}: expected true or false`);
      const long = spec.names.find((n) => n.startsWith('--')) ?? name;
      out.push(on ? long : `--no-${long.slice(2)}`);
      continue;
    }
    if (value !== undefined) out.push(`${name}=${value}`);
    // As Go does, the next argument is the value whatever it looks like (`--tail -1`).
    else if (i + 1 < args.length) out.push(`${name}=${args[++i]}`);
    else out.push(name);
  }
  return out;
}

function isShortBundle(arg: string, shape: CommandShape): boolean {
  return [...arg.slice(1)].every((c) => shape.options.has(`-${c}`));
}
