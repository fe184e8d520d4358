// `crictl logs`: print a container's log, read straight from the file the runtime writes
// (its path comes from ContainerStatus), as crictl does.
import { Command, Option } from 'clipanion';
import { CommandError, UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';
import { resolveContainerIds } from './resolve.js';
import { isCount } from './options.js';

/** --since: an RFC 3339 time, or a duration before now ("42m", "1h30m"). Returns nanoseconds. */
export async function parseSince(raw: string, now = Date.now()): Promise<bigint> {
  const { timeToNanos } = await import('../logs/format.js');
  const t = timeToNanos(raw);
  if (t !== undefined) return t;
  const { parseDuration } = await import('../config/settings.js');
  try {
    return BigInt(Math.round((now - parseDuration(raw, '--since')) * 1e6));
  } catch {
    throw new UsageError(
      `--since "${raw}": expected an RFC 3339 time (2024-01-02T15:04:05Z) or a duration (42m, 1h30m)`,
    );
  }
}

/** How long `logs -f` waits for an unreachable runtime to come back (read per run: the startup
 *  snapshot evaluates this module at build time). */
const lostRuntimeMs = (): number => Number(process.env.CRICTL_LOST_RUNTIME_MS ?? 30_000);

export class LogsCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['logs']];
  static override usage = Command.Usage({
    description: 'Fetch the logs of a container',
    details:
      "Reads the container's log file directly (CRI or Docker JSON format). --tail reads backwards from the end, so it is fast on huge files; --follow keeps reading across log rotation until the container exits.",
    examples: [
      ['The last 100 lines with timestamps', 'crictl logs --tail 100 -t 3a1b'],
      ['Follow', 'crictl logs -f 3a1b'],
      ['The last 10 minutes of stderr', 'crictl logs --since 10m --stream stderr 3a1b'],
    ],
  });

  follow = Option.Boolean('-f,--follow', false, { description: 'Follow log output' });
  tail = Option.String('--tail', '-1', {
    description: 'Number of lines to show from the end of the logs (-1: all)',
    validator: isCount('--tail'),
  });
  since = Option.String('--since', '', {
    description: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)',
  });
  timestamps = Option.Boolean('-t,--timestamps', false, { description: 'Show timestamps' });
  limitBytes = Option.String('--limit-bytes', '-1', {
    description: 'Maximum bytes of logs to return (-1: no limit)',
    validator: isCount('--limit-bytes'),
  });
  previous = Option.Boolean('-p,--previous', false, {
    description: 'Print the logs of the previous instance of the container',
  });
  reopen = Option.Boolean('-r,--reopen', false, {
    description: 'Reopen the container logs for the provided container',
  });
  reverse = Option.Boolean('--reverse', false, {
    description: 'Reverse the log output (newest first; not with --follow)',
  });
  stream = Option.String('-s,--stream', '', { description: 'Only this stream: stdout or stderr' });
  id = Option.String({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    const { tail, limitBytes } = this;
    if (this.stream && this.stream !== 'stdout' && this.stream !== 'stderr')
      throw new UsageError(`--stream "${this.stream}": must be stdout or stderr`);
    if (this.reverse && this.follow) throw new UsageError('--reverse cannot be combined with --follow');
    const sinceNanos = this.since ? await parseSince(this.since) : undefined;

    const runtime = await this.runtime();
    const [containerId] = await resolveContainerIds(runtime, [this.id]);
    const { status } = await runtime.containerStatus({ containerId });
    let path = status?.logPath ?? '';
    if (!path) throw new CommandError(`container ${containerId} has no log path (the runtime keeps no log for it)`);
    if (this.previous) {
      const attempt = status?.metadata?.attempt ?? 0;
      if (attempt === 0) throw new CommandError(`container ${containerId} has no previous instance (attempt 0)`);
      path = `${path.slice(0, path.lastIndexOf('/') + 1)}${attempt - 1}${path.slice(path.lastIndexOf('.'))}`;
    }
    if (this.reopen) {
      try {
        await runtime.reopenContainerLog({ containerId });
      } catch (err) {
        throw new CommandError(`reopen container logs: ${(err as Error).message}`);
      }
      // crictl says so through its logger (logrus' plain format) on stderr.
      this.context.stderr.write(`time="${logrusTime(new Date())}" level=info msg="Container logs reopened"\n`);
    }
    const { describeFsError } = await import('../config/config.js');
    const { printLog, followLog, LogFormatError } = await import('../logs/reader.js');
    const { PairedOutput } = await import('../output/write.js');
    const opts = {
      tail,
      sinceNanos,
      timestamps: this.timestamps,
      limitBytes,
      stream: (this.stream || undefined) as 'stdout' | 'stderr' | undefined,
    };
    // Ctrl-c (and SIGTERM, SIGHUP) ends reading at the next block; the exit code says which.
    const abort = new AbortController();
    const sink = new PairedOutput(
      { stdout: this.context.stdout, stderr: this.context.stderr },
      undefined,
      abort.signal,
    );
    let signalled: (typeof STOP_SIGNALS)[number] | undefined;
    const onSignal = (signal: (typeof STOP_SIGNALS)[number]) => {
      signalled ??= signal;
      abort.abort();
    };
    for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
    try {
      if (!this.follow) {
        await printLog(path, opts, sink, { reverse: this.reverse, signal: abort.signal });
      } else {
        // The file is the source of truth; the runtime only says when to stop. A runtime that is
        // restarting is waited for (its log writer resumes where it left off); one gone for longer
        // than lostRuntimeMs() ends the command with an error.
        let failingSince: number | undefined;
        const stillRunning = async () => {
          try {
            const r = await runtime.containerStatus({ containerId });
            failingSince = undefined;
            return r.status?.state === 'CONTAINER_RUNNING';
          } catch (err) {
            failingSince ??= Date.now();
            if (Date.now() - failingSince > lostRuntimeMs())
              throw new CommandError(
                `logs: lost the runtime while following ${containerId}: ${(err as Error).message}`,
              );
            return true;
          }
        };
        await followLog(path, opts, sink, stillRunning, abort.signal);
      }
      if (!signalled) return 0;
      const code = 128 + SIGNAL_NUMBERS[signalled];
      // Output a stalled reader has not taken keeps the process alive (node cannot drop a
      // pending pipe write): if it is still there shortly, give up on it and exit.
      setTimeout(() => process.exit(code), 100).unref();
      return code;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code) throw new CommandError(`log file ${path}: ${describeFsError(e)}`);
      if (err instanceof LogFormatError) throw new CommandError(`log file ${path}: ${err.message}`);
      throw err;
    } finally {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    }
  }
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_NUMBERS: Record<(typeof STOP_SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** logrus' default timestamp: RFC 3339 in local time, to the second. */
function logrusTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}
