// Changing running containers: update (cgroup resources) and checkpoint.
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CriCommand } from './cri-command.js';
import { resolveContainerIds } from './resolve.js';

/** "512m", "1g", "1048576" → bytes (as crictl's --memory accepts). */
export function parseMemory(raw: string): string {
  const m = /^(\d+)([kmgt]?)i?b?$/i.exec(raw.trim());
  if (!m) throw new UsageError(`--memory "${raw}": expected bytes or a size like 512m, 1g`);
  const scale = { '': 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n }[
    m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'
  ];
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
    details:
      'Changes the cgroup resources of running containers (UpdateContainerResources). Only the given limits are sent. IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).',
    examples: [
      ['Limit memory', 'crictl update --memory 256m 3a1b'],
      ['Half a CPU', 'crictl update --cpu-period 100000 --cpu-quota 50000 3a1b'],
      ['Make the OOM killer pick it first', 'crictl update --oom-score-adj 1000 3a1b'],
    ],
  });

  cpuCount = Option.String('--cpu-count', { description: '(Windows only) Number of CPUs available to the container' });
  cpuMaximum = Option.String('--cpu-maximum', {
    description: '(Windows only) Portion of CPU cycles specified as a percentage * 100',
  });
  cpuPeriod = Option.String('--cpu-period', {
    description: 'CPU CFS period to be used for hardcapping (in usecs). 0 to use system default',
  });
  cpuQuota = Option.String('--cpu-quota', {
    description: 'CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period',
  });
  cpuShare = Option.String('--cpu-share', { description: 'CPU shares (relative weight vs. other containers)' });
  cpusetCpus = Option.String('--cpuset-cpus', { description: 'CPU(s) to use' });
  cpusetMems = Option.String('--cpuset-mems', { description: 'Memory node(s) to use' });
  memory = Option.String('--memory', { description: 'Memory limit (in bytes, or with a unit: 512m, 1g)' });
  oomScoreAdj = Option.String('--oom-score-adj', { description: 'OOM Killer score to use (-1000 to 1000)' });
  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    if (this.ids.length === 0)
      throw new UsageError('ID cannot be empty: crictl update [FLAGS] CONTAINER-ID [CONTAINER-ID...]');
    const linux = {
      cpuPeriod: int(this.cpuPeriod, '--cpu-period'),
      cpuQuota: int(this.cpuQuota, '--cpu-quota'),
      cpuShares: int(this.cpuShare, '--cpu-share'),
      cpusetCpus: this.cpusetCpus,
      cpusetMems: this.cpusetMems,
      memoryLimitInBytes: this.memory === undefined ? undefined : parseMemory(this.memory),
      oomScoreAdj: int(this.oomScoreAdj, '--oom-score-adj'),
    };
    if (linux.oomScoreAdj !== undefined && Math.abs(Number(linux.oomScoreAdj)) > 1000)
      throw new UsageError(`--oom-score-adj "${this.oomScoreAdj}": expected a number from -1000 to 1000`);
    // The Windows-only limits go in the request's windows resources, with the shares and
    // memory limit that also apply there; a Linux runtime ignores them.
    const cpuCount = int(this.cpuCount, '--cpu-count');
    const cpuMaximum = int(this.cpuMaximum, '--cpu-maximum');
    const windows =
      cpuCount === undefined && cpuMaximum === undefined
        ? undefined
        : { cpuCount, cpuMaximum, cpuShares: linux.cpuShares, memoryLimitInBytes: linux.memoryLimitInBytes };
    const hasLinux = Object.values(linux).some((v) => v !== undefined);
    if (!windows && !hasLinux) {
      throw new UsageError(
        'update: nothing to change; give at least one of --cpu-period --cpu-quota --cpu-share --cpuset-cpus --cpuset-mems --memory --oom-score-adj (Windows: --cpu-count --cpu-maximum)',
      );
    }
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    return this.bulk(
      ids,
      async (containerId) => {
        await runtime.updateContainerResources({ containerId, linux: hasLinux ? linux : undefined, windows });
        return containerId;
      },
      (id) => `updating container ${id}`,
    );
  }
}

export class CheckpointCommand extends CriCommand {
  static override paths = [['checkpoint']];
  static override usage = Command.Usage({
    description: 'Checkpoint one or more running containers',
    details:
      'Asks the runtime to checkpoint each container into an archive (CheckpointContainer). Runtimes without checkpoint support answer UNIMPLEMENTED. IDs are all resolved first: if one is not found, nothing is done and it is named (crictl would act on the IDs before it).',
    examples: [['Checkpoint to an archive', 'crictl checkpoint --export /var/lib/checkpoints/web.tar 3a1b']],
  });

  exportPath = Option.String('-e,--export', '', {
    description: 'Specify the name of the tar archive used to export the checkpoint image',
  });
  ids = Option.Rest({ name: 'CONTAINER-ID' });

  async execute(): Promise<number> {
    if (this.ids.length === 0) throw new UsageError('ID cannot be empty: crictl checkpoint --export FILE CONTAINER-ID');
    if (!this.exportPath)
      throw new UsageError('checkpoint: give the destination with --export=/path/to/checkpoint.tar');
    const runtime = await this.runtime();
    const ids = await resolveContainerIds(runtime, this.ids);
    const timeoutMs = await this.callTimeout();
    return this.bulk(
      ids,
      async (containerId) => {
        await runtime.checkpointContainer({ containerId, location: this.exportPath }, { timeoutMs });
        return containerId;
      },
      (id) => `checkpointing container ${id}`,
      1,
    );
  }
}
