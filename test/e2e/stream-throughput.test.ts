// Large transfers through the built CLI against the lab containerd, over SPDY and WebSocket:
// what comes out of exec and port-forward is byte for byte what the container holds, and what
// goes in is byte for byte what we sent (hash in = hash out).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CLI, closeCri, crictl, ENDPOINT, removePods, runContainer, runPod, SKIP } from './harness.js';
import { NO_CONFIG } from '../tmp.js';

const TRANSPORTS = ['spdy', 'websocket'] as const;
const SIZE = 32 * 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs the CLI with `input` on stdin; resolves to the exit code, the SHA-256 of stdout and stderr. */
function runHashing(
  args: string[],
  input?: Buffer,
): Promise<{ code: number | null; sha: string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(CLI, ['-r', ENDPOINT, ...args], { env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG } });
    const hash = createHash('sha256');
    let head = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      hash.update(d);
      if (head.length < 200) head += d.toString('latin1');
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 150_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, sha: hash.digest('hex'), stdout: head, stderr });
    });
    p.stdin.on('error', () => undefined);
    if (input) p.stdin.end(input);
    else p.stdin.end();
  });
}

/** Connects to a forwarded port, sends `data` (if any), and collects what comes back until the pod's side closes. */
function exchange(port: number, data?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no end on port ${port}`)), 150_000);
    socket.on('connect', () => {
      if (data) socket.write(data);
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('large transfers keep every byte', { skip: SKIP, timeout: 600_000 }, () => {
  let podId = '';
  let containerId = '';
  /** The SHA-256 of the container's /data. */
  let dataSha = '';
  const input = randomBytes(SIZE);
  const inputSha = sha256(input);

  before(async () => {
    const pod = await runPod('throughput');
    podId = pod.podId;
    // /data: SIZE random bytes. Port 8080 serves it; port 8081 answers SIZE bytes with their hash.
    containerId = await runContainer(pod.podId, pod.config, 'main', [
      'sh',
      '-c',
      [
        `head -c ${SIZE} /dev/urandom > /data`,
        `printf '#!/bin/sh\\nexec cat /data\\n' > /serve`,
        `printf '#!/bin/sh\\nhead -c ${SIZE} | sha256sum\\n' > /sink`,
        'chmod +x /serve /sink',
        'sha256sum /data > /data.sha',
        '{ nc -ll -p 8081 -e /sink & }',
        'exec nc -ll -p 8080 -e /serve',
      ].join(' && '),
    ]);
    for (let i = 0; !/^[0-9a-f]{64} /.test(dataSha); i++) {
      assert.ok(i < 100, 'the container did not write /data.sha');
      await new Promise((r) => setTimeout(r, 200));
      dataSha = crictl(['exec', containerId, 'cat', '/data.sha']).stdout;
    }
    dataSha = dataSha.slice(0, 64);
  });

  after(async () => {
    await removePods([podId]);
    closeCri();
  });

  for (const transport of TRANSPORTS) {
    test(`exec ${transport}: 32 MiB of output arrive intact`, { timeout: 180_000 }, async () => {
      const r = await runHashing(['exec', '--transport', transport, containerId, 'cat', '/data']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.sha, dataSha);
    });

    test(`exec -i ${transport}: 32 MiB of input arrive intact`, { timeout: 180_000 }, async () => {
      // head stops after SIZE bytes: WebSocket v4 cannot pass on the end of input.
      const r = await runHashing(
        ['exec', '-i', '--transport', transport, containerId, 'sh', '-c', `head -c ${SIZE} | sha256sum`],
        input,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.slice(0, 64), inputSha);
    });

    test(`port-forward ${transport}: 32 MiB each way arrive intact`, { timeout: 180_000 }, async () => {
      const pf = spawn(CLI, ['-r', ENDPOINT, 'port-forward', '--transport', transport, podId, ':8080', ':8081'], {
        env: { ...process.env, CRI_CONFIG_FILE: NO_CONFIG },
      });
      let output = '';
      pf.stdout.on('data', (d: Buffer) => (output += d));
      pf.stderr.on('data', (d: Buffer) => (output += d));
      try {
        const ports: number[] = [];
        for (let i = 0; ports.length < 2; i++) {
          assert.ok(i < 300, `no listeners: ${output}`);
          await new Promise((r) => setTimeout(r, 50));
          ports.splice(
            0,
            2,
            ...[...output.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> 808[01]\n/g)].map((m) => Number(m[1])),
          );
        }
        const down = await exchange(ports[0]);
        assert.equal(down.length, SIZE, output);
        assert.equal(sha256(down), dataSha);
        const up = await exchange(ports[1], input);
        assert.equal(up.toString().slice(0, 64), inputSha, output);
      } finally {
        pf.kill('SIGKILL');
      }
    });
  }
});
