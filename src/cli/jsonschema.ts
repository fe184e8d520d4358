// `runp jsonschema`, `create jsonschema`, `run jsonschema` (alias `js`) and `pull jsonschema`:
// print the JSON Schema of the config files those commands read.
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';

const POD = ['runtime.v1.PodSandboxConfig', 'crictl pod sandbox config (runp, create, run)'] as const;
const CONTAINER = ['runtime.v1.ContainerConfig', 'crictl container config (create, run)'] as const;
const AUTH = ['runtime.v1.AuthConfig', 'crictl registry auth config (pull)'] as const;

abstract class JsonSchemaBase extends CriCommand {
  static override offline = true;
  protected async print([typeName, title]: readonly [string, string]): Promise<number> {
    const { jsonSchemaFor } = await import('../spec/jsonschema.js');
    this.out(JSON.stringify(jsonSchemaFor(typeName, title), null, 2));
    return 0;
  }
}

export class RunPodJsonSchemaCommand extends JsonSchemaBase {
  static override paths = [
    ['runp', 'jsonschema'],
    ['runp', 'js'],
  ];
  static override usage = Command.Usage({
    description: 'Print the JSON Schema of pod configs',
    examples: [['Save it for your editor', 'crictl runp jsonschema > pod-config.schema.json']],
  });

  async execute(): Promise<number> {
    return this.print(POD);
  }
}

/** `create jsonschema` and `run jsonschema` print the pod or container schema. */
abstract class PodOrContainerSchema extends JsonSchemaBase {
  pod = Option.Boolean('-p,--pod', false, { description: 'Print the pod config schema' });
  container = Option.Boolean('-c,--container', false, { description: 'Print the container config schema (default)' });

  async execute(): Promise<number> {
    if (this.pod && this.container) throw new UsageError('use one of --pod and --container');
    return this.print(this.pod ? POD : CONTAINER);
  }
}

export class CreateJsonSchemaCommand extends PodOrContainerSchema {
  static override paths = [
    ['create', 'jsonschema'],
    ['create', 'js'],
  ];
  static override usage = Command.Usage({
    description: 'Print the JSON Schema of container configs (or --pod for pod configs)',
    examples: [
      ['Container config schema', 'crictl create jsonschema'],
      ['Pod config schema', 'crictl create jsonschema --pod'],
    ],
  });
}

export class RunJsonSchemaCommand extends PodOrContainerSchema {
  static override paths = [
    ['run', 'jsonschema'],
    ['run', 'js'],
  ];
  static override usage = Command.Usage({
    description: 'Print the JSON Schema of container configs (or --pod for pod configs)',
    examples: [['Container config schema', 'crictl run jsonschema --container']],
  });
}

export class PullJsonSchemaCommand extends JsonSchemaBase {
  static override paths = [
    ['pull', 'jsonschema'],
    ['pull', 'js'],
  ];
  static override usage = Command.Usage({
    description: 'Print the JSON Schema of registry auth configs',
    examples: [['Auth config schema', 'crictl pull jsonschema']],
  });

  async execute(): Promise<number> {
    return this.print(AUTH);
  }
}
