// `crictl completion [bash|zsh|fish]`: shell completion scripts. They hold no command or flag
// lists: at each TAB they ask `crictl __complete WORD...` (complete.ts), so completion follows
// the CLI as it is, including IDs and names from the runtime.
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';

export class CompletionCommand extends CriCommand {
  static override offline = true;
  static override paths = [['completion']];
  static override usage = Command.Usage({
    description: 'Output shell completion code',
    details:
      'Prints a completion script for bash (default), zsh or fish. It completes commands, flags, flag values, config keys, file names where a file is expected, and container, pod and image names and IDs (asked from the runtime, for at most a second).',
    examples: [
      ['Enable for the current bash', 'source <(crictl completion bash)'],
      ['Install for bash', 'crictl completion bash > /etc/bash_completion.d/crictl'],
      ['Install for zsh', 'crictl completion zsh > "${fpath[1]}/_crictl"'],
      ['Install for fish', 'crictl completion fish > ~/.config/fish/completions/crictl.fish'],
    ],
  });

  shell = Option.String({ name: 'SHELL', required: false });

  async execute(): Promise<number> {
    const shell = this.shell ?? 'bash';
    const script = SCRIPTS[shell];
    if (!script) throw new UsageError(`completion: unsupported shell "${shell}": use bash, zsh or fish`);
    this.out(script);
    return 0;
  }
}

// Each script runs the command as typed (crictl or crictl-ts), with the words up to the cursor.
// `:files` means "complete a file name here"; other lines are `VALUE<TAB>DESCRIPTION`.
const BASH = `# bash completion for crictl (crictl-ts)
_crictl() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur="\${COMP_WORDS[COMP_CWORD]}"
  local -a words
  read -ra words <<< "$line"
  [[ "$line" =~ [[:space:]]$ ]] && words+=("")
  local out
  out="$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null)" || return 0
  COMPREPLY=()
  if [[ "$out" == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    local IFS=$'\\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  # bash splits words at = and : (COMP_WORDBREAKS): offer only the part after the split.
  local typed="\${words[\${#words[@]}-1]}" strip="" c nospace=1
  [[ "$typed" == *"$cur" ]] && strip="\${typed%"$cur"}"
  while IFS= read -r c; do
    [[ -z "$c" ]] && continue
    c="\${c%%$'\\t'*}"
    [[ "$c" == *= ]] || nospace=0
    COMPREPLY+=("\${c#"$strip"}")
  done <<< "$out"
  (( \${#COMPREPLY[@]} > 0 && nospace )) && compopt -o nospace 2>/dev/null
  return 0
}
complete -F _crictl crictl crictl-ts`;

const ZSH = `#compdef crictl crictl-ts
# zsh completion for crictl (crictl-ts)
_crictl() {
  local -a lines described plain
  local line
  lines=("\${(@f)$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${lines[1]}" == ":files" ]]; then
    _files
    return
  fi
  for line in "\${lines[@]}"; do
    [[ -z "$line" ]] && continue
    if [[ "$line" != *$'\\t'* && "$line" == *= ]]; then
      plain+=("$line")
    elif [[ "$line" == *$'\\t'* ]]; then
      described+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      described+=("\${line//:/\\\\:}")
    fi
  done
  (( \${#plain} )) && compadd -S '' -- "\${plain[@]}"
  (( \${#described} )) && _describe -t values 'crictl' described
  return 0
}
if [ "\${funcstack[1]}" = "_crictl" ]; then
  _crictl "$@"
else
  compdef _crictl crictl crictl-ts
fi`;

const FISH = `# fish completion for crictl (crictl-ts)
function __crictl_complete
  set -l tokens (commandline -opc)
  set -l current (commandline -ct)
  set -l out ($tokens[1] __complete $tokens[2..-1] "$current" 2>/dev/null)
  if test "$out[1]" = ":files"
    __fish_complete_path "$current"
    return
  end
  printf '%s\\n' $out
end
complete -c crictl -f -a '(__crictl_complete)'
complete -c crictl-ts -f -a '(__crictl_complete)'`;

const SCRIPTS: Record<string, string> = { bash: BASH, zsh: ZSH, fish: FISH };
