// `crictl events`: print the runtime's container event stream (GetContainerEvents) as it
// arrives, one document per event, until interrupted or the runtime closes the stream.
import { Command } from 'clipanion';
import { renderMessage } from '../output/render.js';
import { CriCommand } from './cri-command.js';
import { reportOutputOption, templateOption } from './options.js';
import { stopOnSignals } from './signals.js';

export class EventsCommand extends CriCommand {
  static override longRunning = true;
  static override paths = [['events'], ['event']];
  static override usage = Command.Usage({
    description: 'Stream the events of containers',
    details:
      "Consumes the runtime's event stream (GetContainerEvents: created, started, stopped, deleted) and prints each event as it comes. The runtime must support the stream (containerd >= 1.7 with evented PLEG; containerd 1.6 answers UNIMPLEMENTED).",
    examples: [
      ['Watch events as JSON', 'crictl events'],
      ['One line per event', "crictl events -o go-template --template '{{.containerEventType}} {{.containerId}}'"],
    ],
  });

  output = reportOutputOption();
  template = templateOption();

  async execute(): Promise<number> {
    const runtime = await this.runtime();
    const stream = runtime.getContainerEvents({});
    const stopped = stopOnSignals(() => stream.cancel());
    try {
      for await (const event of stream) {
        const text = await renderMessage('runtime.v1.ContainerEventResponse', event, this.output, this.template);
        this.out(this.output === 'yaml' ? `---\n${text}` : text);
      }
    } catch (err) {
      if (stopped.exitCode() === undefined) throw err;
    } finally {
      stopped.release();
    }
    // Ended by a signal: not a success (crictl exits 0).
    return stopped.exitCode() ?? 0;
  }
}
