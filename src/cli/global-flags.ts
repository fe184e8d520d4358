// crictl's global flags, which come before the command (main.ts reads them, completion offers them).
import type { GlobalFlags } from '../config/settings.js';
import { suggest, UsageError } from '../errors.js';
import { parseGoBool } from './argv.js';

/** Global flags: name → [field, takes a value]. */
export const GLOBAL_FLAGS: Record<string, [field: keyof GlobalFlags | 'help' | 'version', takesValue: boolean]> = {
  '-c': ['config', true],
  '--config': ['config', true],
  '-r': ['runtimeEndpoint', true],
  '--runtime-endpoint': ['runtimeEndpoint', true],
  '-i': ['imageEndpoint', true],
  '--image-endpoint': ['imageEndpoint', true],
  '-t': ['timeout', true],
  '--timeout': ['timeout', true],
  '-D': ['debug', false],
  '--debug': ['debug', false],
  '--max-retries': ['maxRetries', true],
  '-h': ['help', false],
  '--help': ['help', false],
  '-v': ['version', false],
  '--version': ['version', false],
};

/** crictl master's global flags crictl-ts does not offer, and why (one line instead of "unknown"). */
const UNSUPPORTED_GLOBAL_FLAGS: Record<string, string> = {
  '--enable-tracing': 'OpenTelemetry tracing needs an OTLP exporter crictl-ts does not ship',
  '--tracing-endpoint': 'OpenTelemetry tracing needs an OTLP exporter crictl-ts does not ship',
  '--tracing-sampling-rate-per-million': 'OpenTelemetry tracing needs an OTLP exporter crictl-ts does not ship',
  '--profile-cpu': 'it writes Go pprof profiles; run node with --cpu-prof on dist/crictl.js instead',
  '--profile-mem': 'it writes Go pprof profiles; run node with --heap-prof on dist/crictl.js instead',
};

interface ParsedArgs {
  flags: GlobalFlags;
  help: boolean;
  version: boolean;
  rest: string[];
}

/** Splits leading global flags from the command and its arguments. */
export function parseGlobalArgs(argv: readonly string[]): ParsedArgs {
  const flags: GlobalFlags = {};
  let help = false;
  let version = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '--') {
      i++;
      break;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = GLOBAL_FLAGS[name];
    if (!spec && UNSUPPORTED_GLOBAL_FLAGS[name])
      throw new UsageError(`${name} is not supported by crictl-ts: ${UNSUPPORTED_GLOBAL_FLAGS[name]}`);
    if (!spec) {
      const hint = suggest(name, Object.keys(GLOBAL_FLAGS));
      throw new UsageError(`unknown global flag ${name}${hint ? ` (did you mean ${hint}?)` : ''}; run crictl --help`);
    }
    const [field, takesValue] = spec;
    let value: string | undefined;
    if (takesValue) {
      value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`flag ${name} needs a value`);
    } else if (eq > 0) {
      value = arg.slice(eq + 1);
    }
    if (field === 'help') help = true;
    else if (field === 'version') version = true;
    else if (field === 'debug') flags.debug = value === undefined ? true : globalBool(name, value);
    else flags[field] = value;
  }
  return { flags, help, version, rest: argv.slice(i) };
}

/** `--debug=false`: Go's boolean spellings, anything else refused. */
function globalBool(name: string, value: string): boolean {
  const on = parseGoBool(value);
  if (on === undefined) throw new UsageError(`${name}=${value}: expected true or false`);
  return on;
}
