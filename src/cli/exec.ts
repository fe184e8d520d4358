// `crictl exec`: run a command in a container. With -s the runtime runs it to completion
// (ExecSync); otherwise output streams over the runtime's streaming server.
import { Command, Option } from 'clipanion';
import { UsageError } from '../cri/errors.js';
import { CriCommand } from './cri-command.js';
import { resolveContainerIds } from './resolve.js';

export class ExecCommand extends CriCommand {
  static override paths = [['exec']];
  static override usage = Command.Usage({
    description: 'Run a command in a running container',
    details: [
      'Exits with the command\'s own exit code. Without -s the command\'s output streams over the runtime\'s streaming server, by default over SPDY (which passes the end of piped input on to the command); `--transport websocket` uses the WebSocket channel protocol instead, where servers older than v5.channel.k8s.io (containerd 1.6, for one) cannot be told that input ended, so a command that reads stdin to its end keeps waiting.',
      'With -t the local terminal is in raw mode until the command ends, and its size follows the window.',
    ].join('\n\n'),
    examples: [
      ['Run and wait', 'crictl exec -s 3a1b echo hi'],
      ['Stream output, exit with the command\'s code', 'crictl exec 3a1b sh -c \'echo hi; exit 3\''],
      ['Feed piped input', 'printf \'hi\\n\' | crictl exec -i 3a1b cat'],
      ['An interactive shell', 'crictl exec -it 3a1b sh'],
      ['Over WebSocket', 'crictl exec -r websocket 3a1b ls /'],
    ],
  });

  sync = Option.Boolean('-s,--sync', false, { description: 'Run the command synchronously' });
  timeout = Option.String('--timeout', '0', { description: 'Timeout in seconds (0 = none)' });
  interactive = Option.Boolean('-i,--interactive', false, { description: 'Keep STDIN open' });
  tty = Option.Boolean('-t,--tty', false, { description: 'Allocate a pseudo-TTY' });
  transport = Option.String('-r,--transport', 'spdy', { description: 'Transport protocol to be used, must be one of: spdy, websocket' });
  id = Option.String({ name: 'CONTAINER-ID' });
  cmd = Option.Proxy({ name: 'COMMAND [ARG...]' });

  async execute(): Promise<number> {
    if (this.cmd.length === 0) throw new UsageError('exec: command is required: crictl exec [-s] CONTAINER-ID COMMAND [ARG...]');
    if (!/^\d+$/.test(this.timeout)) throw new UsageError(`--timeout "${this.timeout}": expected whole seconds`);
    const timeout = Number(this.timeout);
    if (!this.sync) {
      const { parseTransport } = await import('../stream/remotecommand.js');
      parseTransport(this.transport);
    }
    const runtime = await this.runtime();
    const [containerId] = await resolveContainerIds(runtime, [this.id]);
    if (!this.sync) {
      const { streamExec } = await import('../stream/exec.js');
      const { debug } = await this.context.settings();
      return streamExec(runtime, {
        containerId,
        cmd: this.cmd,
        stdin: this.interactive,
        tty: this.tty,
        transport: this.transport,
        stdio: this.context,
        debug: debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
      });
    }
    const settings = await this.context.settings();
    const deadline = timeout > 0 ? timeout * 1000 + settings.timeoutMs : 0;
    const r = await runtime.execSync({ containerId, cmd: this.cmd, timeout: String(timeout) }, { timeoutMs: deadline });
    this.context.stdout.write(Buffer.from(r.stdout));
    this.context.stderr.write(Buffer.from(r.stderr));
    return r.exitCode;
  }
}
