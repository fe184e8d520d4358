// `crictl completion [bash|zsh|fish]`: shell completion for command names and their flags,
// generated from the registered commands so it never drifts from the CLI.
import { Cli, Command, Option } from 'clipanion';
import { UsageError } from '../cri/errors.js';
import { CriCommand } from './cri-command.js';

interface CommandWords {
  name: string;
  description: string;
  flags: string[];
}

export class CompletionCommand extends CriCommand {
  static override paths = [['completion']];
  static override usage = Command.Usage({
    description: 'Output shell completion code',
    details: 'Prints a completion script for bash (default), zsh or fish.',
    examples: [
      ['Enable for the current bash', 'source <(crictl completion bash)'],
      ['Install for zsh', 'crictl completion zsh > "${fpath[1]}/_crictl"'],
      ['Install for fish', 'crictl completion fish > ~/.config/fish/completions/crictl.fish'],
    ],
  });

  shell = Option.String({ name: 'SHELL', required: false });

  async execute(): Promise<number> {
    // Every command, not just those this run registered (main registers only what argv needs).
    const { COMMANDS } = await import('./commands.js');
    const all = new Cli();
    for (const command of COMMANDS) all.register(command);
    // One entry per top-level word; "runp jsonschema" adds "jsonschema" as a word after runp.
    const byName = new Map<string, CommandWords>();
    for (const d of all.definitions()) {
      const [name, sub] = d.path.split(' ').slice(1);
      const entry = byName.get(name) ?? { name, description: '', flags: [] };
      if (sub) entry.flags.push(sub);
      else entry.description = (d.description ?? '').trim();
      for (const o of d.options) for (const w of o.definition.split(/[ ,]+/)) if (w.startsWith('-') && !entry.flags.includes(w)) entry.flags.push(w);
      byName.set(name, entry);
    }
    const words = [...byName.values()];
    const shell = this.shell ?? 'bash';
    if (shell === 'bash') this.out(bash(words));
    else if (shell === 'zsh') this.out(zsh(words));
    else if (shell === 'fish') this.out(fish(words));
    else throw new UsageError(`completion: unsupported shell "${shell}": use bash, zsh or fish`);
    return 0;
  }
}

const GLOBAL_FLAGS = '--config --debug --image-endpoint --runtime-endpoint --timeout --help --version';

function bash(words: CommandWords[]): string {
  const cases = words.map((w) => `    ${w.name}) flags="${w.flags.join(' ')}" ;;`).join('\n');
  return `# bash completion for crictl (crictl-ts)
_crictl() {
  local cur cmd flags i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -c|--config|-r|--runtime-endpoint|-i|--image-endpoint|-t|--timeout) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "${GLOBAL_FLAGS}" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${words.map((w) => w.name).join(' ')}" -- "$cur"))
    fi
    return
  fi
  flags=""
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(printf '%s\n' $flags | grep -v '^-')" -- "$cur") $(compgen -f -- "$cur"))
  fi
}
complete -F _crictl crictl crictl-ts`;
}

const quoteZsh = (s: string) => s.replace(/'/g, "'\\''").replace(/:/g, '\\:');

function zsh(words: CommandWords[]): string {
  const commands = words.map((w) => `    '${quoteZsh(w.name)}:${quoteZsh(w.description)}'`).join('\n');
  const cases = words.map((w) => `    ${w.name}) _arguments ${w.flags.map((f) => `'${f}'`).join(' ')} '*:file:_files' ;;`).join('\n');
  return `#compdef crictl crictl-ts
# zsh completion for crictl (crictl-ts)
_crictl() {
  local -a commands
  commands=(
${commands}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
compdef _crictl crictl crictl-ts`;
}

function fish(words: CommandWords[]): string {
  const lines = ['# fish completion for crictl (crictl-ts)'];
  for (const w of words) {
    lines.push(`complete -c crictl -f -n '__fish_use_subcommand' -a '${w.name}' -d '${w.description.replace(/'/g, "\\'")}'`);
    for (const f of w.flags) {
      const opt = f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`;
      lines.push(`complete -c crictl -n '__fish_seen_subcommand_from ${w.name}' ${opt}`);
    }
  }
  return lines.join('\n');
}
