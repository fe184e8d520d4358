// Runtime-wide read-only commands: version, info, runtime-config.
import { Command, Option } from 'clipanion';
import { escapeText } from '../output/escape.js';
import { renderMessage } from '../output/render.js';
import { UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { CriCommand } from './cri-command.js';
import { goStructJson, printStatusInfo } from './inspect-output.js';
import { outputOption, reportOutputOption, templateOption } from './options.js';

export class VersionCommand extends CriCommand {
  static override paths = [['version']];
  static override usage = Command.Usage({
    description: 'Display runtime version information',
    examples: [
      ['Runtime name and version', 'crictl version'],
      ['As JSON', 'crictl version -o json'],
    ],
  });

  output = outputOption(['json', 'yaml', 'go-template', 'table'], '', 'Output format, One of: json, yaml, go-template');
  template = templateOption();

  async execute(): Promise<number> {
    const r = await (await this.runtime()).version({ version: 'v1' });
    if (this.output && this.output !== 'table') {
      this.out(await renderMessage('runtime.v1.VersionResponse', r, this.output, this.template));
      return 0;
    }
    this.out(
      escapeText(
        `Version:  ${VERSION}\nRuntimeName:  ${r.runtimeName}\nRuntimeVersion:  ${r.runtimeVersion}\nRuntimeApiVersion:  ${r.runtimeApiVersion}`,
      ),
    );
    return 0;
  }
}

export class InfoCommand extends CriCommand {
  static override paths = [['info']];
  static override usage = Command.Usage({
    description: 'Display information of the container runtime',
    details:
      "Shows the runtime's conditions (RuntimeReady, NetworkReady), its runtime handlers and features, and its verbose info map (config, CNI, …) decoded into objects.",
    examples: [
      ['Everything', 'crictl info'],
      [
        'Is the network ready?',
        "crictl info -o go-template --template '{{range .status.conditions}}{{.type}}={{.status}} {{end}}'",
      ],
    ],
  });

  output = reportOutputOption();
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Do not show verbose information' });
  template = templateOption();

  async execute(): Promise<number> {
    const r = await (await this.runtime()).status({ verbose: !this.quiet });
    // crictl master marshals these two with encoding/json, not protojson: snake_case, zero values left out.
    const extra: Record<string, string> = {};
    if (r.runtimeHandlers.length > 0)
      extra.runtimeHandlers = await goStructJson('runtime.v1.RuntimeHandler', r.runtimeHandlers);
    if (r.features) extra.features = await goStructJson('runtime.v1.RuntimeFeatures', r.features);
    await printStatusInfo(
      this.context.stdout,
      'runtime.v1.RuntimeStatus',
      [{ status: r.status, info: r.info, extra }],
      this.output,
      this.template,
    );
    return 0;
  }
}

export class RuntimeConfigCommand extends CriCommand {
  static override paths = [['runtime-config']];
  static override usage = Command.Usage({
    description: 'Retrieve the container runtime configuration',
    details: 'Shows what the runtime reports through the RuntimeConfig rpc, such as its cgroup driver.',
    examples: [['The cgroup driver', 'crictl runtime-config']],
  });

  output = outputOption(['json', 'yaml', 'go-template', 'table'], 'table');
  template = templateOption();

  async execute(): Promise<number> {
    const r = await (await this.runtime()).runtimeConfig({});
    if (this.output === 'table') {
      this.out(escapeText(`cgroup driver: ${r.linux?.cgroupDriver ?? 'unknown'}`));
      return 0;
    }
    this.out(await renderMessage('runtime.v1.RuntimeConfigResponse', r, this.output, this.template));
    return 0;
  }
}

export class UpdateRuntimeConfigCommand extends CriCommand {
  static override paths = [['update-runtime-config']];
  static override usage = Command.Usage({
    description: 'Update the runtime configuration',
    details:
      'Sends UpdateRuntimeConfig; today the only setting is the pod CIDR the runtime hands to its network plugin.',
    examples: [['Set the pod CIDR', 'crictl update-runtime-config --pod-cidr 10.88.0.0/16']],
  });

  podCidr = Option.String('-p,--pod-cidr', {
    description: 'The new Classless Inter-Domain Routing (CIDR) value to be used for pod IP addresses',
  });

  async execute(): Promise<number> {
    if (!this.podCidr) throw new UsageError('update-runtime-config: --pod-cidr is required');
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(this.podCidr))
      throw new UsageError(`--pod-cidr "${this.podCidr}": expected a CIDR such as 10.88.0.0/16`);
    await (await this.runtime()).updateRuntimeConfig({ runtimeConfig: { networkConfig: { podCidr: this.podCidr } } });
    return 0;
  }
}
