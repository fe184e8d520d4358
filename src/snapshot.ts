// Entry of the V8 startup snapshot that dist/crictl starts from (built by scripts/build.mjs).
// This file runs once, at build time. It evaluates the modules commands need, builds the CRI
// schema's protobufjs types, and runs common commands against canned replies, so that V8
// compiles their code and protobufjs generates their codecs; the heap, bytecode included, is saved.
// A run then starts from that heap: no module loading, no schema set-up, little compiling.
//
// Nothing evaluated here may keep the build machine's state: no environment or terminal read
// into module variables, no sockets, files or timers left open.
// Streaming (exec, attach, port-forward) stays out: ws reads node:http when it loads, and http's
// native parser cannot be snapshotted, so those modules are evaluated on first use instead.
import { KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import { startupSnapshot } from 'node:v8';
import './cli/bulk.js';
import './cli/help.js';
import './config/settings.js';
import './cri/client.js';
import './logs/reader.js';
import './output/protojson.js';
import './output/render.js';
import './spec/configs.js';
import { parseConfigText } from './config/config.js';
import { rpcCodecs, type CriClients } from './cri/client.js';
import { schemaRoot, serviceType, type protobuf } from './cri/schema.js';
import { main } from './main.js';
import { startCli } from './start.js';

/** A reply as the server would send it: one element in each list and map, so that tables and
 *  converters see a row. */
function cannedReply(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  if (depth > 5) return value;
  for (const field of type.fieldsArray) {
    const fieldType = field.resolve().resolvedType;
    if (field.map) value[field.name] = fieldType && 'fieldsArray' in fieldType ? {} : { key: field.type === 'string' ? 'value' : 1 };
    else if (fieldType && 'fieldsArray' in fieldType) {
      const nested = cannedReply(fieldType as protobuf.Type, depth + 1);
      value[field.name] = field.repeated ? [nested] : nested;
    } else if (field.type === 'string') value[field.name] = field.repeated ? ['warm-up'] : 'warm-up';
  }
  return value;
}

/** A service whose rpcs encode the request and decode a canned reply with the client's own
 *  codecs, as a real call would. */
function cannedService(name: 'RuntimeService' | 'ImageService'): Record<string, unknown> {
  const client: Record<string, unknown> = {};
  for (const method of serviceType(name).methodsArray) {
    const key = method.name[0].toLowerCase() + method.name.slice(1);
    const { serialize, deserialize } = rpcCodecs(method);
    const replyType = schemaRoot().lookupType(`runtime.v1.${method.responseType}`);
    const reply = Buffer.from(replyType.encode(replyType.fromObject(cannedReply(replyType))).finish());
    client[key] = method.responseStream
      ? () => Object.assign((async function* () {})(), { cancel() {} })
      : async (request: object = {}) => {
          serialize(request);
          return deserialize(reply);
        };
  }
  return client;
}

async function warmUp(): Promise<void> {
  // tls (which http2 loads at the first call) cannot be in the snapshot, but crypto, most of its
  // weight, can; a bare import would be dropped by the bundler, so use it.
  if (typeof KeyObject !== 'function') throw new Error('node:crypto did not load');
  // Most nodes have an /etc/crictl.yaml, read on every run (this also loads the yaml library).
  await parseConfigText('runtime-endpoint: unix:///run/containerd/containerd.sock\nimage-endpoint: unix:///run/containerd/containerd.sock\ntimeout: 2\ndebug: false\npull-image-on-create: false\n', 'crictl.yaml');
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;
  const clients = { runtime: cannedService('RuntimeService'), image: cannedService('ImageService'), close() {} } as unknown as CriClients;
  const io = { stdout: sink, stderr: sink, env: { CRI_CONFIG_FILE: '/nonexistent/crictl.yaml', CONTAINER_RUNTIME_ENDPOINT: 'unix:///warm-up.sock' }, connect: async () => clients };
  const runs = [
    ['version'], ['version', '-o', 'json'], ['info'], ['runtime-config'], ['imagefsinfo'],
    ['ps'], ['ps', '-a', '-o', 'json'], ['ps', '-o', 'yaml'], ['ps', '-q'], ['inspect', 'warm-up'],
    ['pods'], ['pods', '-o', 'json'], ['inspectp', 'warm-up'], ['images'], ['images', '-o', 'json'], ['inspecti', 'warm-up'],
    ['stats'], ['statsp'], ['--help'], ['ps', '--help'], ['no-such-command'],
  ];
  for (const argv of runs) await main(argv, io);
  // And one real call, to a socket that does not exist: it fails before http2 is needed, and
  // compiles grpc-js's channel, resolver, balancer and call code on the way.
  await main(['-r', 'unix:///nonexistent/crictl-ts-warm-up.sock', 'version'], { ...io, connect: undefined });
}

void warmUp();

startupSnapshot.setDeserializeMainFunction(() => startCli(process.argv.slice(2)));
