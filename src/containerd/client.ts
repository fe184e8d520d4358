// A client for containerd's own gRPC API (content, images, leases, namespaces), which containerd
// serves on the same socket as the CRI. Loaded only by load/save/tag and pull progress.
// Every call carries the namespace header; calls made for a lease carry the lease header too.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/light.js';
import { parseEndpoint, type ParsedEndpoint } from '../cri/endpoint.js';
import { CriError, GrpcCode, toCriError } from '../cri/errors.js';
import { redact } from '../cri/redact.js';
import { TO_OBJECT } from '../cri/schema.js';
import descriptor from './generated/descriptor.json' with { type: 'json' };
import type {
  Content_ContentRpcs,
  Content_WriteContentRequest,
  Content_WriteContentResponse,
  ContainerdServiceName,
  Images_ImagesRpcs,
  Leases_LeasesRpcs,
  Namespaces_NamespacesRpcs,
} from './generated/types.js';
import type { DeepPartial } from '../cri/client.js';

export type * from './generated/types.js';

/** The namespace the CRI plugin keeps its images and containers in. */
export const CRI_NAMESPACE = 'k8s.io';

type Spec = { name: string; request: unknown; response: unknown; kind: 'unary' | 'server' | 'bidi' };

export interface CallOptions {
  /** Deadline in milliseconds; 0 (the default for streams) waits forever. */
  timeoutMs?: number;
  /** Attach the call to this lease (containerd-lease header). */
  lease?: string;
  signal?: AbortSignal;
}

/** Unary and server-streaming rpcs of a service; bidi rpcs are opened with `bidi()`. */
export type ContainerdService<R extends { [K in keyof R]: Spec }> = {
  [K in keyof R as R[K]['kind'] extends 'bidi' ? never : K]: R[K]['kind'] extends 'server'
    ? (request: DeepPartial<R[K]['request']>, options?: CallOptions) => AsyncIterable<R[K]['response']>
    : (request: DeepPartial<R[K]['request']>, options?: CallOptions) => Promise<R[K]['response']>;
};

let root: protobuf.Root | undefined;
function schema(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** What --debug shows of a message: bytes as their length (blobs are not for a terminal). */
function forDebug(value: unknown): unknown {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.map(forDebug);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forDebug(v)]));
  return value;
}

export interface ContainerdOptions {
  namespace?: string;
  /** Default deadline of unary calls in milliseconds (0: none). */
  timeoutMs?: number;
  debug?: (line: string) => void;
}

export class ContainerdClient {
  readonly endpoint: ParsedEndpoint;
  readonly namespace: string;
  readonly content: ContainerdService<Content_ContentRpcs>;
  readonly images: ContainerdService<Images_ImagesRpcs>;
  readonly leases: ContainerdService<Leases_LeasesRpcs>;
  readonly namespaces: ContainerdService<Namespaces_NamespacesRpcs>;
  private readonly grpcClient: grpc.Client;
  private readonly timeoutMs: number;
  private readonly debug?: (line: string) => void;

