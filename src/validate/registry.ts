// --registry HOST:PORT: a small image of the run's own is pushed there (Docker Registry HTTP API
// v2), so the pull checks pull and remove an image nothing on the node is. Pulling the test image
// instead would not do: containerd's RemoveImage removes an image under every name it has.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface RegistryAuth {
  username: string;
  password: string;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-file ustar archive (the image's only layer). */
function oneFileTar(name: string, body: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0');
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(body.length, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  const sum = header.reduce((a, b) => a + b, 0);
  put(`${octal(sum, 7)}\u0000`, 148, 8);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024)]);
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** The blobs and manifest of a one-layer image unique to `runId`. */
export function uniqueImage(runId: string): { blobs: Buffer[]; manifest: Buffer; config: Buffer } {
  const tar = oneFileTar('crictl-ts-validate', Buffer.from(`pulled by crictl-ts validate run ${runId}\n`));
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: ARCH[process.arch] ?? process.arch,
      os: 'linux',
      config: { Cmd: ['/crictl-ts-validate'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  return { blobs: [layer, config], manifest, config };
}

/** Loopback registries speak plain HTTP (as local test registries do); others HTTPS. */
export function registryBase(registry: string): string {
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

/** Registry requests with Basic credentials, or the Bearer token a 401 challenge asks for. */
class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly base: string,
    private readonly auth: RegistryAuth | undefined,
    private readonly signal?: AbortSignal,
  ) {}

  private basic(): string | undefined {
    return this.auth && `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
  }

  async request(method: string, url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    const send = () => {
      const authorization = this.token ? `Bearer ${this.token}` : this.basic();
      return fetch(url.startsWith('http') ? url : `${this.base}${url}`, {
        method,
        body: body && new Uint8Array(body),
        headers: { ...headers, ...(authorization ? { authorization } : {}) },
        redirect: 'follow',
        signal: this.signal,
      });
    };
    let res = await send();
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (res.status === 401 && /^Bearer /i.test(challenge) && this.token === undefined) {
      await res.arrayBuffer();
      this.token = await this.fetchToken(challenge);
      res = await send();
    }
    return res;
  }

  private async fetchToken(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) throw new Error(`registry asks for a token but names no realm: ${challenge}`);
    const url = new URL(params.realm);
    for (const key of ['service', 'scope']) if (params[key]) url.searchParams.set(key, params[key]);
    const basic = this.basic();
    const res = await fetch(url, { headers: basic ? { authorization: basic } : {}, signal: this.signal });
    if (!res.ok) throw new Error(`token from ${url.origin}: HTTP ${res.status}`);
    const doc = (await res.json()) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new Error(`token from ${url.origin}: no token in the reply`);
    return token;
  }
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (res.ok) return res;
  const text = (await res.text()).slice(0, 200).replace(/\s+/g, ' ');
  throw new Error(`${what}: HTTP ${res.status}${text ? `: ${text}` : ''}`);
}

/** Pushes an image unique to this run to `registry`; returns its reference (HOST:PORT/crictl-ts-validate/pull:<run>). */
export async function pushUniqueImage(
  registry: string,
  runId: string,
  auth?: RegistryAuth,
  signal?: AbortSignal,
): Promise<string> {
  const repo = 'crictl-ts-validate/pull';
  const client = new RegistryClient(registryBase(registry), auth, signal);
  const { blobs, manifest } = uniqueImage(runId);
  try {
    for (const blob of blobs) {
      const digest = sha256(blob);
      const start = await expectOk(await client.request('POST', `/v2/${repo}/blobs/uploads/`), 'start upload');
      await start.arrayBuffer();
      const location = start.headers.get('location');
      if (!location) throw new Error('the upload has no Location');
      const put = new URL(location, registryBase(registry));
      put.searchParams.set('digest', digest);
      const done = await client.request('PUT', put.toString(), blob, { 'content-type': 'application/octet-stream' });
      await (await expectOk(done, `upload ${digest}`)).arrayBuffer();
    }
    const res = await client.request('PUT', `/v2/${repo}/manifests/${runId}`, manifest, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    });
    await (await expectOk(res, 'push manifest')).arrayBuffer();
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new Error(`--registry ${registry}: ${(err as Error).message}${cause ? ` (${cause.message})` : ''}`);
  }
  return `${registry}/${repo}:${runId}`;
}
