// `crictl attach`: connect to a running container's own stdin/stdout/stderr.
import { Command, Option } from 'clipanion';
import { CriCommand } from './cri-command.js';
import { resolveContainerIds } from './resolve.js';
import { loadStreamTls, tlsCaOption, tlsCertOption, tlsKeyOption, tlsSniOption } from './stream-options.js';

export class AttachCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['attach']];
  static override usage = Command.Usage({
    description: 'Attach to a running container',
    details: [
      "Streams the container's output (and with -i, your input) over the runtime's streaming server, by default over SPDY; `--transport websocket` uses the WebSocket channel protocol.",
      'With -i and -t, typing the detach keys (ctrl-p then ctrl-q unless --detach-keys says otherwise; an empty value turns detaching off) leaves the container running and exits 0. Keys are docker-style: ctrl-<letter>, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_ or single characters, comma-separated.',
    ].join('\n\n'),
    examples: [
      ["Follow a container's output", 'crictl attach 3a1b'],
      ['Use its terminal; detach with ctrl-p ctrl-q', 'crictl attach -it 3a1b'],
      ['Detach with ctrl-x instead', 'crictl attach -it --detach-keys ctrl-x 3a1b'],
    ],
  });

  stdin = Option.Boolean('-i,--stdin', false, { description: 'Pass stdin to the container' });
  tty = Option.Boolean('-t,--tty', false, { description: 'Stdin is a TTY' });
  tlsSni = tlsSniOption();
  tlsCa = tlsCaOption();
  tlsCert = tlsCertOption();
  tlsKey = tlsKeyOption();
  transport = Option.String('-r,--transport', 'spdy', {
    description: 'Transport protocol to be used, must be one of: spdy, websocket',
  });
  detachKeys = Option.String('--detach-keys', 'ctrl-p,ctrl-q', {
    description: 'Key sequence for detaching (with -i -t)',
  });
  id = Option.String({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    const { parseTransport } = await import('../stream/remotecommand.js');
    const { parseDetachKeys } = await import('../stream/detach-keys.js');
    parseTransport(this.transport);
    if (this.detachKeys) parseDetachKeys(this.detachKeys);
    const runtime = await this.runtime();
    const [containerId] = await resolveContainerIds(runtime, [this.id]);
    const { streamAttach } = await import('../stream/attach.js');
    const { debug } = await this.context.settings();
    return streamAttach(runtime, {
      containerId,
      stdin: this.stdin,
      tty: this.tty,
      transport: this.transport,
      detachKeys: this.detachKeys,
      stdio: this.context,
      tls: loadStreamTls(this),
      debug: debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
    });
  }
}
