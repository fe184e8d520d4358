// Changing running containers: update (cgroup resources) and checkpoint.
import { Command, Option } from 'clipanion';
import { UsageError } from '../cri/errors.js';
import { CriCommand } from './cri-command.js';
import { resolveContainerIds } from './resolve.js';

/** "512m", "1g", "1048576" → bytes (as crictl's --memory accepts). */
export function parseMemory(raw: string): string {
  const m = /^(\d+)([kmgt]?)i?b?$/i.exec(raw.trim());
  if (!m) throw new UsageError(`--memory "${raw}": expected bytes or a size like 512m, 1g`);
  const scale = { '': 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return (BigInt(m[1]) * scale).toString();
}

function int(raw: string | undefined, flag: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`${flag} "${raw}": expected a whole number`);
  return raw;
}

export class UpdateCommand extends CriCommand {
  static override paths = [['update']];
  static override usage = Command.Usage({
    description: 'Update one or more running containers',
    details: 'Changes the cgroup resources of running containers (UpdateContainerResources). Only the given limits are sent.',
    examples: [
      ['Limit memory', 'crictl update --memory 256m 3a1b'],
      ['Half a CPU', 'crictl update --cpu-period 100000 --cpu-quota 50000 3a1b'],
    ],
  });

  cpuPeriod = Option.String('--cpu-period', { description: 'CPU CFS period to be used for hardcapping (in usecs). 0 to use system default' });
  cpuQuota = Option.String('--cpu-quota', { description: 'CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period' });
  cpuShare = Option.String('--cpu-share', { description: 'CPU shares (relative weight vs. other containers)' });
  cpusetCpus = Option.String('--cpuset-cpus', { description: 'CPU(s) to use' });
  cpusetMems = Option.String('--cpuset-mems', { description: 'Memory node(s) to use' });
  memory = Option.String('--memory', { description: 'Memory limit (in bytes, or with a unit: 512m, 1g)' });
  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl update [FLAGS] CONTAINER-ID [CONTAINER-ID...]');
    const linux = {
      cpuPeriod: int(this.cpuPeriod, '--cpu-period'),
      cpuQuota: int(this.cpuQuota, '--cpu-quota'),
      cpuShares: int(this.cpuShare, '--cpu-share'),
      cpusetCpus: this.cpusetCpus,
      cpusetMems: this.cpusetMems,
      memoryLimitInBytes: this.memory === undefined ? undefined : parseMemory(this.memory),
    };
    if (Object.values(linux).every((v) => v === undefined)) throw new UsageError('update: nothing to change; give at least one of --cpu-period --cpu-quota --cpu-share --cpuset-cpus --cpuset-mems --memory');
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    return this.bulk(ids, async (containerId) => {
      await runtime.updateContainerResources({ containerId, linux });
      return containerId;
    }, (id) => `updating container ${id}`);
  }
}

export class CheckpointCommand extends CriCommand {
  static override paths = [['checkpoint']];
  static override usage = Command.Usage({
    description: 'Checkpoint one or more running containers',
    details: 'Asks the runtime to checkpoint each container into an archive (CheckpointContainer). Runtimes without checkpoint support answer UNIMPLEMENTED.',
    examples: [['Checkpoint to an archive', 'crictl checkpoint --export /var/lib/checkpoints/web.tar 3a1b']],
  });

  exportPath = Option.String('-e,--export', '', { description: 'Specify the name of the tar archive used to export the checkpoint image' });
  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl checkpoint [--export FILE] CONTAINER-ID');
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    const timeoutMs = await this.callTimeout();
    return this.bulk(ids, async (containerId) => {
      await runtime.checkpointContainer({ containerId, location: this.exportPath }, { timeoutMs });
      return containerId;
    }, (id) => `checkpointing container ${id}`, 1);
  }
}
