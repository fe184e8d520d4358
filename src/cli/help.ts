// Top-level help and parse errors, worded for one line where clipanion would print a block.
import type { Cli } from 'clipanion';
import type { CliContext } from './context.js';
import { suggest } from '../config/config.js';
import { VERSION } from '../version.js';

export function globalHelp(cli: Cli<CliContext>): string {
  const commands = cli
    .definitions()
    .filter((d) => d.path.split(' ').length > 1)
    .map((d) => [d.path.split(' ').slice(1).join(' '), (d.description ?? '').trim()] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...commands.map(([name]) => name.length)) + 3;
  return `NAME:
   crictl - client for CRI (crictl-ts ${VERSION})

USAGE:
   crictl [global options] command [command options] [arguments...]

COMMANDS:
${commands.map(([name, desc]) => `   ${name.padEnd(width)}${desc}`).join('\n')}

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

/** One line for a command line clipanion could not match. */
export function describeParseError(err: unknown, argv: readonly string[], cli: Cli<CliContext>): string {
  const e = err as Error & { candidates?: { usage: string; reason: string | null }[] };
  const names = cli.definitions().map((d) => d.path.split(' ').slice(1).join(' '));
  const word = argv[0] ?? '';
  if (!names.includes(word)) {
    const hint = suggest(word, names);
    return `unknown command "${word}"${hint ? ` (did you mean "${hint}"?)` : ''}; run crictl --help for the list`;
  }
  const reason = e.candidates?.find((c) => c.reason)?.reason ?? e.message.split('\n')[0];
  const flag = /Unsupported option name \("([^"]+)"\)/.exec(reason ?? '')?.[1];
  if (flag) return `${word}: unknown flag ${flag}; run crictl ${word} --help`;
  return `${word}: ${reason.replace(/\s+/g, ' ').trim()}; run crictl ${word} --help`;
}
