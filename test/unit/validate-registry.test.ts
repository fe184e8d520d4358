// --registry's push client against a fake registry that wants a Bearer token (as Docker Hub and
// most hosted registries do; the e2e test covers a real registry with Basic auth).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { pushUniqueImage, registryBase, uniqueImage } from '../../src/validate/registry.js';
import { tempDir } from '../tmp.js';

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

describe('pushUniqueImage', () => {
  test('follows a Bearer challenge: token with Basic credentials, then blobs and manifest', async () => {
    const seen: string[] = [];
    const stored = new Map<string, Buffer>();
    const server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const data = await body(req);
      if (url.pathname === '/token') {
        seen.push(`token ${url.searchParams.get('service')} ${req.headers.authorization}`);
        const ok = req.headers.authorization === `Basic ${Buffer.from('me:secret').toString('base64')}`;
        res.writeHead(ok ? 200 : 401).end(ok ? JSON.stringify({ token: 'tok' }) : '');
        return;
      }
      if (req.headers.authorization !== 'Bearer tok') {
        const { port } = server.address() as AddressInfo;
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="fake",scope="repository:x:push"`,
          })
          .end();
        return;
      }
      seen.push(`${req.method} ${url.pathname}`);
      if (req.method === 'POST') res.writeHead(202, { location: '/v2/upload/1' }).end();
      else if (url.pathname === '/v2/upload/1') {
        stored.set(url.searchParams.get('digest') ?? '', data);
        res.writeHead(201).end();
      } else {
        stored.set(url.pathname, data);
        res.writeHead(201).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const ref = await pushUniqueImage(`127.0.0.1:${port}`, 'abc123', { username: 'me', password: 'secret' });
      assert.equal(ref, `127.0.0.1:${port}/crictl-ts-validate/pull:abc123`);
      assert.equal(seen[0], `token fake Basic ${Buffer.from('me:secret').toString('base64')}`);
      assert.deepEqual(seen.slice(1), [
        'POST /v2/crictl-ts-validate/pull/blobs/uploads/',
        'PUT /v2/upload/1',
        'POST /v2/crictl-ts-validate/pull/blobs/uploads/',
        'PUT /v2/upload/1',
        'PUT /v2/crictl-ts-validate/pull/manifests/abc123',
      ]);
      const manifest = JSON.parse(stored.get('/v2/crictl-ts-validate/pull/manifests/abc123')!.toString());
      for (const d of [manifest.config.digest, manifest.layers[0].digest]) assert.ok(stored.has(d), `blob ${d} pushed`);
    } finally {
      server.close();
    }
  });

  test('a refusal is one line naming the registry and the step', async () => {
    const server = createServer((_req, res) => res.writeHead(403).end('denied\n\u001b[2J'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await assert.rejects(pushUniqueImage(`127.0.0.1:${port}`, 'r1'), (err: Error) => {
        assert.match(err.message, new RegExp(`^--registry 127\\.0\\.0\\.1:${port}: start upload: HTTP 403: denied`));
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    } finally {
      server.close();
    }
  });
});

describe('uniqueImage', () => {
  test('a layer tar can unpack, its diff_id matches; two runs give two images', () => {
    const a = uniqueImage('run-a');
    const tar = gunzipSync(a.blobs[0]);
    const file = join(tempDir('layer-'), 'layer.tar');
    writeFileSync(file, tar);
    assert.equal(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }), 'crictl-ts-validate\n');
    const config = JSON.parse(a.config.toString());
    assert.equal(config.rootfs.diff_ids[0], `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.notDeepEqual(uniqueImage('run-b').manifest, a.manifest);
  });

  test('loopback registries over HTTP, others HTTPS', () => {
    assert.equal(registryBase('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(registryBase('localhost:5000'), 'http://localhost:5000');
    assert.equal(registryBase('registry.example.com:443'), 'https://registry.example.com:443');
  });
});
