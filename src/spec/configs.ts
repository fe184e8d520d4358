// The two config files crictl takes: PodSandboxConfig (runp, create, run) and ContainerConfig.
import { messageType } from '../cri/schema.js';
import type { ContainerConfig, DeepPartial, PodSandboxConfig } from '../cri/client.js';
import { checkMessage, parseSpecText, readSpecFile, snakeToCamel, SpecError } from './load.js';

const POD = 'runtime.v1.PodSandboxConfig';
const CONTAINER = 'runtime.v1.ContainerConfig';

export async function loadPodConfig(file: string): Promise<DeepPartial<PodSandboxConfig>> {
  const config = (await loadAs(file, POD, CONTAINER)) as DeepPartial<PodSandboxConfig>;
  if (!config.metadata) throw new SpecError(`${file}: metadata: required (with at least metadata.name)`);
  if (!config.metadata.name) throw new SpecError(`${file}: metadata.name: required`);
  return config;
}

export async function loadContainerConfig(file: string): Promise<DeepPartial<ContainerConfig>> {
  const config = (await loadAs(file, CONTAINER, POD)) as DeepPartial<ContainerConfig>;
  if (!config.metadata) throw new SpecError(`${file}: metadata: required (with at least metadata.name)`);
  if (!config.metadata.name) throw new SpecError(`${file}: metadata.name: required`);
  if (!config.image?.image) throw new SpecError(`${file}: image.image: required`);
  return config;
}

const kind = (typeName: string) => (typeName === POD ? 'a pod config' : 'a container config');

/**
 * Loads `file` as `typeName`. When that fails and every top-level key is a field of `other`
 * (the pod and container files swapped, an easy slip with `create POD CONTAINER-CONFIG
 * POD-CONFIG`), the error says so.
 */
async function loadAs(file: string, typeName: string, other: string): Promise<Record<string, unknown>> {
  const parsed = await parseSpecText(readSpecFile(file), file);
  try {
    return checkMessage(typeName, parsed, file);
  } catch (err) {
    if (!(err instanceof SpecError) || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw err;
    const has = (type: string, key: string) => Object.hasOwn(messageType(type).fields, snakeToCamel(key));
    const keys = Object.keys(parsed);
    const foreign = keys.filter((k) => !has(typeName, k));
    if (foreign.length === 0 || !keys.every((k) => has(other, k))) throw err;
    throw new SpecError(
      `${file}: this looks like ${kind(other)} (it has ${foreign.join(', ')}), but ${kind(typeName)} is expected here`,
    );
  }
}