  constructor(endpoint: string, options: ContainerdOptions = {}) {
    this.endpoint = parseEndpoint(endpoint);
    this.namespace = options.namespace ?? CRI_NAMESPACE;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.debug = options.debug;
    this.grpcClient = new grpc.Client(this.endpoint.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      'grpc.enable_retries': 0,
    });
    this.content = this.service('containerd.services.content.v1.Content');
    this.images = this.service('containerd.services.images.v1.Images');
    this.leases = this.service('containerd.services.leases.v1.Leases');
    this.namespaces = this.service('containerd.services.namespaces.v1.Namespaces');
  }

  close(): void {
    this.grpcClient.close();
  }

  /** Opens content Write: one ingest, request/response in lock step (see ContentWriter). */
  openWrite(options: CallOptions = {}): ContentWriter {
    const method = schema().lookupService('containerd.services.content.v1.Content').methods.Write;
    const { serialize, deserialize } = this.codecs(method);
    const label = 'Content.Write';
    const call = this.grpcClient.makeBidiStreamRequest(
      `/containerd.services.content.v1.Content/Write`,
      serialize,
      deserialize,
      this.metadata(options),
      {},
    );
    options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
    return new ContentWriter(
      call as grpc.ClientDuplexStream<object, Content_WriteContentResponse>,
      (dir, body) => this.log(dir, label, body),
      (err) => this.toError(err, label, 0),
    );
  }

  private service<R extends { [K in keyof R]: Spec }>(name: ContainerdServiceName): ContainerdService<R> {
    const svc = schema().lookupService(name);
    const out: Record<string, unknown> = {};
    for (const method of svc.methodsArray) {
      if (method.requestStream) continue;
      const key = method.name[0].toLowerCase() + method.name.slice(1);
      const label = `${svc.name}.${method.name}`;
      const path = `/${name}/${method.name}`;
      out[key] = method.responseStream ? this.serverStream(method, path, label) : this.unary(method, path, label);
    }
    return out as ContainerdService<R>;
  }

  private codecs(method: protobuf.Method) {
    const req = method.resolvedRequestType!;
    const res = method.resolvedResponseType!;
    return {
      serialize: (value: object): Buffer => toBuffer(req.encode(req.fromObject(value)).finish()),
      deserialize: (bytes: Buffer): unknown => res.toObject(res.decode(bytes), TO_OBJECT),
    };
  }

  private metadata(options: CallOptions): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('containerd-namespace', this.namespace);
    if (options.lease) md.set('containerd-lease', options.lease);
    return md;
  }

  private log(direction: string, rpc: string, body: unknown): void {
    this.debug?.(`${direction} ${rpc}: ${JSON.stringify(redact(forDebug(body)))}`);
  }

  private toError(err: grpc.ServiceError, rpc: string, timeoutMs: number): CriError {
    const e = toCriError(err, this.endpoint.endpoint, rpc, timeoutMs);
    this.log('error', rpc, e.message);
    return e;
  }

  private unary(method: protobuf.Method, path: string, label: string) {
    const { serialize, deserialize } = this.codecs(method);
    return (request: object, options: CallOptions = {}): Promise<unknown> => {
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      this.log('request', label, request);
      return new Promise((resolve, reject) => {
        const call = this.grpcClient.makeUnaryRequest(
          path,
          serialize,
          deserialize,
          request,
          this.metadata(options),
          timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {},
          (err, response) => {
            options.signal?.removeEventListener('abort', onAbort);
            if (err) return reject(this.toError(err, label, timeoutMs));
            this.log('response', label, response);
            resolve(response);
          },
        );
        const onAbort = () => call.cancel();
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    };
  }

  private serverStream(method: protobuf.Method, path: string, label: string) {
    const { serialize, deserialize } = this.codecs(method);
    const client = this;
    return (request: object, options: CallOptions = {}): AsyncIterable<unknown> => ({
      async *[Symbol.asyncIterator]() {
        client.log('request', label, request);
        const stream = client.grpcClient.makeServerStreamRequest(
          path,
          serialize,
          deserialize,
          request,
          client.metadata(options),
          {},
        );
        const onAbort = () => stream.cancel();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const message of stream) {
            client.log('response', label, message);
            yield message;
          }
        } catch (err) {
          throw client.toError(err as grpc.ServiceError, label, 0);
        } finally {
          options.signal?.removeEventListener('abort', onAbort);
          stream.cancel();
        }
      },
    });
  }
}

/**
 * One content ingest over the Write stream. containerd answers every request with one response,
 * in order; `send` resolves with that response, so a caller can keep a few writes in flight and
 * await the oldest (backpressure without a round trip per chunk).
 */
export class ContentWriter {
  private readonly waiting: { resolve(r: Content_WriteContentResponse): void; reject(e: Error): void }[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly call: grpc.ClientDuplexStream<object, Content_WriteContentResponse>,
    private readonly log: (direction: string, body: unknown) => void,
    toError: (err: grpc.ServiceError) => CriError,
  ) {
    call.on('data', (r: Content_WriteContentResponse) => {
      this.log('response', r);
      this.waiting.shift()?.resolve(r);
    });
    call.on('error', (err: grpc.ServiceError) => this.fail(toError(err)));
    call.on('end', () => this.fail(new Error('Content.Write: containerd ended the stream early')));
  }

  send(request: DeepPartial<Content_WriteContentRequest>): Promise<Content_WriteContentResponse> {
    if (this.failure) return Promise.reject(this.failure);
    this.log('request', request);
    const p = new Promise<Content_WriteContentResponse>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.call.write(request);
    return p;
  }

  /** Ends the stream (after a commit, or to give up: containerd keeps the ingest until Abort). */
  close(): void {
    this.call.end();
    this.call.cancel();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}

/** Whether an error is containerd's "already exists" (a blob or image that is there already). */
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof CriError && err.code === GrpcCode.ALREADY_EXISTS;
export const isNotFound = (err: unknown): boolean => err instanceof CriError && err.code === GrpcCode.NOT_FOUND;
