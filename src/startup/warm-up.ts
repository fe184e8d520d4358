// The code cache's warm-up (src/startup/loader.ts runs it in a background process, once per
// machine, node and set of V8 flags). It evaluates the modules commands need, builds the CRI
// schema's protobufjs types, and runs common commands against canned replies, so that V8 compiles
// their code and protobufjs generates their codecs; V8 then saves the compiled code, which later
// runs load instead of compiling the bundle again.
// Streaming (exec, attach, port-forward) stays out: it is long-running, so its compile time matters less.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import '../cli/bulk.js';
import '../cli/help.js';
import '../config/settings.js';
import '../cri/client.js';
import '../logs/reader.js';
import '../output/protojson.js';
import '../output/render.js';
import '../spec/configs.js';
import { parseConfigText } from '../config/config.js';
import { rpcCodecs, type CriClients } from '../cri/client.js';
import { schemaRoot, serviceMethods, type protobuf } from '../cri/schema.js';
import { main } from '../main.js';

/** A reply as the server would send it: one element in each list and map, so that tables and
 *  converters see a row. */
function cannedReply(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  if (depth > 5) return value;
  for (const field of type.fieldsArray) {
    const fieldType = field.resolve().resolvedType;
    if (field.map)
      value[field.name] = fieldType && 'fieldsArray' in fieldType ? {} : { key: field.type === 'string' ? 'value' : 1 };
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
  for (const method of serviceMethods(name)) {
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

export async function warmUp(): Promise<void> {
  // Nothing here reads or connects to a fixed path: a fresh directory holds what it names.
  const dir = mkdtempSync(join(tmpdir(), 'crictl-ts-warm-up-'));
  try {
    // Most nodes have an /etc/crictl.yaml, read on every run (this also loads the yaml library).
    await parseConfigText(
      'runtime-endpoint: unix:///run/containerd/containerd.sock\nimage-endpoint: unix:///run/containerd/containerd.sock\ntimeout: 2\ndebug: false\npull-image-on-create: false\n',
      'crictl.yaml',
    );
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;
    const clients = {
      runtime: cannedService('RuntimeService'),
      image: cannedService('ImageService'),
      close() {},
    } as unknown as CriClients;
    const missing = `unix://${join(dir, 'missing.sock')}`;
    const io = {
      stdout: sink,
      stderr: sink,
      env: { CRI_CONFIG_FILE: join(dir, 'crictl.yaml'), CONTAINER_RUNTIME_ENDPOINT: missing },
      connect: async () => clients,
    };
    const runs = [
      ['version'],
      ['version', '-o', 'json'],
      ['info'],
      ['runtime-config'],
      ['imagefsinfo'],
      ['ps'],
      ['ps', '-a', '-o', 'json'],
      ['ps', '-o', 'yaml'],
      ['ps', '-q'],
      ['inspect', 'warm-up'],
      ['pods'],
      ['pods', '-o', 'json'],
      ['inspectp', 'warm-up'],
      ['images'],
      ['images', '-o', 'json'],
      ['inspecti', 'warm-up'],
      ['stats'],
      ['statsp'],
      ['--help'],
      ['ps', '--help'],
      ['no-such-command'],
    ];
    for (const argv of runs) await main(argv, io);
    // And one real call, to a socket that does not exist: it compiles grpc-js's channel,
    // resolver, balancer and call code on the way.
    await main(['-r', missing, 'version'], { ...io, connect: undefined });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
