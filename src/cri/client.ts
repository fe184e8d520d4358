// Typed CRI v1 clients over @grpc/grpc-js. Every rpc of RuntimeService and ImageService is a
// method (lowerCamelCase) taking a plain request object and resolving to a plain response object.
import * as grpc from '@grpc/grpc-js';
import type { ImageServiceRpcs, RuntimeServiceRpcs } from './generated/types.js';
import { parseEndpoint, type ParsedEndpoint } from './endpoint.js';
import { CriError, isUnreachable, toCriError } from './errors.js';
import { redact } from './redact.js';
import { RESPONSE_DECODERS } from './generated/decode.js';
import { int64Input, requestType, serviceMethods, type protobuf, type RpcMethod } from './schema.js';
import { WireReader } from './wire.js';
import { sleep } from '../sleep.js';

export type * from './generated/types.js';

/** Every field optional, recursively: what a request may leave out. */
export type DeepPartial<T> = T extends Uint8Array
  ? T
  : T extends (infer U)[]
    ? DeepPartial<U>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> | null }
      : T;

export interface CallOptions {
  /** Per-call deadline in milliseconds; 0 waits forever. Defaults to the client's timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A server stream: iterate it for messages; `cancel()` ends it early. */
export interface ResponseStream<T> extends AsyncIterable<T> {
  cancel(): void;
}

type RpcSpec = { name: string; request: unknown; response: unknown; serverStream: boolean };

/** The method table of a service, derived from its rpc list. */
export type ServiceClient<R extends { [K in keyof R]: RpcSpec }> = {
  [K in keyof R]: R[K]['serverStream'] extends true
    ? (request?: DeepPartial<R[K]['request']>, options?: CallOptions) => ResponseStream<R[K]['response']>
    : (request?: DeepPartial<R[K]['request']>, options?: CallOptions) => Promise<R[K]['response']>;
};

export type RuntimeServiceClient = ServiceClient<RuntimeServiceRpcs>;
export type ImageServiceClient = ServiceClient<ImageServiceRpcs>;

export interface ClientOptions {
  /** Default per-call deadline in milliseconds (crictl's default is 2000); 0 means none. */
  timeoutMs?: number;
  /** Receives one line per request and response (secrets redacted). */
  debug?: (line: string) => void;
  /**
   * How often to try again, with backoff (0.5 s doubling to 5 s), while the runtime cannot be
   * reached (UNAVAILABLE: no socket yet, connection refused, "not ready"), until it has answered
   * once; as crictl's --max-retries. 0 (the default) never retries, a negative number forever.
   */
  maxRetries?: number;
}

const RETRY_FIRST_DELAY_MS = 500;
const RETRY_MAX_DELAY_MS = 5000;

/** crictl and the kubelet allow 16 MiB messages; grpc-js would stop at 4 MiB. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Message codecs of an rpc; types are looked up on first use, not when the client is built. */
export function rpcCodecs(method: RpcMethod) {
  let reqType: protobuf.Type | undefined;
  const decode = RESPONSE_DECODERS[method.responseType];
  return {
    /** The request with int64 fields as exact decimal strings; a bad one throws, naming the field. */
    prepare: (value: object): object => {
      reqType ??= requestType(method.requestType);
      return int64Input(reqType, value);
    },
    /** Encodes a prepared request. */
    serialize: (value: object): Buffer => {
      reqType ??= requestType(method.requestType);
      return toBuffer(reqType.encode(reqType.fromObject(value)).finish());
    },
    // Straight into plain objects (src/cri/wire.ts says why).
    deserialize: (bytes: Buffer): unknown => decode(new WireReader(bytes), bytes.length),
    /** A prepared request as the encoder sees it (int64 as exact decimals, enums by name): what --debug
     *  logs, so the log shows what is sent rather than what was asked for. */
    asSent: (value: object): unknown => {
      reqType ??= requestType(method.requestType);
      try {
        return reqType.toObject(reqType.fromObject(value), { longs: String, enums: String });
      } catch {
        return value; // serialize will report it
      }
    },
  };
}

/** One gRPC channel to one socket, shared by the services that live there. */
export class CriConnection {
  readonly endpoint: ParsedEndpoint;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  private grpcClient: grpc.Client;
  /** Channels replaced by a retry; closed with this connection (calls may still be on them). */
  private readonly retired: grpc.Client[] = [];
  /** Whether the runtime has answered on this connection: only then do failures stop being retried. */
  private reached = false;
  private readonly debug?: (line: string) => void;

