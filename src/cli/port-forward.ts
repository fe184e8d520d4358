// `crictl port-forward`: forward local ports to ports inside a pod's network namespace.
import { Command, Option } from 'clipanion';
import { CriCommand } from './cri-command.js';
import { resolvePodIds } from './resolve.js';
import { stopOnSignals } from './signals.js';
import { loadStreamTls, tlsCaOption, tlsCertOption, tlsKeyOption, tlsSniOption } from './stream-options.js';

export class PortForwardCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['port-forward']];
  static override usage = Command.Usage({
    description: 'Forward local ports to a pod',
    details: [
      "Listens on 127.0.0.1 and carries each connection to the port inside the pod through the runtime's streaming server, until interrupted. A spec is LOCAL:REMOTE, or PORT for the same port on both sides; LOCAL 0 (or empty, as in :80) picks a free port, and the one chosen is printed.",
      "SPDY (the default) carries all connections over one streaming connection; `--transport websocket` opens one per connection and cannot pass on a client's half-close (the connection ends when either side closes).",
    ].join('\n\n'),
    examples: [
      ["Local 8080 to the pod's 80", 'crictl port-forward 3a1b 8080:80'],
      ['Same port both sides, and a random local port for 9090', 'crictl port-forward 3a1b 5000 :9090'],
    ],
  });

  tlsSni = tlsSniOption();
  tlsCa = tlsCaOption();
  tlsCert = tlsCertOption();
  tlsKey = tlsKeyOption();
  transport = Option.String('-r,--transport', 'spdy', {
    description: 'Transport protocol to be used, must be one of: spdy, websocket',
  });
  id = Option.String({ name: 'POD-ID' });
  ports = Option.Rest({ name: 'LOCAL:REMOTE', required: 1 });

  async execute(): Promise<number> {
    const { parseTransport } = await import('../stream/remotecommand.js');
    const { parsePortSpec, runPortForward } = await import('../stream/port-forward.js');
    const transport = parseTransport(this.transport);
    const specs = this.ports.map(parsePortSpec);
    const runtime = await this.runtime();
    const [podSandboxId] = await resolvePodIds(runtime, [this.id]);

    const { debug } = await this.context.settings();
    const stop = new AbortController();
    // Interrupted is not success: exit 128 + the signal's number (crictl exits 0 on ctrl-c).
    const stopped = stopOnSignals(() => stop.abort());
    try {
      const code = await runPortForward({
        runtime,
        podSandboxId,
        specs,
        transport,
        stdout: this.context.stdout,
        stderr: this.context.stderr,
        signal: stop.signal,
        tls: loadStreamTls(this),
        debug: debug ? (line) => this.context.stderr.write(`DEBU ${line}\n`) : undefined,
      });
      return stopped.exitCode() ?? code;
    } finally {
      stopped.release();
    }
  }
}
