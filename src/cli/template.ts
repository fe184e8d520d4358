// `crictl-ts template pod|container`: a commented starter config that runs as it is
// (`crictl run container.yaml pod.yaml`) on a node with the pause and busybox images.
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';
import { outputOption } from './options.js';

// YAML is the source: its comments are the documentation; `-o json` drops them.
export const POD_TEMPLATE = `# Pod sandbox config for crictl runp, create and run (crictl runp jsonschema: every field).
# Field names are snake_case as crictl documents them; lowerCamelCase is read too.
metadata:
  # Required. name, namespace, uid and attempt together must be unique on the node.
  name: starter-pod
  namespace: default
  uid: starter-pod-uid
  attempt: 0
# Where the runtime writes the containers' logs: a container's log_path is relative to it.
# Without it, crictl logs has nothing to read.
log_directory: /var/log/crictl-ts/starter-pod
hostname: starter-pod
labels:
  app: starter
annotations: {}
# Publish a container port on the node (needs the CNI portmap plugin):
# port_mappings:
#   - protocol: TCP
#     container_port: 80
#     host_port: 8080
linux:
  # cgroup_parent: must fit the runtime's cgroup driver (systemd: "something.slice").
  security_context:
    namespace_options:
      # POD: the pod's own network namespace, set up by CNI; NODE: the host's network.
      network: POD
`;

export const CONTAINER_TEMPLATE = `# Container config for crictl create and run (crictl create jsonschema: every field).
# Field names are snake_case as crictl documents them; lowerCamelCase is read too.
metadata:
  # Required: the container's name within its pod.
  name: starter
  attempt: 0
image:
  # Required: the image to run (crictl run pulls it when it is missing).
  image: docker.io/library/busybox:1.33.1
# The program and its arguments (the image's ENTRYPOINT and CMD when left out).
command:
  - sh
  - -c
  - 'echo "$GREETING from a crictl-ts template"; exec sleep 3600'
working_dir: /
# Environment variables; values are text (quote numbers: "8080").
envs:
  - key: GREETING
    value: hello
labels:
  app: starter
# Log file, relative to the pod's log_directory.
log_path: starter.log
# Host directories to mount into the container:
# mounts:
#   - host_path: /srv/data
#     container_path: /data
#     readonly: true
linux:
  resources:
    # Memory limit in bytes (0: none) and CPU shares (relative weight).
    memory_limit_in_bytes: 0
    cpu_shares: 512
`;

export class TemplateCommand extends CriCommand {
  static override offline = true;
  static override paths = [['template']];
  static override usage = Command.Usage({
    description: 'Print a commented starter pod or container config (crictl-ts only)',
    details:
      'Prints a config that runs as it is on a node with the pause and busybox images; edit it from there. YAML (the default) carries comments on each field; JSON has none.',
    examples: [
      [
        'Run the starter pod and container',
        'crictl template pod > pod.yaml && crictl template container > container.yaml && crictl run container.yaml pod.yaml',
      ],
      ['As JSON', 'crictl template container -o json'],
    ],
  });

  output = outputOption(['yaml', 'json'], 'yaml');
  kind = Option.String({ name: 'pod|container' });

  async execute(): Promise<number> {
    const text = this.kind === 'pod' ? POD_TEMPLATE : this.kind === 'container' ? CONTAINER_TEMPLATE : undefined;
    if (text === undefined) throw new UsageError(`template: unknown kind "${this.kind}": use pod or container`);
    if (this.output === 'yaml') {
      this.out(text);
      return 0;
    }
    const { yamlLib } = await import('../yaml-lib.js');
    this.out(JSON.stringify((await yamlLib()).parse(text), null, 2));
    return 0;
  }
}