  constructor(endpoint: string, options: ClientOptions = {}) {
    this.endpoint = parseEndpoint(endpoint);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.maxRetries = options.maxRetries ?? 0;
    this.debug = options.debug;
    this.grpcClient = this.newChannel();
  }

  private newChannel(): grpc.Client {
    return new grpc.Client(this.endpoint.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // Fail fast instead of retrying a missing socket until the deadline.
      'grpc.enable_retries': 0,
      // A channel of its own: a retry's fresh channel must dial now, not share the failed one's
      // connection and its reconnect backoff.
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  /** A typed client for one service on this connection. */
  service<R extends { [K in keyof R]: RpcSpec }>(name: 'RuntimeService' | 'ImageService'): ServiceClient<R> {
    const client: Record<string, unknown> = {};
    for (const method of serviceMethods(name)) {
      const key = method.name[0].toLowerCase() + method.name.slice(1);
      client[key] = method.responseStream ? this.streamMethod(name, method) : this.unaryMethod(name, method);
    }
    return client as ServiceClient<R>;
  }

  close(): void {
    this.grpcClient.close();
    for (const c of this.retired) c.close();
  }

  /**
   * Runs a unary call, trying again while the runtime cannot be reached and has never answered
   * (crictl's connect-with-retry). Each try gets a fresh channel, which dials at once instead of
   * waiting out grpc-js's own reconnect backoff, and its own deadline.
   */
  private async withRetries<T>(rpc: string, attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let delay = RETRY_FIRST_DELAY_MS;
    for (let tries = 0; ; tries++) {
      try {
        const result = await attempt();
        this.reached = true;
        return result;
      } catch (err) {
        const e = err as CriError;
        const limited = this.maxRetries >= 0;
        if (this.reached || !isUnreachable(e) || (limited && tries >= this.maxRetries) || signal?.aborted) {
          if (tries > 0 && e instanceof CriError)
            e.message += ` (gave up after ${tries} ${tries === 1 ? 'retry' : 'retries'}; see --max-retries)`;
          throw e;
        }
        this.debug?.(
          `${rpc}: connection attempt ${tries + 1}${limited ? `/${this.maxRetries}` : ''} failed: ${e.message}, retrying in ${delay}ms`,
        );
        await sleep(delay, signal);
        delay = Math.min(delay * 2, RETRY_MAX_DELAY_MS);
        if (!this.reached) {
          this.retired.push(this.grpcClient);
          this.grpcClient = this.newChannel();
        }
      }
    }
  }

  private callOptions(options: CallOptions | undefined): { grpc: grpc.CallOptions; timeoutMs: number } {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    return { grpc: timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {}, timeoutMs };
  }

  private log(direction: string, rpc: string, body: unknown): void {
    this.debug?.(`${direction} ${rpc}: ${JSON.stringify(redact(body))}`);
  }

  private unaryMethod(service: string, method: RpcMethod) {
    const path = `/runtime.v1.${service}/${method.name}`;
    const { prepare, serialize, deserialize, asSent } = rpcCodecs(method);
    return (asked: object = {}, options?: CallOptions): Promise<unknown> => {
      let request: object;
      try {
        request = prepare(asked ?? {});
      } catch (err) {
        return Promise.reject(err);
      }
      if (this.debug) this.log('request', method.name, asSent(request));
      return this.withRetries(
        method.name,
        () => this.unaryAttempt(path, serialize, deserialize, method.name, request, options),
        options?.signal,
      );
    };
  }

  private unaryAttempt(
    path: string,
    serialize: (value: object) => Buffer,
    deserialize: (bytes: Buffer) => unknown,
    rpc: string,
    request: object,
    options?: CallOptions,
  ): Promise<unknown> {
    const call = this.callOptions(options);
    return new Promise((resolve, reject) => {
      const unary = this.grpcClient.makeUnaryRequest(
        path,
        serialize,
        deserialize,
        request ?? {},
        new grpc.Metadata(),
        call.grpc,
        (err, response) => {
          options?.signal?.removeEventListener('abort', onAbort);
          if (err) {
            const criErr = toCriError(err, this.endpoint.endpoint, rpc, call.timeoutMs);
            this.log('error', rpc, criErr.message);
            reject(criErr);
          } else {
            this.log('response', rpc, response);
            resolve(response);
          }
        },
      );
      const onAbort = () => unary.cancel();
      options?.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private streamMethod(service: string, method: RpcMethod) {
    const path = `/runtime.v1.${service}/${method.name}`;
    const { prepare, serialize, deserialize, asSent } = rpcCodecs(method);
    const rpc = method.name;
    const endpoint = this.endpoint.endpoint;
    // The Stream* list rpcs end once the list is sent: they are calls like List*, with the client
    // timeout (for the whole list) and retries while the runtime cannot be reached.
    const isList = rpc.startsWith('Stream');
    return (asked: object = {}, options?: CallOptions): ResponseStream<unknown> => {
      const request = prepare(asked ?? {});
      if (this.debug) this.log('request', rpc, asSent(request));
      const open = () => {
        // Other streams (events) run until cancelled: no timeout unless asked for.
        const call = this.callOptions(isList ? options : { timeoutMs: 0, ...options });
        const stream = this.grpcClient.makeServerStreamRequest(
          path,
          serialize,
          deserialize,
          request,
          new grpc.Metadata(),
          call.grpc,
        );
        options?.signal?.addEventListener('abort', () => stream.cancel(), { once: true });
        return {
          stream,
          messages: stream[Symbol.asyncIterator]() as AsyncIterator<unknown>,
          timeoutMs: call.timeoutMs,
        };
      };
      const failure = (err: unknown, timeoutMs: number) =>
        toCriError(err as grpc.ServiceError, endpoint, rpc, timeoutMs);
      let current = isList ? undefined : open();
      let cancelled = false;
      const next = async (opened: ReturnType<typeof open>) => {
        try {
          return await opened.messages.next();
        } catch (err) {
          throw failure(err, opened.timeoutMs);
        }
      };
      return {
        cancel: () => {
          cancelled = true;
          current?.stream.cancel();
        },
        [Symbol.asyncIterator]: async function* (this: CriConnection) {
          try {
            let first: IteratorResult<unknown> | undefined;
            if (!current) {
              // Until the runtime has answered, try again as unary calls do (each try a fresh call).
              first = await this.withRetries(
                rpc,
                () => {
                  current = open();
                  if (cancelled) current.stream.cancel();
                  return next(current);
                },
                options?.signal,
              );
            }
            for (let r = first ?? (await next(current!)); !r.done; r = await next(current!)) {
              if (isList && this.debug) this.log('response', rpc, r.value);
              yield r.value;
            }
          } catch (err) {
            if (err instanceof CriError && err.code === grpc.status.CANCELLED) return;
            throw err;
          } finally {
            current?.stream.cancel();
          }
        }.bind(this),
      };
    };
  }
}

/** Clients for a runtime: the runtime service and the image service (possibly on another socket). */
export interface CriClients {
  runtime: RuntimeServiceClient;
  image: ImageServiceClient;
  close(): void;
}

/** Opens the runtime and image services; the image endpoint defaults to the runtime endpoint. */
export function connect(runtimeEndpoint: string, imageEndpoint?: string, options: ClientOptions = {}): CriClients {
  const runtimeConn = new CriConnection(runtimeEndpoint, options);
  const imageConn =
    imageEndpoint && imageEndpoint !== runtimeEndpoint ? new CriConnection(imageEndpoint, options) : runtimeConn;
  return {
    runtime: runtimeConn.service<RuntimeServiceRpcs>('RuntimeService'),
    image: imageConn.service<ImageServiceRpcs>('ImageService'),
    close() {
      runtimeConn.close();
      if (imageConn !== runtimeConn) imageConn.close();
    },
  };
}

export { CriError };
