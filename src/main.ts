// crictl-ts entry point: global flags (before the command, as crictl takes them), command
// dispatch, and the one place where errors become a single line and an exit code.
import { Cli, UsageError as ClipanionUsageError } from 'clipanion';
import { commandShape, matchPath, normalizeArgs } from './cli/argv.js';
import { COMMANDS } from './cli/commands.js';
import type { CliContext } from './cli/context.js';
import { parseGlobalArgs } from './cli/global-flags.js';
import { resolveConfigPath } from './config/config.js';
import { resolveSettings, type Settings } from './config/settings.js';
import type { CriClients } from './cri/client.js';
import { CriError } from './cri/errors.js';
import { CommandError, UsageError } from './errors.js';
import { escapeControls } from './output/escape.js';
import { getStartPath } from './startup/start-path.js';
import { VERSION } from './version.js';

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

/** What a run reads and writes, and how it reaches the runtime; the code cache's warm-up (and
 *  anything else that runs the CLI in-process) passes its own. */
export interface MainIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  connect(settings: Settings): Promise<CriClients>;
}

const defaultConnect = async (s: Settings, stderr: NodeJS.WriteStream): Promise<CriClients> => {
  const { connect } = await import('./cri/client.js');
  return connect(s.runtimeEndpoint, s.imageEndpoint, {
    timeoutMs: s.timeoutMs,
    // crictl retries only endpoints that were set, not the defaults it probes.
    maxRetries: s.runtimeEndpointIsDefault ? 0 : s.maxRetries,
    debug: s.debug ? (line) => stderr.write(`DEBU ${line}\n`) : undefined,
  });
};

// process.stdin is made on first read (a few ms); most commands never read it.
const lazyStdin = {
  get stdin() {
    return process.stdin;
  },
};

export async function main(argv: readonly string[], io: Partial<MainIo> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let clients: CriClients | undefined;
  try {
    const parsed = parseGlobalArgs(argv);
    // The completion scripts' call-back (completion.ts): candidates for the words typed so far.
    if (parsed.rest[0] === '__complete') {
      const { complete } = await import('./cli/complete.js');
      return await complete(parsed.rest.slice(1), { stdout, env });
    }
    // urfave/cli's help command: `crictl help [CMD]`, `crictl h [CMD]`, and `crictl CMD help`.
    if (parsed.rest[0] === 'help' || parsed.rest[0] === 'h') {
      parsed.help = true;
      parsed.rest = parsed.rest.slice(1);
    } else if (parsed.rest.length === 2 && parsed.rest[1] === 'help') {
      parsed.help = true;
      parsed.rest = parsed.rest.slice(0, 1);
    }
    const cli = new Cli<CliContext>({
      binaryLabel: 'crictl-ts',
      binaryName: 'crictl',
      binaryVersion: VERSION,
      enableColors: Boolean(stdout.isTTY),
    });
    // clipanion compiles a parser over every registered command on each run; registering only
    // the commands whose path starts with the typed word saves that work on the hot path.
    const word = parsed.rest[0];
    const matching = COMMANDS.filter((c) => c.paths?.some((p) => p[0] === word));
    for (const command of matching.length > 0 ? matching : COMMANDS) cli.register(command);

    if (parsed.version) {
      stdout.write(`crictl version ${VERSION}\n`);
      return 0;
    }
    if (parsed.rest.length === 0) {
      const { globalHelp } = await import('./cli/help.js');
      stdout.write(globalHelp(cli));
      return 0;
    }
    // `crictl ps --help` / `crictl --help ps`: the command's detailed usage.
    const dashdash = parsed.rest.indexOf('--');
    const flagArea = dashdash < 0 ? parsed.rest : parsed.rest.slice(0, dashdash);
    const wantsHelp = parsed.help || flagArea.includes('--help') || flagArea.includes('-h');
    const rest = wantsHelp
      ? parsed.rest.filter((a, i) => (a !== '--help' && a !== '-h') || (dashdash >= 0 && i > dashdash))
      : parsed.rest;
    if (wantsHelp) {
      // By path alone: `crictl attach --help` must not need attach's required arguments.
      const words = rest.filter((a) => !a.startsWith('-'));
      const [match] = COMMANDS.flatMap((c) =>
        (c.paths ?? []).filter((p) => p.every((w, i) => words[i] === w)).map((p) => [c, p.length] as const),
      ).sort((a, b) => b[1] - a[1]);
      const { commandHelp, globalHelp } = await import('./cli/help.js');
      stdout.write(match ? commandHelp(match[0]) : globalHelp(cli));
      return 0;
    }

    const configFile = resolveConfigPath(parsed.flags.config, env, process.argv[1] ?? '');
    const settings = once(async (): Promise<Settings> => {
      const s = await resolveSettings(parsed.flags, env, configFile);
      for (const w of s.warnings) stderr.write(`${w}\n`);
      if (s.debug && getStartPath()) stderr.write(`DEBU start: ${getStartPath()}\n`);
      return s;
    });
    const context: CliContext = Object.assign(Object.create(lazyStdin) as { stdin: NodeJS.ReadStream }, {
      stdout,
      stderr,
      env,
      colorDepth: 1,
      configFile,
      settings,
      cri: once(async () => {
        const s = await settings();
        clients = await (io.connect ? io.connect(s) : defaultConnect(s, stderr));
        return clients;
      }),
    });

    const path = matchPath(rest, matching);
    const args = path
      ? [
          ...rest.slice(0, path.length),
          ...normalizeArgs(rest.slice(path.length), commandShape(path.command), rest.slice(0, path.length).join(' ')),
        ]
      : rest;
    let command: ReturnType<typeof cli.process>;
    try {
      command = cli.process(args, context);
    } catch (err) {
      const { describeParseError } = await import('./cli/help.js');
      stderr.write(`crictl: ${describeParseError(err, args, cli, COMMANDS)}\n`);
      return 1;
    }
    // clipanion hands the command a copy of the context merged with its own defaults (its own
    // stdin included): give it ours, whose stdin is made only when read.
    command.context = context;
    const code = await command.validateAndExecute();
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    return reportError(err, stderr);
  } finally {
    clients?.close();
  }
}

/** Prints one line for an error and picks the exit code; a stack trace only for real bugs (and
 *  CRICTL_TS_STACK). The message may carry runtime text: control characters are shown escaped. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream): number {
  const line = (message: string) => stderr.write(`crictl: ${escapeControls(message)}\n`);
  if (err instanceof UsageError || err instanceof CommandError) {
    line(err.message);
    return err.exitCode;
  }
  if (err instanceof CriError || err instanceof ClipanionUsageError) {
    line(err.message);
    return 1;
  }
  const e = err as Error;
  if (process.env.CRICTL_TS_STACK) stderr.write(`${e?.stack ?? String(err)}\n`);
  line(e?.message ?? String(err));
  return 1;
}
