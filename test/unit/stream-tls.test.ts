// TLS for streaming connections: verified when TLS options are given, not followed on redirects.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadStreamTls } from '../../src/cli/stream-options.js';
import { connect } from '../../src/lib/index.js';
import { upgradeToSpdy } from '../../src/stream/upgrade.js';
import { startFakeCri } from '../fake-cri.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('crictl-tls-');
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });

/** A CA, and a server certificate for "streaming.test" signed by it; a second, unrelated CA. */
function makeCerts() {
  for (const name of ['ca', 'other-ca']) {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    );
  }
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=streaming.test',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:streaming.test\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
    '-out',
    'server.pem',
  );
}

describe('streaming TLS', () => {
  let server: Server;
  let url: string;
  before(async () => {
    makeCerts();
    server = createServer(
      { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
      (req, res) => {
        if (req.url === '/redirect') {
          res.writeHead(302, { Location: 'http://elsewhere.example/exec/x' });
          res.end();
          return;
        }
        res.writeHead(404);
        res.end('no such session');
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const tls = (ca: string) => loadStreamTls({ tlsCa: join(dir, ca), tlsSni: 'streaming.test' });

  test('the right CA and server name get through TLS to the server', async () => {
    await assert.rejects(upgradeToSpdy(`${url}/exec/abc`, ['v4.channel.k8s.io'], tls('ca.pem')), /HTTP 404/);
  });

  test('a certificate from another CA is refused', async () => {
    await assert.rejects(upgradeToSpdy(`${url}/exec/abc`, ['v4.channel.k8s.io'], tls('other-ca.pem')), (err: Error) => {
      assert.match(err.message, /certificate/i);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });

  test('without TLS options the server is not verified, as crictl does', async () => {
    await assert.rejects(upgradeToSpdy(`${url}/exec/abc`, ['v4.channel.k8s.io']), /HTTP 404/);
  });

  test('NODE_EXTRA_CA_CERTS, handed over by the launcher, is trusted when verifying without --tls-ca', async () => {
    const sniOnly = loadStreamTls({ tlsSni: 'streaming.test' });
    await assert.rejects(upgradeToSpdy(`${url}/exec/abc`, ['v4.channel.k8s.io'], sniOnly), /certificate/i);
    process.env.CRICTL_TS_EXTRA_CA_CERTS = join(dir, 'ca.pem');
    try {
      await assert.rejects(upgradeToSpdy(`${url}/exec/abc`, ['v4.channel.k8s.io'], sniOnly), /HTTP 404/);
    } finally {
      delete process.env.CRICTL_TS_EXTRA_CA_CERTS;
    }
  });

  test("the library's exec and portForward pass their tls option on", async () => {
    const fake = await startFakeCri();
    fake.on('Exec', () => ({ url: `${url}/exec/abc` }));
    fake.on('PortForward', () => ({ url: `${url}/portforward/abc` }));
    const cri = connect(fake.endpoint);
    try {
      const good = tls('ca.pem');
      const bad = tls('other-ca.pem');
      await assert.rejects(cri.exec('c', ['true'], { tls: good }), /HTTP 404/);
      await assert.rejects(cri.exec('c', ['true'], { tls: bad }), /certificate/i);
      await assert.rejects(cri.exec('c', ['true']), /HTTP 404/, 'not verified without tls, as crictl does');
      await assert.rejects(cri.portForward('p', 80, { tls: good }), /HTTP 404/);
      await assert.rejects(cri.portForward('p', 80, { tls: bad }), /certificate/i);
    } finally {
      cri.close();
      await fake.close();
    }
  });

  test('a redirect is reported, never followed', async () => {
    await assert.rejects(upgradeToSpdy(`${url}/redirect`, ['v4.channel.k8s.io'], tls('ca.pem')), /HTTP 302/);
  });

  test('flag errors are one line', () => {
    assert.throws(() => loadStreamTls({ tlsCert: join(dir, 'server.pem') }), /--tls-cert and --tls-key go together/);
    assert.throws(
      () => loadStreamTls({ tlsCa: join(dir, 'missing.pem') }),
      /--tls-ca .*missing\.pem: cannot read: no such file/,
    );
    assert.equal(loadStreamTls({}), undefined);
  });
});
