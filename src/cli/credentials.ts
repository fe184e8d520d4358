// Registry credentials for pull, create and run: --creds, --auth, --username (password asked
// for, never on argv), the CRICTL_CREDS / CRICTL_AUTH environment variables, and --pull-timeout.
import { Option } from 'clipanion';
import type { AuthConfig, DeepPartial } from '../cri/client.js';
import { CommandError, UsageError } from '../errors.js';

const ARGV_WARNING = 'A value given on the command line is visible to every user of this machine (ps, /proc); prefer';

export const credsOption = () =>
  Option.String('--creds', {
    description: `Use \`USERNAME[:PASSWORD]\` for accessing the registry [$CRICTL_CREDS]. ${ARGV_WARNING} CRICTL_CREDS or --username`,
  });
export const authOption = () =>
  Option.String('--auth', {
    description: `Use \`AUTH_STRING\` for accessing the registry. AUTH_STRING is a base64 encoded 'USERNAME[:PASSWORD]' [$CRICTL_AUTH]. ${ARGV_WARNING} CRICTL_AUTH`,
  });
export const usernameOption = () =>
  Option.String('-u,--username', {
    description:
      'Use `USERNAME` for accessing the registry. The password is asked for without echo on a terminal, otherwise read from the first line of stdin',
  });
export const pullTimeoutOption = () =>
  Option.String('--pull-timeout,--pt', {
    description:
      'Maximum time to be used for pulling the image, disabled if set to 0s (e.g. 30s, 5m) [$CRICTL_PULL_TIMEOUT]',
  });

/** The credential flags a pulling command declares. */
export interface CredentialFlags {
  creds?: string;
  auth?: string;
  username?: string;
}

export interface PasswordIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr: NodeJS.WritableStream;
}

/**
 * The AuthConfig to send, or undefined for none. Flags win over the environment; two flags that
 * both give credentials are refused rather than one silently chosen.
 */
export async function resolveAuth(
  flags: CredentialFlags,
  env: NodeJS.ProcessEnv,
  io: PasswordIo,
): Promise<DeepPartial<AuthConfig> | undefined> {
  const given = (['username', 'creds', 'auth'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw new UsageError(`${given.map((k) => `--${k}`).join(' and ')} given: use one`);
  if (flags.username !== undefined) {
    if (flags.username === '') throw new UsageError('--username: expected a user name');
    return { username: flags.username, password: await readPassword(io) };
  }
  if (flags.creds !== undefined) return credsAuth(flags.creds, '--creds');
  if (flags.auth !== undefined) return authAuth(flags.auth, '--auth');
  const envCreds = env.CRICTL_CREDS || undefined;
  const envAuth = env.CRICTL_AUTH || undefined;
  if (envCreds && envAuth) throw new UsageError('both CRICTL_CREDS and CRICTL_AUTH are set: unset one');
  if (envCreds) return credsAuth(envCreds, 'CRICTL_CREDS');
  if (envAuth) return authAuth(envAuth, 'CRICTL_AUTH');
  return undefined;
}

/** USERNAME[:PASSWORD], split at the first colon as crictl does. */
function credsAuth(creds: string, source: string): DeepPartial<AuthConfig> {
  const colon = creds.indexOf(':');
  const username = colon < 0 ? creds : creds.slice(0, colon);
  if (!username) throw new UsageError(`${source}: expected USERNAME[:PASSWORD], the user name is empty`);
  return colon < 0 ? { username } : { username, password: creds.slice(colon + 1) };
}

function authAuth(auth: string, source: string): DeepPartial<AuthConfig> {
  if (auth === '') throw new UsageError(`${source}: expected a base64 encoded USERNAME[:PASSWORD]`);
  return { auth };
}

/** --pull-timeout (or CRICTL_PULL_TIMEOUT) in milliseconds; undefined when not given, 0 for none. */
export async function resolvePullTimeout(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<number | undefined> {
  const raw = flag ?? (env.CRICTL_PULL_TIMEOUT || undefined);
  if (raw === undefined) return undefined;
  const what = flag !== undefined ? '--pull-timeout' : 'CRICTL_PULL_TIMEOUT';
  if (raw.trim().startsWith('-')) throw new UsageError(`${what} "${raw}": must not be negative (0s disables it)`);
  const { parseDuration } = await import('../config/settings.js');
  return parseDuration(raw, what);
}

/** Longest password read from a pipe: a whole file piped in by mistake is refused, not sent. */
const MAX_PASSWORD_BYTES = 4096;

/**
 * Asks for a password: on a terminal with a prompt on stderr and no echo (ctrl-c aborts with
 * exit 130); otherwise the first line of stdin, without its line ending.
 */
export function readPassword(io: PasswordIo): Promise<string> {
  const { stdin, stderr } = io;
  const tty = Boolean(stdin.isTTY && stdin.setRawMode);
  if (tty) stderr.write('Enter Password:');
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const finish = (err: Error | undefined, value = '') => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      if (tty) {
        stdin.setRawMode!(false);
        stderr.write('\n');
      }
      stdin.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const data = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (!tty) {
        text += data;
        const nl = text.indexOf('\n');
        if (nl >= 0) return finish(undefined, text.slice(0, nl).replace(/\r$/, ''));
        if (Buffer.byteLength(text) > MAX_PASSWORD_BYTES)
          finish(new UsageError(`--username: the password read from stdin is longer than ${MAX_PASSWORD_BYTES} bytes`));
        return;
      }
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return finish(undefined, text);
        if (ch === '\u0003') return finish(new CommandError('interrupted', 130));
        if (ch === '\u0004') return text === '' ? finish(new UsageError('--username: no password given')) : undefined;
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch === '\u0015') text = '';
        else if (ch >= ' ') text += ch;
      }
    };
    const onEnd = () =>
      !tty && text !== ''
        ? finish(undefined, text.replace(/\r?\n?$/, ''))
        : finish(new UsageError('--username: no password given (stdin ended)'));
    const onError = (err: Error) => finish(new CommandError(`--username: cannot read the password: ${err.message}`));
    if (tty) stdin.setRawMode!(true);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}
