// `crictl exec`: run a command in a container. With -s the runtime runs it to completion
// (ExecSync); otherwise output streams over the runtime's streaming server.
import { Writable } from 'node:stream';
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';
import { escapeControls } from '../output/escape.js';
import { truncateId } from '../output/human.js';
import { resolveContainerIds } from './resolve.js';
import { loadStreamTls, tlsCaOption, tlsCertOption, tlsKeyOption, tlsSniOption } from './stream-options.js';
import { isSeconds } from './options.js';

export class ExecCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['exec']];
  static override usage = Command.Usage({
    description: 'Run a command in a running container',
    details: [
      "Exits with the command's own exit code. Without -s the command's output streams over the runtime's streaming server, by default over SPDY (which passes the end of piped input on to the command); `--transport websocket` uses the WebSocket channel protocol instead, where servers older than v5.channel.k8s.io (containerd 1.6, for one) cannot be told that input ended, so a command that reads stdin to its end keeps waiting.",
      'With -t the local terminal is in raw mode until the command ends, and its size follows the window.',
    ].join('\n\n'),
    examples: [
      ['Run and wait', 'crictl exec -s 3a1b echo hi'],
      ["Stream output, exit with the command's code", "crictl exec 3a1b sh -c 'echo hi; exit 3'"],
      ['Feed piped input', "printf 'hi\\n' | crictl exec -i 3a1b cat"],
      ['An interactive shell', 'crictl exec -it 3a1b sh'],
      ['Over WebSocket', 'crictl exec -r websocket 3a1b ls /'],
      ['In every running container named web-*', "crictl exec -s --name '^web-' cat /etc/hostname"],
      ['In all containers of a pod at once, going on past failures', 'crictl exec -s -x -e --pod 1f6e uptime'],
    ],
  });

  sync = Option.Boolean('-s,--sync', false, { description: 'Run the command synchronously' });
  timeout = Option.String('--timeout', '0', {
    description: 'Timeout in seconds (0 = none)',
    validator: isSeconds('--timeout', 0, 'expected whole seconds'),
  });
  interactive = Option.Boolean('-i,--interactive', false, { description: 'Keep STDIN open' });
  tty = Option.Boolean('-t,--tty', false, { description: 'Allocate a pseudo-TTY' });
  tlsSni = tlsSniOption();
  tlsCa = tlsCaOption();
  tlsCert = tlsCertOption();
  tlsKey = tlsKeyOption();
  transport = Option.String('-r,--transport', 'spdy', {
    description: 'Transport protocol to be used, must be one of: spdy, websocket',
  });
  // Run in every container a selection matches (crictl HEAD); then all arguments are the command.
  name = Option.String('--name', { description: 'Run in the containers whose name matches this regular expression' });
  pod = Option.String('-p,--pod', { description: 'Run in the containers of this pod (ID)' });
  image = Option.String('--image', { description: 'Run in the containers of this image' });
  state = Option.String('--state', { description: 'Run in containers in this state (default: running)' });
  label = Option.Array('--label', { description: 'Run in containers with this key=value label' });
  latest = Option.Boolean('-l,--latest', false, { description: 'Run in the most recently created container' });
  last = Option.String('-n,--last', { description: 'Run in the last n recently created containers' });
  quiet = Option.Boolean('-q,--quiet', false, {
    description: "With several containers, do not print a header before each one's output",
  });
  ignoreErrors = Option.Boolean('-e,--ignore-errors', false, {
    description: 'With several containers, go on after a failure or non-zero exit',
  });
  parallel = Option.Boolean('-x,--parallel', false, {
    description: 'With several containers, run in all at once (output is printed per container as each ends)',
  });
  // A positional first, so flags before it are parsed; everything after it is passed through.
  first = Option.String({ name: 'CONTAINER-ID' });
  rest = Option.Proxy({ name: 'COMMAND [ARG...]' });

  /** Whether any selection flag was given (then there is no CONTAINER-ID argument). */
  private get selecting(): boolean {
    return (
      [this.name, this.pod, this.image, this.state, this.last].some((v) => v !== undefined) ||
      (this.label?.length ?? 0) > 0 ||
      this.latest
    );
  }

  async execute(): Promise<number> {
    const id = this.first;
    const cmd = this.selecting ? [this.first, ...this.rest] : this.rest;
    if (cmd.length === 0)
      throw new UsageError(
        'exec: command is required: crictl exec [-s] CONTAINER-ID COMMAND [ARG...] (or selection flags and COMMAND)',
      );
    if (!this.sync) {
      const { parseTransport } = await import('../stream/remotecommand.js');
      parseTransport(this.transport);
    }
    const runtime = await this.runtime();
    if (!this.selecting) {
      const [containerId] = await resolveContainerIds(runtime, [id]);
      return this.runIn(containerId, cmd, this.context);
    }
    const { selectContainers } = await import('./containers.js');
    const targets = await selectContainers(runtime, () => this.images(), { ...this, label: this.label ?? [] });
    if (targets.length === 0) throw new UsageError('exec: no container matches the selection');
    if (targets.length > 1 && (this.tty || this.interactive))
      throw new UsageError('exec: -i and -t need a single container; narrow the selection (e.g. --latest)');
    return this.runInMany(
      targets.map((c) => ({ id: c.id, name: c.metadata?.name ?? '' })),
      cmd,
    );
  }

  /** Runs the command in several containers, each block of output under a header line. */
  private async runInMany(targets: { id: string; name: string }[], cmd: string[]): Promise<number> {
    const header = (t: { id: string; name: string }) =>
      this.quiet || targets.length === 1 ? '' : `==> ${truncateId(t.id)} (${escapeControls(t.name)}) <==\n`;
    let firstFailure = 0;
    const runOne = async (t: { id: string; name: string }, stdio: Stdio): Promise<number> => {
      try {
        return await this.runIn(t.id, cmd, stdio);
      } catch (err) {
        stdio.stderr.write(`crictl: exec in ${truncateId(t.id)}: ${escapeControls((err as Error).message)}\n`);
        return 1;
      }
    };
    if (this.parallel) {
      // Output is buffered per container so blocks do not interleave.
      await Promise.all(
        targets.map(async (t) => {
          const out = new Capture();
          const err = new Capture();
          const code = await runOne(t, { stdin: this.context.stdin, stdout: out, stderr: err });
          this.context.stdout.write(header(t) + out.text());
          this.context.stderr.write(err.text());
          if (code !== 0 && firstFailure === 0) firstFailure = code;
        }),
      );
      return firstFailure;
    }
    for (const t of targets) {
      this.context.stdout.write(header(t));
      const code = await runOne(t, this.context);
      if (code !== 0) {
        firstFailure ||= code;
        if (!this.ignoreErrors) return code;
      }
    }
    return firstFailure;
  }

  /** Runs the command in one container with the given stdio; resolves to its exit code. */
  private async runIn(containerId: string, cmd: string[], stdio: Stdio): Promise<number> {
    const runtime = await this.runtime();
    if (!this.sync) {
      const { streamExec } = await import('../stream/exec.js');
      const { debug } = await this.context.settings();
      return streamExec(runtime, {
        containerId,
        cmd,
        stdin: this.interactive,
        tty: this.tty,
        transport: this.transport,
        stdio,
        tls: loadStreamTls(this),
        debug: debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
      });
    }
    const timeout = this.timeout;
    const settings = await this.context.settings();
    const deadline = timeout > 0 ? timeout * 1000 + settings.timeoutMs : 0;
    const r = await runtime.execSync({ containerId, cmd, timeout: String(timeout) }, { timeoutMs: deadline });
    stdio.stdout.write(Buffer.from(r.stdout));
    stdio.stderr.write(Buffer.from(r.stderr));
    return r.exitCode;
  }
}

interface Stdio {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A writable stream that keeps what is written (for per-container output blocks). */
class Capture extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}
