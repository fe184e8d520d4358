// The two config files crictl takes: PodSandboxConfig (runp, create, run) and ContainerConfig.
import type { ContainerConfig, DeepPartial, PodSandboxConfig } from '../cri/client.js';
import { loadSpec, SpecError } from './load.js';

export async function loadPodConfig(file: string): Promise<DeepPartial<PodSandboxConfig>> {
  const config = (await loadSpec(file, 'runtime.v1.PodSandboxConfig')) as DeepPartial<PodSandboxConfig>;
  if (!config.metadata) throw new SpecError(`${file}: metadata: required (with at least metadata.name)`);
  if (!config.metadata.name) throw new SpecError(`${file}: metadata.name: required`);
  return config;
}

export async function loadContainerConfig(file: string): Promise<DeepPartial<ContainerConfig>> {
  const config = (await loadSpec(file, 'runtime.v1.ContainerConfig')) as DeepPartial<ContainerConfig>;
  if (!config.metadata) throw new SpecError(`${file}: metadata: required (with at least metadata.name)`);
  if (!config.metadata.name) throw new SpecError(`${file}: metadata.name: required`);
  if (!config.image?.image) throw new SpecError(`${file}: image.image: required`);
  return config;
}
