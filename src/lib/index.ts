// crictl-ts as a library: typed CRI v1 clients for Node.js.
//
//   import { connect } from 'crictl-ts';
//   const cri = connect('unix:///run/containerd/containerd.sock');
//   const { containers } = await cri.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
//   for await (const entry of cri.logs(containers[0].id, { tail: 10 })) console.log(entry.line.toString());
//   cri.close();
export {
  connect,
  SessionClosedError,
  type Cri,
  type StreamTransport,
  type StreamTls,
  type ExecOptions,
  type AttachOptions,
  type RemoteProcess,
  type PortForwardOptions,
  type ListenPortForwardOptions,
  type PortForwardListener,
  type ContainerEventKind,
  type ContainerEvent,
  type EventsOptions,
  type ExecSyncOptions,
  type ExecSyncResult,
  type LogEntry,
  type LogsOptions,
} from './streaming.js';
export {
  CriConnection,
  type CriClients,
  type ClientOptions,
  type CallOptions,
  type DeepPartial,
  type ResponseStream,
  type RuntimeServiceClient,
  type ImageServiceClient,
} from '../cri/client.js';
export type * from '../cri/generated/types.js';
export { CriError, GrpcCode } from '../cri/errors.js';
export { UsageError, CommandError } from '../errors.js';
export { StreamingError } from '../stream/upgrade.js';
export { RemoteCommandError } from '../stream/status.js';
export { parseEndpoint, DEFAULT_RUNTIME_ENDPOINTS, type ParsedEndpoint } from '../cri/endpoint.js';
export { loadConfig, resolveConfigPath, CONFIG_KEYS, type FileConfig, type LoadedConfig } from '../config/config.js';
export { resolveSettings, parseDuration, type Settings, type GlobalFlags } from '../config/settings.js';
export { messageToJson } from '../output/protojson.js';
export { VERSION } from '../version.js';
export { loadImages, type LoadImagesOptions, type LoadedImageRef } from './load-images.js';
export { cgroupDriver, type CgroupDriver } from '../spec/cgroup.js';
