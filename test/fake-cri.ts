// A fake CRI server for faults a real runtime cannot be made to show on demand: slowness,
// dying mid-stream, malformed or surprising replies. Real behaviour is tested against containerd.
import * as grpc from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { messageType, serviceType } from '../src/cri/schema.js';
import { tempDir } from './tmp.js';

export type Handler = (request: Record<string, unknown>) => Promise<unknown> | unknown;

export interface FakeCri {
  endpoint: string;
  socket: string;
  /** Set or replace what an rpc does; `raw` handlers return bytes sent as the reply as is. */
  on(rpc: string, handler: Handler): void;
  onRaw(rpc: string, handler: () => Buffer): void;
  /** Streams: write each message, then end (or hang if `hang`). */
  onStream(rpc: string, messages: unknown[], opts?: { hang?: boolean; failAfter?: grpc.status }): void;
  /** A stream whose messages depend on the request. */
  onStreamRequest(rpc: string, messages: (request: Record<string, unknown>) => unknown[]): void;
  calls: string[];
  close(): Promise<void>;
}

const TO_OBJECT = { longs: String, enums: String, defaults: true, arrays: true, objects: true };

/** Starts the fake on a fresh socket, or on `socket` when given (to appear where one was missing). */
export async function startFakeCri(socket = join(tempDir('fake-cri-'), 'cri.sock')): Promise<FakeCri> {
  const handlers = new Map<string, Handler>();
  const raw = new Map<string, () => Buffer>();
  const streams = new Map<
    string,
    { messages: unknown[] | ((request: Record<string, unknown>) => unknown[]); hang?: boolean; failAfter?: grpc.status }
  >();
  const calls: string[] = [];
  const server = new grpc.Server();
  for (const service of ['RuntimeService', 'ImageService'] as const) {
    // Built up method by method; grpc-js types the finished definition as read-only.
    const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const method of serviceType(service).methodsArray) {
      const req = messageType(`runtime.v1.${method.requestType}`);
      const res = messageType(`runtime.v1.${method.responseType}`);
      const name = method.name;
      definition[name] = {
        path: `/runtime.v1.${service}/${name}`,
        requestStream: false,
        responseStream: Boolean(method.responseStream),
        requestSerialize: (v: object) => Buffer.from(req.encode(req.fromObject(v)).finish()),
        requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), TO_OBJECT),
        // A Buffer reply is sent untouched, so tests can send bytes the schema would never produce.
        responseSerialize: (v: object) =>
          Buffer.isBuffer(v) ? v : Buffer.from(res.encode(res.fromObject(v)).finish()),
        responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), TO_OBJECT),
      };
      impl[name] = method.responseStream
        ? (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
            calls.push(name);
            const s = streams.get(name);
            if (!s) return void call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: `${name} not faked` });
            for (const m of typeof s.messages === 'function' ? s.messages(call.request) : s.messages) call.write(m);
            if (s.failAfter !== undefined) call.emit('error', { code: s.failAfter, details: 'runtime went away' });
            else if (!s.hang) call.end();
          }
        : async (
            call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => {
            calls.push(name);
            try {
              const r = raw.get(name);
              if (r) return callback(null, r());
              const h = handlers.get(name);
              if (!h) return callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} not faked` });
              callback(null, await h(call.request));
            } catch (err) {
              const e = err as Error & { code?: number };
              callback({ code: e.code ?? grpc.status.UNKNOWN, details: e.message });
            }
          };
    }
    server.addService(definition, impl);
  }
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return {
    endpoint: `unix://${socket}`,
    socket,
    calls,
    on: (rpc, h) => handlers.set(rpc, h),
    onRaw: (rpc, h) => raw.set(rpc, h),
    onStream: (rpc, messages, opts = {}) => streams.set(rpc, { messages, ...opts }),
    onStreamRequest: (rpc, messages) => streams.set(rpc, { messages }),
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** A hex id made from a number, 64 digits as runtimes make them. */
const hexId = (prefix: string, i: number): string => createHash('sha256').update(`${prefix}-${i}`).digest('hex');

/**
 * `n` containers as a kubelet node's runtime lists them (the kubelet's labels and annotations,
 * image IDs), spread over `pods` pods; container i was created i seconds after the first, and
 * every seventh has exited.
 */
export function fakeContainers(n: number, pods = Math.max(1, Math.ceil(n / 10))): Record<string, unknown>[] {
  const base = 1_700_000_000_000_000_000n;
  const image = `sha256:${hexId('image', 0)}`;
  return Array.from({ length: n }, (_, i) => {
    const pod = i % pods;
    return {
      id: hexId('container', i),
      podSandboxId: hexId('pod', pod),
      metadata: { name: `c-${i}`, attempt: i % 3 },
      image: { image, annotations: {} },
      imageRef: image,
      state: i % 7 === 6 ? 'CONTAINER_EXITED' : 'CONTAINER_RUNNING',
      createdAt: String(base + BigInt(i) * 1_000_000_000n),
      labels: {
        'io.kubernetes.container.name': `c-${i}`,
        'io.kubernetes.pod.name': `pod-${pod}`,
        'io.kubernetes.pod.namespace': `ns-${pod % 5}`,
        'io.kubernetes.pod.uid': hexId('uid', pod).slice(0, 32),
      },
      annotations: {
        'io.kubernetes.container.hash': (i * 2654435761).toString(16).slice(-8),
        'io.kubernetes.container.restartCount': String(i % 3),
        'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
        'io.kubernetes.container.terminationMessagePolicy': 'File',
        'io.kubernetes.pod.terminationGracePeriod': '30',
      },
    };
  });
}

/** A reply encoded ahead (handlers may return bytes). */
export function encodeMessage(typeName: string, value: object): Buffer {
  const type = messageType(typeName);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

/** Whether a container passes a ContainerFilter as the runtime applies it (ID, pod, state, labels). */
function matchesFilter(c: Record<string, unknown>, filter: Record<string, unknown> | null | undefined): boolean {
  if (!filter) return true;
  const state = (filter.state as { state?: string } | null)?.state;
  const labels = (filter.labelSelector ?? {}) as Record<string, string>;
  const own = c.labels as Record<string, string>;
  return (
    (!filter.id || c.id === filter.id) &&
    (!filter.podSandboxId || c.podSandboxId === filter.podSandboxId) &&
    (!state || c.state === state) &&
    Object.entries(labels).every(([k, v]) => own[k] === v)
  );
}

/**
 * Serves `containers` as a runtime would, filtered as asked: ListContainers in one message (which
 * fails past the client's 16 MiB limit) and, with `stream`, StreamContainers in pages of `page`.
 * The unfiltered replies are encoded once (50 000 containers take seconds to encode).
 */
export function serveContainers(
  fake: FakeCri,
  containers: Record<string, unknown>[],
  opts: { stream?: boolean; page?: number } = {},
): void {
  const { stream = true, page = 1000 } = opts;
  const paged = (list: Record<string, unknown>[]) => {
    const pages: Buffer[] = [];
    for (let i = 0; i < list.length; i += page)
      pages.push(encodeMessage('runtime.v1.StreamContainersResponse', { containers: list.slice(i, i + page) }));
    return pages;
  };
  const all = encodeMessage('runtime.v1.ListContainersResponse', { containers });
  const allPages = stream ? paged(containers) : [];
  fake.on('ListContainers', (request) => {
    const filter = request.filter as Record<string, unknown> | null;
    if (!filter) return all;
    return encodeMessage('runtime.v1.ListContainersResponse', {
      containers: containers.filter((c) => matchesFilter(c, filter)),
    });
  });
  if (stream)
    fake.onStreamRequest('StreamContainers', (request) => {
      const filter = request.filter as Record<string, unknown> | null;
      return filter ? paged(containers.filter((c) => matchesFilter(c, filter))) : allPages;
    });
}
