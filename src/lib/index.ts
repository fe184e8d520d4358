// crictl-ts as a library: typed CRI v1 clients for Node.js.
//
//   import { connect } from 'crictl-ts';
//   const cri = connect('unix:///run/containerd/containerd.sock');
//   const { containers } = await cri.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
//   cri.close();
export {
  connect,
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
export { parseEndpoint, DEFAULT_RUNTIME_ENDPOINTS, type ParsedEndpoint } from '../cri/endpoint.js';
export { loadConfig, resolveConfigPath, CONFIG_KEYS, type FileConfig, type LoadedConfig } from '../config/config.js';
export { resolveSettings, parseDuration, type Settings, type GlobalFlags } from '../config/settings.js';
export { messageToJson } from '../output/protojson.js';
export { VERSION } from '../version.js';
