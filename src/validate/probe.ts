// What the runtime offers, asked once before the checks run: each unmet need becomes the reason
// the checks that have it are skipped.
import { cgroupDriver, type Cri } from '../lib/index.js';
import type { Need, Probe, ValidateImages } from './types.js';

export const DEFAULT_TEST_IMAGE = 'docker.io/library/busybox:1.33.1';

export interface ProbeOptions {
  images: ValidateImages;
  runtimeHandler: string;
  /** Whether this process runs on the runtime's node (a unix socket: the same machine). */
  local: boolean;
}

export async function probeRuntime(cri: Cri, opts: ProbeOptions): Promise<Probe> {
  const version = await cri.runtime.version({});
  const status = await cri.runtime.status({ verbose: true });
  const handlers = status.runtimeHandlers.map((h) => h.name);
  const handler = status.runtimeHandlers.find((h) => h.name === opts.runtimeHandler);
  const unmet: Partial<Record<Need, string>> = {};

  if (!(await imagePresent(cri, opts.images.test)))
    unmet.testImage = `test image ${opts.images.test} is not on the node (load it with --images-from or name one with --test-image)`;
  if (!opts.images.pull) unmet.pullImage = 'no image to pull: give --registry HOST:PORT or --pull-image REF';
  else if (opts.images.pull === opts.images.test)
    unmet.pullImage = `the pull image ${opts.images.pull} is the test image, which other checks use`;
  if (!opts.local) unmet.hostFiles = 'the runtime is not on this machine (host paths are needed)';

  return {
    runtimeName: version.runtimeName,
    runtimeVersion: version.runtimeVersion,
    handlers,
    userNamespaces: handler?.features?.userNamespaces ?? false,
    cgroupDriver: await cgroupDriver(cri.runtime, status),
    unmet,
    images: opts.images,
    runtimeHandler: opts.runtimeHandler,
  };
}

async function imagePresent(cri: Cri, image: string): Promise<boolean> {
  const { image: found } = await cri.image.imageStatus({ image: { image } });
  return Boolean(found);
}

/** Fails the run up front when the runtime handler asked for is not one the runtime reports. */
export function handlerProblem(probe: Probe): string | undefined {
  const h = probe.runtimeHandler;
  if (h === '' || probe.handlers.length === 0 || probe.handlers.includes(h)) return undefined;
  return `runtime handler "${h}" is not one the runtime reports (${probe.handlers.join(', ')})`;
}
