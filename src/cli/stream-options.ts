// Flags shared by the streaming commands (exec, attach, port-forward): TLS for the connection
// to the runtime's streaming server.
import { readFileSync } from 'node:fs';
import { Option } from 'clipanion';
import { describeFsError } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { StreamTls } from '../stream/tls.js';

export const tlsSniOption = () =>
  Option.String('--tls-sni,--tls-server-name', {
    description: 'Server name for TLS SNI and certificate verification of the streaming server',
  });
export const tlsCaOption = () =>
  Option.String('--tls-ca', { description: 'PEM CA bundle to verify the streaming server (enables verification)' });
export const tlsCertOption = () =>
  Option.String('--tls-cert', { description: 'PEM client certificate for the streaming server (with --tls-key)' });
export const tlsKeyOption = () =>
  Option.String('--tls-key', { description: 'PEM client key for the streaming server (with --tls-cert)' });

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${flag} ${file}: cannot read: ${describeFsError(err as NodeJS.ErrnoException)}`);
  }
}

/** The TLS options given, read from their files; undefined when none was given. */
export function loadStreamTls(flags: {
  tlsSni?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}): StreamTls | undefined {
  if (!flags.tlsSni && !flags.tlsCa && !flags.tlsCert && !flags.tlsKey) return undefined;
  if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey))
    throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
  return {
    servername: flags.tlsSni,
    ca: flags.tlsCa ? readPem(flags.tlsCa, '--tls-ca') : undefined,
    cert: flags.tlsCert ? readPem(flags.tlsCert, '--tls-cert') : undefined,
    key: flags.tlsKey ? readPem(flags.tlsKey, '--tls-key') : undefined,
  };
}
